package core

import (
	"strconv"
	"time"

	"github.com/google/uuid"
)

// One CSV schema per record, used by both faces (the window's Export CSV, the command line's
// export): the same columns, names and cell formats, so that exports of the same records are
// byte-identical. Times are RFC 3339 in UTC, amounts have two decimals, ids are full.
// The client import (importcsv.go) reads the client columns back.

// ExportLookup gives an export the names of the records its rows refer to.
type ExportLookup struct {
	contacts map[uuid.UUID]Contact
	clients  map[uuid.UUID]Client
}

// NewExportLookup returns the lookup of the given collaborators and clients.
func NewExportLookup(contacts []Contact, clients []Client) ExportLookup {
	l := ExportLookup{contacts: make(map[uuid.UUID]Contact, len(contacts)), clients: make(map[uuid.UUID]Client, len(clients))}
	for _, c := range contacts {
		l.contacts[c.ID] = c
	}
	for _, c := range clients {
		l.clients[c.ID] = c
	}
	return l
}

// ExportLookup reads the collaborators and clients an export names. Any logged-in user.
// Errors: Unauthenticated.
func (s *Service) ExportLookup(a *Actor) (ExportLookup, error) {
	contacts, err := s.Contacts(a)
	if err != nil {
		return ExportLookup{}, err
	}
	clients, _, err := s.ListClients(a, ClientQuery{})
	if err != nil {
		return ExportLookup{}, err
	}
	return NewExportLookup(contacts, clients), nil
}

// CSVTime is a time in an export: RFC 3339 in UTC, "" for none.
func CSVTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// The header lines of the exports.
var (
	ClientCSVHeader = []string{"id", "full_name", "email", "phone", "company_name",
		"commercial_contact_id", "commercial_contact_name", "notes", "created_at", "updated_at"}
	ContractCSVHeader = []string{"id", "client_id", "client_name", "commercial_contact_id",
		"commercial_contact_name", "total_amount", "amount_due", "status", "signed", "signed_at",
		"created_at", "updated_at"}
	EventCSVHeader = []string{"id", "contract_id", "client_id", "client_name", "client_email",
		"client_phone", "name", "start", "end", "location", "attendees", "notes",
		"support_contact_id", "support_contact_name", "created_at", "updated_at"}
)

// ClientsCSV returns the lines of a client export: the header, then one line per client.
func ClientsCSV(list []Client, l ExportLookup) [][]string {
	out := [][]string{ClientCSVHeader}
	for _, c := range list {
		out = append(out, []string{c.ID.String(), c.FullName, c.Email, c.Phone, c.CompanyName,
			wireID(c.CommercialID), l.contacts[c.CommercialID].FullName, c.Notes,
			CSVTime(c.CreatedAt), CSVTime(c.UpdatedAt)})
	}
	return out
}

// ContractsCSV returns the lines of a contract export.
func ContractsCSV(list []Contract, l ExportLookup) [][]string {
	out := [][]string{ContractCSVHeader}
	for _, k := range list {
		out = append(out, []string{k.ID.String(), k.ClientID.String(), l.clients[k.ClientID].FullName,
			wireID(k.CommercialID), l.contacts[k.CommercialID].FullName, k.Total.StringFixed(2),
			k.Due.StringFixed(2), string(k.Status), strconv.FormatBool(k.Status == Signed),
			CSVTime(k.SignedAt), CSVTime(k.CreatedAt), CSVTime(k.UpdatedAt)})
	}
	return out
}

// EventsCSV returns the lines of an event export.
func EventsCSV(list []Event, l ExportLookup) [][]string {
	out := [][]string{EventCSVHeader}
	for _, e := range list {
		c := l.clients[e.ClientID]
		out = append(out, []string{e.ID.String(), e.ContractID.String(), e.ClientID.String(),
			c.FullName, c.Email, c.Phone, e.Name, CSVTime(e.Start), CSVTime(e.End), e.Location,
			strconv.Itoa(e.Attendees), e.Notes, wireID(e.SupportID), l.contacts[e.SupportID].FullName,
			CSVTime(e.CreatedAt), CSVTime(e.UpdatedAt)})
	}
	return out
}
