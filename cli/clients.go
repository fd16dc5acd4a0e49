package cli

import (
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

const clientUsage = `Client commands:

  epicevents client list [--mine]           list clients by name
        --mine             only the clients whose commercial contact you are
  epicevents client view C                  show a client with its contracts and events
  epicevents client create --name N --email E --phone P --company C [--commercial U] [--notes T]
                                            add a client (commercial: you become its contact;
                                            management: --commercial names an active commercial)
  epicevents client update C [--name N] [--email E] [--phone P] [--company C] [--notes T]
                                            change the details given
  epicevents client assign C U              make the commercial U the client's contact; its
                                            contracts follow (management)
  epicevents client delete C                delete a client that has no contracts (management)
  epicevents client search TEXT             find clients by name, email, company or phone

  C is a full id or a unique prefix of at least 8 characters; U is also an email.
  --json prints the result as JSON.
`

var clientCommands = map[string]func(*runner, []string) error{
	"list":   clientList,
	"view":   clientView,
	"create": clientCreate,
	"update": clientUpdate,
	"assign": clientAssign,
	"delete": clientDelete,
	"search": searchCommand("client search", clientUsage, func(s *session, text string) error { return s.listClients(core.ClientQuery{Search: text}) }),
}

// clientOut is a client as printed (PRODUCT.md §2).
type clientOut struct {
	ID                    string `json:"id"`
	FullName              string `json:"full_name"`
	Email                 string `json:"email"`
	Phone                 string `json:"phone"`
	CompanyName           string `json:"company_name"`
	CommercialContactID   string `json:"commercial_contact_id"`
	CommercialContactName string `json:"commercial_contact_name"`
	Notes                 string `json:"notes"`
	CreatedAt             jtime  `json:"created_at"`
	UpdatedAt             jtime  `json:"updated_at"`
}

// clientDetail is a client with its contracts and events (client view).
type clientDetail struct {
	clientOut
	Contracts []contractOut `json:"contracts"`
	Events    []eventOut    `json:"events"`
}

func (s *session) toClient(c core.Client) (clientOut, error) {
	name, err := s.contactName(c.CommercialID)
	return clientOut{ID: c.ID.String(), FullName: c.FullName, Email: c.Email, Phone: c.Phone,
		CompanyName: c.CompanyName, CommercialContactID: c.CommercialID.String(),
		CommercialContactName: name, Notes: c.Notes,
		CreatedAt: jtime(c.CreatedAt), UpdatedAt: jtime(c.UpdatedAt)}, err
}

func (s *session) toClients(list []core.Client) ([]clientOut, error) {
	return convert(list, s.toClient)
}

var clientColumns = []column[clientOut]{
	{title: "ID", cell: func(c clientOut) string { return short(c.ID) }},
	{title: "NAME", cell: func(c clientOut) string { return c.FullName }},
	{title: "COMPANY", cell: func(c clientOut) string { return c.CompanyName }},
	{title: "EMAIL", cell: func(c clientOut) string { return c.Email }},
	{title: "PHONE", cell: func(c clientOut) string { return c.Phone }},
	{title: "COMMERCIAL", cell: func(c clientOut) string { return orDash(c.CommercialContactName) }},
	{title: "LAST CONTACT", cell: func(c clientOut) string { return c.UpdatedAt.local() }},
}

func clientFields(c clientOut) []field {
	return []field{
		{"ID", c.ID}, {"Name", c.FullName}, {"Company", c.CompanyName}, {"Email", c.Email},
		{"Phone", c.Phone}, {"Commercial", orDash(c.CommercialContactName)},
		{"First contact", c.CreatedAt.local()}, {"Last update", c.UpdatedAt.local()},
		{"Notes", orDash(c.Notes)},
	}
}

func (s *session) listClients(q core.ClientQuery) error {
	list, hidden, err := s.svc.ListClients(s.actor, q)
	return printRecords(s, list, hidden, err, s.toClients, clientColumns, "clients")
}

func clientList(r *runner, args []string) error {
	f := r.newFlags("client list", clientUsage)
	mine := f.Bool("mine", false, "")
	return f.inSession(args, func(s *session, _ []string) error { return s.listClients(core.ClientQuery{Mine: *mine}) })
}

func clientView(r *runner, args []string) error {
	return r.newFlags("client view", clientUsage).withRecord(core.ClientRecord, args, func(s *session, id uuid.UUID, _ []string) error {
		c, err := s.svc.GetClient(s.actor, id)
		if err != nil {
			return err
		}
		return s.showClient(c)
	}, "C")
}

func (s *session) showClient(c core.Client) error {
	out := clientDetail{}
	var err error
	if out.clientOut, err = s.toClient(c); err != nil {
		return err
	}
	contracts, hidden, err := s.svc.ListContracts(s.actor, core.ContractQuery{ClientID: c.ID})
	if err != nil {
		return err
	}
	if out.Contracts, err = s.toContracts(contracts); err != nil {
		return err
	}
	var events []core.Event
	for _, k := range contracts {
		ev, h, err := s.svc.ListEvents(s.actor, core.EventQuery{ContractID: k.ID})
		if err != nil {
			return err
		}
		events = append(events, ev...)
		hidden += h
	}
	s.warnHidden(hidden)
	core.SortEvents(events)
	if out.Events, err = s.toEvents(events); err != nil {
		return err
	}
	return s.show(out, func(w io.Writer) {
		writeFields(w, clientFields(out.clientOut))
		fmt.Fprintf(w, "\nContracts (%d):\n", len(out.Contracts))
		if len(out.Contracts) > 0 {
			writeTable(w, contractColumns, out.Contracts)
		}
		fmt.Fprintf(w, "\nEvents (%d):\n", len(out.Events))
		if len(out.Events) > 0 {
			writeTable(w, eventColumns, out.Events)
		}
	})
}

func clientCreate(r *runner, args []string) error {
	f := r.newFlags("client create", clientUsage).need("name", "email", "phone", "company")
	in := core.ClientInput{}
	f.StringVar(&in.FullName, "name", "", "")
	f.StringVar(&in.Email, "email", "", "")
	f.StringVar(&in.Phone, "phone", "", "")
	f.StringVar(&in.CompanyName, "company", "", "")
	f.StringVar(&in.Notes, "notes", "", "")
	commercial := f.String("commercial", "", "")
	return f.inSession(args, func(s *session, _ []string) error {
		if f.given("commercial") {
			id, err := s.resolveUser(*commercial)
			if err != nil {
				return err
			}
			in.CommercialID = id
		}
		c, err := s.svc.CreateClient(s.actor, in)
		return s.doneClient(c, err, "Client created: %s", c.ID)
	})
}

// doneClient prints the client an action returned, or returns the action's error.
func (s *session) doneClient(c core.Client, err error, format string, args ...any) error {
	return doneRecord(s, c, err, s.toClients, clientFields, format, args...)
}

func clientUpdate(r *runner, args []string) error {
	f := r.newFlags("client update", clientUsage).needOne("name", "email", "phone", "company", "notes")
	var v core.Client
	f.StringVar(&v.FullName, "name", "", "")
	f.StringVar(&v.Email, "email", "", "")
	f.StringVar(&v.Phone, "phone", "", "")
	f.StringVar(&v.CompanyName, "company", "", "")
	f.StringVar(&v.Notes, "notes", "", "")
	return f.withRecord(core.ClientRecord, args, func(s *session, id uuid.UUID, _ []string) error {
		p := core.ClientPatch{FullName: f.opt("name", &v.FullName), Email: f.opt("email", &v.Email),
			Phone: f.opt("phone", &v.Phone), CompanyName: f.opt("company", &v.CompanyName),
			Notes: f.opt("notes", &v.Notes)}
		c, err := s.svc.UpdateClient(s.actor, id, p)
		return s.doneClient(c, err, "Client updated: %s", c.ID)
	}, "C")
}

func clientAssign(r *runner, args []string) error {
	return r.newFlags("client assign", clientUsage).withRecord(core.ClientRecord, args, func(s *session, id uuid.UUID, rest []string) error {
		c, name, err := assign(s, rest[0], func(uid uuid.UUID) (core.Client, error) { return s.svc.ReassignClient(s.actor, id, uid) })
		return s.doneClient(c, err, "Client assigned to %s: %s", name, c.ID)
	}, "C", "U")
}

// assign makes the collaborator ref (email, id or prefix) a record's contact with act: it
// returns the record act returned and the collaborator's name, for the message.
func assign[R any](s *session, ref string, act func(uid uuid.UUID) (R, error)) (rec R, name string, err error) {
	uid, err := s.resolveUser(ref)
	if err != nil {
		return rec, "", err
	}
	if rec, err = act(uid); err != nil {
		return rec, "", err
	}
	name, err = s.contactName(uid)
	return rec, name, err
}

func clientDelete(r *runner, args []string) error {
	return r.newFlags("client delete", clientUsage).withRecord(core.ClientRecord, args, func(s *session, id uuid.UUID, _ []string) error {
		return s.deleted(s.svc.DeleteClient(s.actor, id), "Client", id)
	}, "C")
}
