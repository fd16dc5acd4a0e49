package core

import (
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Wire is a record in its replicated form: its fields as strings by their snake_case name (the
// names of the command line's JSON, PRODUCT.md §8), stable across versions; JSON in the cluster.
// Empty strings stand for zero values (no time, no id). Change is the id of the change that
// wrote this version into the cluster (uuid.Nil before it was published).
//
// A user's wire form holds what replicates — its hash and deactivation included — and never
// this laptop's state (session epochs, re-hashes: LocalTx).
type Wire struct {
	Type   RecordType        `json:"type"`
	ID     uuid.UUID         `json:"id"`
	Fields map[string]string `json:"fields"`
	Change uuid.UUID         `json:"change"`
}

// The field names of the wire forms.
const (
	WireEmployeeNumber    = "employee_number"
	WireFullName          = "full_name"
	WireEmail             = "email"
	WireDepartment        = "department"
	WirePasswordHash      = "password_hash"
	WireActive            = "active"
	WirePasswordChangedAt = "password_changed_at"
	WireCreatedAt         = "created_at"
	WireUpdatedAt         = "updated_at"
	WirePhone             = "phone"
	WireCompanyName       = "company_name"
	WireCommercialID      = "commercial_contact_id"
	WireNotes             = "notes"
	WireClientID          = "client_id"
	WireTotalAmount       = "total_amount"
	WireAmountDue         = "amount_due"
	WireStatus            = "status"
	WireSignedAt          = "signed_at"
	WireContractID        = "contract_id"
	WireName              = "name"
	WireStart             = "start"
	WireEnd               = "end"
	WireLocation          = "location"
	WireAttendees         = "attendees"
	WireSupportID         = "support_contact_id"
)

// RecordTypes lists the replicated record types, in the order a dataset is copied (a record
// after those it refers to).
var RecordTypes = []RecordType{UserRecord, ClientRecord, ContractRecord, EventRecord}

// Wire returns the user's wire form.
func (u *User) Wire() Wire {
	return Wire{Type: UserRecord, ID: u.ID, Fields: map[string]string{
		WireEmployeeNumber:    u.EmployeeNumber,
		WireFullName:          u.FullName,
		WireEmail:             u.Email,
		WireDepartment:        string(u.Department),
		WirePasswordHash:      u.PasswordHash,
		WireActive:            strconv.FormatBool(u.Active),
		WirePasswordChangedAt: wireTime(u.PasswordChangedAt),
		WireCreatedAt:         wireTime(u.CreatedAt),
		WireUpdatedAt:         wireTime(u.UpdatedAt),
	}}
}

// Wire returns the client's wire form.
func (c *Client) Wire() Wire {
	return Wire{Type: ClientRecord, ID: c.ID, Fields: map[string]string{
		WireFullName:     c.FullName,
		WireEmail:        c.Email,
		WirePhone:        c.Phone,
		WireCompanyName:  c.CompanyName,
		WireCommercialID: wireID(c.CommercialID),
		WireNotes:        c.Notes,
		WireCreatedAt:    wireTime(c.CreatedAt),
		WireUpdatedAt:    wireTime(c.UpdatedAt),
	}}
}

// Wire returns the contract's wire form.
func (k *Contract) Wire() Wire {
	return Wire{Type: ContractRecord, ID: k.ID, Fields: map[string]string{
		WireClientID:     wireID(k.ClientID),
		WireCommercialID: wireID(k.CommercialID),
		WireTotalAmount:  wireDecimal(k.Total),
		WireAmountDue:    wireDecimal(k.Due),
		WireStatus:       string(k.Status),
		WireSignedAt:     wireTime(k.SignedAt),
		WireCreatedAt:    wireTime(k.CreatedAt),
		WireUpdatedAt:    wireTime(k.UpdatedAt),
	}}
}

// Wire returns the event's wire form.
func (e *Event) Wire() Wire {
	return Wire{Type: EventRecord, ID: e.ID, Fields: map[string]string{
		WireContractID: wireID(e.ContractID),
		WireClientID:   wireID(e.ClientID),
		WireName:       e.Name,
		WireStart:      wireTime(e.Start),
		WireEnd:        wireTime(e.End),
		WireLocation:   e.Location,
		WireAttendees:  strconv.Itoa(e.Attendees),
		WireNotes:      e.Notes,
		WireSupportID:  wireID(e.SupportID),
		WireCreatedAt:  wireTime(e.CreatedAt),
		WireUpdatedAt:  wireTime(e.UpdatedAt),
	}}
}

// User returns the user of a wire form. It checks the form (type, id, each field's syntax),
// not the rules of §2. Errors: Invalid naming the field.
func (w Wire) User() (User, error) {
	r := w.reader(UserRecord)
	u := User{ID: w.ID, EmployeeNumber: r.str(WireEmployeeNumber), FullName: r.str(WireFullName),
		Email: r.str(WireEmail), Department: Department(r.str(WireDepartment)),
		PasswordHash: r.str(WirePasswordHash), Active: r.bool(WireActive),
		PasswordChangedAt: r.time(WirePasswordChangedAt), CreatedAt: r.time(WireCreatedAt),
		UpdatedAt: r.time(WireUpdatedAt)}
	return u, r.err
}

// Client returns the client of a wire form. Errors: Invalid naming the field.
func (w Wire) Client() (Client, error) {
	r := w.reader(ClientRecord)
	c := Client{ID: w.ID, FullName: r.str(WireFullName), Email: r.str(WireEmail), Phone: r.str(WirePhone),
		CompanyName: r.str(WireCompanyName), CommercialID: r.id(WireCommercialID), Notes: r.str(WireNotes),
		CreatedAt: r.time(WireCreatedAt), UpdatedAt: r.time(WireUpdatedAt)}
	return c, r.err
}

// Contract returns the contract of a wire form. Errors: Invalid naming the field.
func (w Wire) Contract() (Contract, error) {
	r := w.reader(ContractRecord)
	k := Contract{ID: w.ID, ClientID: r.id(WireClientID), CommercialID: r.id(WireCommercialID),
		Total: r.decimal(WireTotalAmount), Due: r.decimal(WireAmountDue),
		Status: ContractStatus(r.str(WireStatus)), SignedAt: r.time(WireSignedAt),
		CreatedAt: r.time(WireCreatedAt), UpdatedAt: r.time(WireUpdatedAt)}
	return k, r.err
}

// Event returns the event of a wire form. Errors: Invalid naming the field.
func (w Wire) Event() (Event, error) {
	r := w.reader(EventRecord)
	e := Event{ID: w.ID, ContractID: r.id(WireContractID), ClientID: r.id(WireClientID),
		Name: r.str(WireName), Start: r.time(WireStart), End: r.time(WireEnd),
		Location: r.str(WireLocation), Attendees: r.int(WireAttendees), Notes: r.str(WireNotes),
		SupportID: r.id(WireSupportID), CreatedAt: r.time(WireCreatedAt), UpdatedAt: r.time(WireUpdatedAt)}
	return e, r.err
}

// Clone returns a copy of w that shares no map with it.
func (w Wire) Clone() Wire {
	c := w
	c.Fields = make(map[string]string, len(w.Fields))
	for k, v := range w.Fields {
		c.Fields[k] = v
	}
	return c
}

// Equal reports whether two wire forms hold the same record with the same fields (Change is
// not compared).
func (w Wire) Equal(o Wire) bool {
	if w.Type != o.Type || w.ID != o.ID || len(w.Fields) != len(o.Fields) {
		return false
	}
	for k, v := range w.Fields {
		if ov, ok := o.Fields[k]; !ok || ov != v {
			return false
		}
	}
	return true
}

// wireReader parses the fields of a wire form; the first error sticks.
type wireReader struct {
	w   Wire
	err error
}

func (w Wire) reader(t RecordType) *wireReader {
	r := &wireReader{w: w}
	switch {
	case w.Type != t:
		r.err = FieldErrorf("type", "is %q, want %q", w.Type, t)
	case w.ID == uuid.Nil:
		r.err = FieldErrorf("id", "is missing")
	}
	return r
}

func (r *wireReader) fail(field, format string, args ...any) {
	if r.err == nil {
		r.err = FieldErrorf(field, format, args...)
	}
}

func (r *wireReader) str(field string) string { return r.w.Fields[field] }

func (r *wireReader) bool(field string) bool {
	v, err := strconv.ParseBool(r.w.Fields[field])
	if err != nil {
		r.fail(field, "is not true or false")
	}
	return v
}

func (r *wireReader) int(field string) int {
	v, err := strconv.Atoi(r.w.Fields[field])
	if err != nil {
		r.fail(field, "is not a whole number")
	}
	return v
}

func (r *wireReader) id(field string) uuid.UUID {
	s := r.w.Fields[field]
	if s == "" {
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		r.fail(field, "is not an id")
	}
	return id
}

func (r *wireReader) time(field string) time.Time {
	s := r.w.Fields[field]
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.fail(field, "is not an RFC 3339 time")
	}
	return t.UTC()
}

func (r *wireReader) decimal(field string) decimal.Decimal {
	d, err := decimal.NewFromString(r.w.Fields[field])
	if err != nil {
		r.fail(field, "is not an amount")
	}
	return d
}

// wireTime writes a time in UTC with its nanoseconds; the zero time is "".
func wireTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// wireID writes an id on the wire and in the CSV exports; uuid.Nil (no one) is "".
func wireID(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// wireDecimal writes an amount with two decimals (the form people see), or exactly when it has
// more, so that equal amounts have equal wire forms.
func wireDecimal(d decimal.Decimal) string {
	if d.Equal(d.Round(2)) {
		return d.StringFixed(2)
	}
	return d.String()
}

// String describes a wire form for messages: its type and id, never its fields.
func (w Wire) String() string { return fmt.Sprintf("%s %s", w.Type, w.ID) }
