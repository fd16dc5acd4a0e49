package core

import (
	"crypto/rand"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// InitInput is what the set-up asks for: the first management account, and whether to add the
// demo data of the original system.
type InitInput struct {
	AdminName  string
	AdminEmail string
	Password   string
	Demo       bool
}

// DemoAccount is a demo collaborator with the random password generated for it. The password
// exists only in this value: show it once, never store it.
type DemoAccount struct {
	FullName   string
	Email      string
	Department Department
	Password   string
}

// InitResult is the outcome of Initialize.
type InitResult struct {
	Admin User
	Demo  []DemoAccount
}

// Initialized reports whether the database has been set up: it holds a signing key or a
// collaborator (a restored backup has collaborators and no key until the next login).
func (s *Service) Initialized() (bool, error) {
	var ok bool
	err := s.view(nil, "check initialisation", func(tx Tx) error {
		var err error
		ok, err = initialized(tx)
		return err
	})
	return ok, err
}

func initialized(tx Tx) (bool, error) {
	if v, err := tx.SigningKey(); err != nil || len(v) > 0 {
		return err == nil, err
	}
	users, hidden, err := tx.Users(UserFilter{Limit: 1})
	return len(users)+hidden > 0, err
}

// Initialize sets up a new database in one transaction: a random 32-byte session signing key,
// the first management account and, on request, the demo data.
// Errors: Invalid (a field of the account), Conflict (already initialised).
func (s *Service) Initialize(in InitInput) (InitResult, error) {
	admin, err := validateUserInput(UserInput{FullName: in.AdminName, Email: in.AdminEmail, Department: Management})
	if err != nil {
		return InitResult{}, err
	}
	hash, err := s.newPasswordHash(nil, "initialise", in.Password, admin.Email)
	if err != nil {
		return InitResult{}, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return InitResult{}, s.report(nil, InternalError("generate signing key", err))
	}
	var res InitResult
	var demo []demoUser
	if in.Demo {
		if demo, err = s.demoUsers(admin.Email); err != nil {
			return InitResult{}, err
		}
	}
	err = s.update(nil, "initialise", func(tx Tx) error {
		if done, err := initialized(tx); err != nil || done {
			if err == nil {
				err = NewError(Conflict, CodeAlreadyInitialised)
			}
			return err
		}
		if err := tx.SetSigningKey(key); err != nil {
			return err
		}
		if res.Admin, err = s.insertUser(tx, nil, admin, hash); err != nil {
			return err
		}
		if in.Demo {
			res.Demo, err = s.insertDemo(tx, demo)
		}
		return err
	})
	if err != nil {
		return InitResult{}, err
	}
	return res, nil
}

type demoUser struct {
	account DemoAccount
	hash    string
}

var demoPeople = []UserInput{
	{FullName: "Sophie Martin", Email: "sophie.martin@epicevents.com", Department: Management},
	{FullName: "Jean Dupont", Email: "jean.dupont@epicevents.com", Department: Commercial},
	{FullName: "Claire Bernard", Email: "claire.bernard@epicevents.com", Department: Commercial},
	{FullName: "Lucas Petit", Email: "lucas.petit@epicevents.com", Department: Support},
	{FullName: "Emma Moreau", Email: "emma.moreau@epicevents.com", Department: Support},
}

func (s *Service) demoUsers(adminEmail string) ([]demoUser, error) {
	out := make([]demoUser, 0, len(demoPeople))
	for _, p := range demoPeople {
		if p.Email == adminEmail {
			continue
		}
		pw, err := RandomPassword()
		if err != nil {
			return nil, s.report(nil, InternalError("demo password", err))
		}
		hash, err := hashPassword(pw, s.hash)
		if err != nil {
			return nil, s.report(nil, InternalError("demo password", err))
		}
		out = append(out, demoUser{account: DemoAccount{FullName: p.FullName, Email: p.Email,
			Department: p.Department, Password: pw}, hash: hash})
	}
	return out, nil
}

// RandomPassword returns a 16-character password drawn from crypto/rand that meets the rules of
// PRODUCT.md §4.
func RandomPassword() (string, error) {
	classes := []string{"abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!#%+-=?@_"}
	allChars := classes[0] + classes[1] + classes[2] + classes[3]
	b := make([]byte, 16)
	for i := range b {
		set := allChars
		if i < len(classes) {
			set = classes[i]
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return "", err
		}
		b[i] = set[n.Int64()]
	}
	// Shuffle so the class order is not fixed.
	for i := len(b) - 1; i > 0; i-- {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		j := n.Int64()
		b[i], b[j] = b[j], b[i]
	}
	return string(b), nil
}

// insertDemo writes the seed's demo data: five collaborators, four clients, four contracts and
// three events, dated relative to now so that upcoming events are in the future.
func (s *Service) insertDemo(tx Tx, people []demoUser) ([]DemoAccount, error) {
	ids := map[string]uuid.UUID{}
	accounts := make([]DemoAccount, 0, len(people))
	for _, p := range people {
		u, err := s.insertUser(tx, nil, UserInput{FullName: p.account.FullName, Email: p.account.Email,
			Department: p.account.Department}, p.hash)
		if err != nil {
			return nil, err
		}
		ids[u.Email] = u.ID
		accounts = append(accounts, p.account)
	}
	jean, claire := ids["jean.dupont@epicevents.com"], ids["claire.bernard@epicevents.com"]
	lucas := ids["lucas.petit@epicevents.com"]
	now := s.Now()
	day := 24 * time.Hour
	clients := []Client{
		{FullName: "Kevin Casey", Email: "kevin@startup.io", Phone: "+678 123 456 78", CompanyName: "Cool Startup LLC", CommercialID: jean, Notes: "Met at the Lyon start-up fair."},
		{FullName: "Marie Leclerc", Email: "marie.leclerc@techcorp.fr", Phone: "01.23.45.67.89", CompanyName: "TechCorp France", CommercialID: jean},
		{FullName: "Pierre Rousseau", Email: "p.rousseau@innovate.fr", Phone: "04 56 78 90 12", CompanyName: "Innovate Solutions", CommercialID: claire},
		{FullName: "Anne Girard", Email: "anne.girard@eventpro.com", Phone: "+33 6 12 34 56 78", CompanyName: "EventPro International", CommercialID: claire},
	}
	for i := range clients {
		c := &clients[i]
		if c.CommercialID == uuid.Nil {
			continue // the admin took that demo email; leave its clients out
		}
		c.ID, c.CreatedAt, c.UpdatedAt = newID(), now.Add(-time.Duration(60-10*i)*day), now
		if err := tx.PutClient(c); err != nil {
			return nil, err
		}
		if err := s.audit(tx, nil, ActionCreate, ClientRecord, c.ID); err != nil {
			return nil, err
		}
	}
	type kdef struct {
		client       int
		total, due   string
		status       ContractStatus
		createdDays  int
		signedDaysAg int
	}
	defs := []kdef{
		{0, "15000.00", "5000.00", Signed, 45, 40},
		{1, "25000.00", "25000.00", Draft, 30, 0},
		{2, "8500.50", "0.00", Signed, 20, 15},
		{3, "42000.00", "42000.00", Signed, 10, 5},
	}
	contracts := make([]Contract, len(defs))
	for i, d := range defs {
		c := clients[d.client]
		if c.ID == uuid.Nil {
			continue
		}
		k := Contract{ID: newID(), ClientID: c.ID, CommercialID: c.CommercialID,
			Total: decimal.RequireFromString(d.total), Due: decimal.RequireFromString(d.due),
			Status: d.status, CreatedAt: now.Add(-time.Duration(d.createdDays) * day), UpdatedAt: now}
		if d.status == Signed {
			k.SignedAt = now.Add(-time.Duration(d.signedDaysAg) * day)
		}
		if err := tx.PutContract(&k); err != nil {
			return nil, err
		}
		contracts[i] = k
		if err := s.audit(tx, nil, ActionCreate, ContractRecord, k.ID); err != nil {
			return nil, err
		}
	}
	at := func(days, hour int) time.Time {
		d := now.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.Local).UTC()
	}
	events := []Event{
		{ContractID: contracts[0].ID, Name: "Startup Launch Party", Start: at(14, 18), End: at(14, 23), Location: "53 rue du Château, 41120 Candé-sur-Beuvron", Attendees: 75, Notes: "DJ booked; the client wants a photo booth.", SupportID: lucas},
		{ContractID: contracts[2].ID, Name: "Innovate Annual Seminar", Start: at(21, 9), End: at(22, 17), Location: "Centre de congrès, Lyon", Attendees: 200},
		{ContractID: contracts[3].ID, Name: "EventPro Gala Dinner", Start: at(-20, 19), End: at(-20, 23), Location: "Hôtel de Ville, Paris", Attendees: 120, Notes: "Held last month; invoice sent.", SupportID: lucas},
	}
	for i := range events {
		e := &events[i]
		k := contracts[map[int]int{0: 0, 1: 2, 2: 3}[i]]
		if k.ID == uuid.Nil {
			continue
		}
		e.ID, e.ClientID, e.CreatedAt, e.UpdatedAt = newID(), k.ClientID, now, now
		if err := tx.PutEvent(e); err != nil {
			return nil, err
		}
		if err := s.audit(tx, nil, ActionCreate, EventRecord, e.ID); err != nil {
			return nil, err
		}
	}
	return accounts, nil
}
