package core

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// HomeDays is the window of the home tab's "next events": now to now + 30 days.
const HomeDays = 30

// Home is the first thing each department sees (issue #14): a few figures, each the size of a
// filtered list the window can open. Every figure is read from the indexes.
type Home struct {
	Department Department
	From, To   time.Time // now and now + HomeDays days: the window of Events

	// Events are, for management, the events of the window without support; for a commercial,
	// the events of their contracts in the window; for support, the events assigned to them in
	// the window. By start.
	Events []HomeEvent
	// Drafts are the contracts waiting for a signature: every one for management, the
	// commercial's own for a commercial.
	Drafts ContractTotals
	// Unpaid are the contracts with an amount due (not cancelled): every one for management,
	// the commercial's own for a commercial; Unpaid.Due is the total amount due.
	Unpaid ContractTotals
	// MyClients is the number of clients of a commercial.
	MyClients int
	// Commercials lists, for management, each commercial with their number of clients, by name.
	Commercials []CommercialClients
	// Hidden counts the damaged records left out of the figures.
	Hidden int
}

// HomeEvent is an event of the home tab, with its client's name and phone.
type HomeEvent struct {
	EventLine
	ClientName  string
	ClientPhone string
}

// CommercialClients is a commercial with the number of their clients.
type CommercialClients struct {
	ID      uuid.UUID
	Name    string
	Active  bool
	Clients int
}

// Home returns the home figures of the actor's department. Any logged-in user.
// Errors: Unauthenticated.
func (s *Service) Home(a *Actor) (Home, error) {
	if err := authorize(a, resEvent, permissions.List, "list events"); err != nil {
		return Home{}, err
	}
	now := s.Now()
	h := Home{Department: a.dept, From: now, To: now.AddDate(0, 0, HomeDays)}
	err := s.view(a, "home", func(tx Tx) error {
		f := EventFilter{StartFrom: h.From, StartTo: h.To}
		switch a.dept {
		case Management:
			f.Unassigned = true
			if err := s.managementFigures(tx, &h); err != nil {
				return err
			}
		case Commercial:
			f.CommercialID = a.id
			if err := s.commercialFigures(tx, a.id, &h); err != nil {
				return err
			}
		case Support:
			f.SupportID = a.id
		}
		lines, hidden, err := tx.EventLines(f)
		if err != nil {
			return err
		}
		h.Hidden += hidden
		SortEventLines(lines)
		h.Events, err = withClients(tx, lines)
		return err
	})
	return h, err
}

func (s *Service) managementFigures(tx Tx, h *Home) error {
	var err error
	if h.Drafts, err = tx.ContractTotals(ContractFilter{Unsigned: true}); err != nil {
		return err
	}
	if h.Unpaid, err = tx.ContractTotals(ContractFilter{Unpaid: true}); err != nil {
		return err
	}
	h.Hidden += h.Drafts.Hidden + h.Unpaid.Hidden
	counts, err := tx.ClientCounts(uuid.Nil)
	if err != nil {
		return err
	}
	users, hidden, err := tx.Users(UserFilter{Department: Commercial})
	if err != nil {
		return err
	}
	h.Hidden += hidden
	for _, u := range users {
		if !u.Active && counts[u.ID] == 0 {
			continue
		}
		h.Commercials = append(h.Commercials, CommercialClients{ID: u.ID, Name: u.FullName, Active: u.Active, Clients: counts[u.ID]})
	}
	slices.SortFunc(h.Commercials, func(x, y CommercialClients) int {
		return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
	})
	return nil
}

func (s *Service) commercialFigures(tx Tx, me uuid.UUID, h *Home) error {
	var err error
	if h.Drafts, err = tx.ContractTotals(ContractFilter{CommercialID: me, Unsigned: true}); err != nil {
		return err
	}
	if h.Unpaid, err = tx.ContractTotals(ContractFilter{CommercialID: me, Unpaid: true}); err != nil {
		return err
	}
	h.Hidden += h.Drafts.Hidden + h.Unpaid.Hidden
	counts, err := tx.ClientCounts(me)
	h.MyClients = counts[me]
	return err
}

// withClients adds each line's client name and phone; a client that cannot be read (damaged)
// leaves them empty.
func withClients(tx Tx, lines []EventLine) ([]HomeEvent, error) {
	out := make([]HomeEvent, len(lines))
	cache := map[uuid.UUID]Client{}
	for i, l := range lines {
		out[i].EventLine = l
		c, ok := cache[l.ClientID]
		if !ok {
			var err error
			c, err = tx.Client(l.ClientID)
			switch KindOf(err) {
			case "", NotFound, Damaged:
			default:
				return nil, err
			}
			cache[l.ClientID] = c
		}
		out[i].ClientName, out[i].ClientPhone = c.FullName, c.Phone
	}
	return out, nil
}
