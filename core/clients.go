package core

import (
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// ClientInput is a new client's details. CommercialID is required when management creates the
// client; a commercial becomes the client's commercial contact and may leave it nil or name
// themself, not another commercial.
type ClientInput struct {
	FullName     string
	Email        string
	Phone        string
	CompanyName  string
	Notes        string
	CommercialID uuid.UUID
}

// ClientPatch changes some of a client's details; nil fields stay as they are.
type ClientPatch struct {
	FullName    *string
	Email       *string
	Phone       *string
	CompanyName *string
	Notes       *string
}

// ClientQuery selects clients for ListClients.
type ClientQuery struct {
	Mine   bool // clients whose commercial contact is the actor
	Search string
}

// ValidateClient checks every field of c (PRODUCT.md §2) and returns it normalised.
// Errors: Invalid naming the field.
func ValidateClient(c Client) (Client, error) {
	var err error
	if c.FullName, err = ValidateText("full_name", c.FullName, 2, MaxNameLen); err != nil {
		return c, err
	}
	if c.Email, err = ValidateEmail("email", c.Email); err != nil {
		return c, err
	}
	if c.Phone, err = ValidatePhone(c.Phone); err != nil {
		return c, err
	}
	if c.CompanyName, err = ValidateText("company_name", c.CompanyName, 1, MaxNameLen); err != nil {
		return c, err
	}
	if c.Notes, err = ValidateNotes(c.Notes); err != nil {
		return c, err
	}
	return c, nil
}

// CreateClient adds a client. A commercial becomes its commercial contact (naming another is
// Forbidden); management names an active commercial. Errors: Unauthenticated, Forbidden,
// Invalid, NotFound (commercial), Conflict (email taken).
func (s *Service) CreateClient(a *Actor, in ClientInput) (Client, error) {
	if err := authorize(a, resClient, permissions.Create, "create clients"); err != nil {
		return Client{}, err
	}
	c, err := ValidateClient(Client{FullName: in.FullName, Email: in.Email, Phone: in.Phone,
		CompanyName: in.CompanyName, Notes: in.Notes, CommercialID: in.CommercialID})
	if err != nil {
		return Client{}, err
	}
	if a.Can(resClient, permissions.Create) == own {
		if in.CommercialID != uuid.Nil && in.CommercialID != a.id {
			return Client{}, NewError(Forbidden, CodeOtherCommercial)
		}
		c.CommercialID = a.id
	} else if c.CommercialID == uuid.Nil {
		return Client{}, FieldError("commercial_contact", CodeCommercialRequired)
	}
	err = s.update(a, "create client", func(tx Tx) error {
		if err := requireActive(tx, c.CommercialID, Commercial, "commercial_contact"); err != nil {
			return err
		}
		now := s.Now()
		c.ID, c.CreatedAt, c.UpdatedAt = newID(), now, now
		if err := tx.PutClient(&c); err != nil {
			return err
		}
		return s.audit(tx, a, ActionCreate, ClientRecord, c.ID,
			"full_name", "email", "phone", "company_name", "notes", "commercial_contact")
	})
	return c, err
}

// requireActive checks that id is an active user of department d.
func requireActive(tx Tx, id uuid.UUID, d Department, field string) error {
	u, err := tx.User(id)
	if KindOf(err) == NotFound {
		return FieldError(field, CodeNoSuchCollaborator)
	}
	if err != nil {
		return err
	}
	if u.Department != d {
		return FieldError(field, CodeWrongDepartment, d)
	}
	if !u.Active {
		return FieldError(field, CodeCollaboratorInactive)
	}
	return nil
}

// UpdateClient changes a client's details. A commercial may update only their own clients.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict.
func (s *Service) UpdateClient(a *Actor, id uuid.UUID, p ClientPatch) (Client, error) {
	if err := authorize(a, resClient, permissions.Update, "update clients"); err != nil {
		return Client{}, err
	}
	var c Client
	err := s.update(a, "update client", func(tx Tx) error {
		cur, err := tx.Client(id)
		if err != nil {
			return err
		}
		if a.Can(resClient, permissions.Update) == own && cur.CommercialID != a.id {
			return NewError(Forbidden, CodeNotOwnClient)
		}
		next, err := ValidateClient(applyClientPatch(cur, p))
		if err != nil {
			return err
		}
		fields := clientChanges(cur, next)
		c = cur
		if len(fields) == 0 {
			return nil
		}
		next.UpdatedAt = s.Now()
		if err := tx.PutClient(&next); err != nil {
			return err
		}
		c = next
		return s.audit(tx, a, ActionUpdate, ClientRecord, c.ID, fields...)
	})
	return c, err
}

func applyClientPatch(c Client, p ClientPatch) Client {
	setIf(&c.FullName, p.FullName)
	setIf(&c.Email, p.Email)
	setIf(&c.Phone, p.Phone)
	setIf(&c.CompanyName, p.CompanyName)
	setIf(&c.Notes, p.Notes)
	return c
}

func clientChanges(a, b Client) []string {
	return changedNames(
		fieldDiff{"full_name", a.FullName == b.FullName},
		fieldDiff{"email", a.Email == b.Email},
		fieldDiff{"phone", a.Phone == b.Phone},
		fieldDiff{"company_name", a.CompanyName == b.CompanyName},
		fieldDiff{"notes", a.Notes == b.Notes})
}

// ReassignClient makes another active commercial the client's contact; the client's contracts
// follow. Management only. Errors: Unauthenticated, Forbidden, NotFound, Invalid.
func (s *Service) ReassignClient(a *Actor, id, commercialID uuid.UUID) (Client, error) {
	if err := authorize(a, resClient, permissions.Reassign, "reassign clients"); err != nil {
		return Client{}, err
	}
	c, err := changeRecord(s, a, "reassign client", Tx.Client, id, func(tx Tx, c *Client) error {
		if err := requireActive(tx, commercialID, Commercial, "commercial_contact"); err != nil {
			return err
		}
		if c.CommercialID == commercialID {
			return nil
		}
		now := s.Now()
		c.CommercialID, c.UpdatedAt = commercialID, now
		if err := tx.PutClient(c); err != nil {
			return err
		}
		if err := s.audit(tx, a, ActionReassign, ClientRecord, c.ID, "commercial_contact"); err != nil {
			return err
		}
		contracts, hidden, err := tx.Contracts(ContractFilter{ClientID: c.ID})
		if err := inTheWay(ContractRecord, hidden, err); err != nil {
			return err
		}
		for _, k := range contracts {
			k.CommercialID, k.UpdatedAt = commercialID, now
			if err := tx.PutContract(&k); err != nil {
				return err
			}
			if err := s.audit(tx, a, ActionReassign, ContractRecord, k.ID, "commercial_contact"); err != nil {
				return err
			}
		}
		return nil
	})
	return c, err
}

// DeleteClient removes a client that has no contracts. Management only.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (has contracts).
func (s *Service) DeleteClient(a *Actor, id uuid.UUID) error {
	if err := authorize(a, resClient, permissions.Delete, "delete clients"); err != nil {
		return err
	}
	return s.deleteAudited(a, ClientRecord, id, func(tx Tx) error {
		if _, err := tx.Client(id); err != nil {
			return err
		}
		k, hidden, err := tx.Contracts(ContractFilter{ClientID: id, Limit: 1})
		return stillReferenced(ContractRecord, len(k), hidden, err, CodeClientHasContracts)
	}, Tx.DeleteClient)
}

// GetClient returns a client. Any logged-in user. Errors: Unauthenticated, NotFound.
func (s *Service) GetClient(a *Actor, id uuid.UUID) (Client, error) {
	return getRecord(s, a, resClient, ClientRecord, Tx.Client, id)
}

// ListClients returns clients by full name, and how many damaged clients were left out.
// Any logged-in user. Errors: Unauthenticated.
func (s *Service) ListClients(a *Actor, q ClientQuery) ([]Client, int, error) {
	if err := authorize(a, resClient, permissions.List, "list clients"); err != nil {
		return nil, 0, err
	}
	f := ClientFilter{Search: strings.ToLower(strings.TrimSpace(q.Search))}
	if q.Mine {
		f.CommercialID = a.id
	}
	out, hidden, err := viewList(s, a, "list clients", func(tx Tx) ([]Client, int, error) { return tx.Clients(f) })
	SortClients(out)
	return out, hidden, err
}

// SortClients puts clients in their default order: by full name, then email.
func SortClients(c []Client) {
	type key struct{ name, email string }
	sortByKey(c, func(c *Client) key { return key{strings.ToLower(c.FullName), c.Email} },
		func(a, b key) int {
			if a.name != b.name {
				return strings.Compare(a.name, b.name)
			}
			return strings.Compare(a.email, b.email)
		})
}
