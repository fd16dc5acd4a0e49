package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// Record payloads (a stored value without its seal) start with a format-version byte; from
// format 2 on, a record's revision follows as a uvarint (the cluster revision it was last
// synced at, 0 when it never was or has changes not yet published). Then come the fields in a
// fixed order with the primitives of codec.go. The id of a record is its key and is not
// repeated in the value. Format 1 is schema version 1's (no revision; a user has its session
// epoch); it is read only to migrate.
//
// Decoding is in two steps so that scans stay cheap: parse walks the payload once, without
// allocating, into a *Fields struct whose strings are slices of the stored bytes (valid only
// inside the transaction); filters look at those; only the records kept are turned into core
// records, which copies the strings.
const (
	formatV1 byte = 1
	formatV2 byte = 2
)

// version reads the format byte of a payload that has no revision (audit entries and local
// state).
func (d *decoder) version() byte {
	v := d.byte()
	if v != formatV1 && v != formatV2 && d.err == nil {
		d.fail(fmt.Errorf("unknown format version %d", v))
	}
	return v
}

// header reads the format byte of a record and, from format 2 on, its revision.
func (d *decoder) header() (format byte, rev uint64) {
	format = d.version()
	if format >= formatV2 {
		rev = d.uvarint()
	}
	return format, rev
}

// payloadRev returns the revision of a record payload (0 for format 1 or a malformed one).
func payloadRev(p []byte) uint64 {
	d := decoder{b: p}
	_, rev := d.header()
	return rev
}

// withRev returns a copy of a record payload with its revision replaced.
func withRev(p []byte, rev uint64) ([]byte, error) {
	d := decoder{b: p}
	if format, _ := d.header(); format != formatV2 || d.err != nil {
		return nil, corrupt(errors.New("record payload without a revision"))
	}
	e := &encoder{b: make([]byte, 0, len(p)+binary.MaxVarintLen64)}
	e.byte(formatV2)
	e.uvarint(rev)
	return append(e.b, d.b...), nil
}

// copyStrings copies the fields of a record out of the transaction's memory into one new
// string and sets out[i] to the part that is fields[i]: one allocation per record read instead
// of one per field.
func copyStrings(out []string, fields ...[]byte) {
	n := 0
	for _, f := range fields {
		n += len(f)
	}
	if n == 0 {
		clear(out)
		return
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.Write(f)
	}
	all := b.String()
	for i, f := range fields {
		out[i], all = all[:len(f)], all[len(f):]
	}
}

// newEncoder starts a payload without revision: audit entries and local state.
func newEncoder(size int) *encoder {
	e := &encoder{b: make([]byte, 0, size+48)}
	e.byte(formatV2)
	return e
}

// newRecordEncoder starts a record payload at revision rev.
func newRecordEncoder(size int, rev uint64) *encoder {
	e := newEncoder(size + binary.MaxVarintLen64)
	e.uvarint(rev)
	return e
}

// ---- users

type userFields struct {
	rev                                                       uint64
	employeeNumber, fullName, email, department, passwordHash []byte

	active                                  bool
	sessionEpoch                            uint32 // format 1 only: now local_sessions
	passwordChangedAt, createdAt, updatedAt time.Time
}

func encodeUser(u *core.User, rev uint64) []byte {
	e := newRecordEncoder(len(u.EmployeeNumber)+len(u.FullName)+len(u.Email)+len(u.Department)+len(u.PasswordHash), rev)
	e.str(u.EmployeeNumber)
	e.str(u.FullName)
	e.str(u.Email)
	e.str(string(u.Department))
	e.str(u.PasswordHash)
	e.bool(u.Active)
	e.time(u.PasswordChangedAt)
	e.time(u.CreatedAt)
	e.time(u.UpdatedAt)
	return e.b
}

func (f *userFields) parse(v []byte) error {
	d := decoder{b: v}
	format, rev := d.header()
	f.rev = rev
	f.employeeNumber = d.bytes()
	f.fullName = d.bytes()
	f.email = d.bytes()
	f.department = d.bytes()
	f.passwordHash = d.bytes()
	f.active = d.bool()
	f.sessionEpoch = 0
	if format == formatV1 {
		f.sessionEpoch = d.uint32()
	}
	f.passwordChangedAt = d.time()
	f.createdAt = d.time()
	f.updatedAt = d.time()
	return d.finish()
}

func (f userFields) record(id uuid.UUID) core.User {
	return core.User{
		ID:                id,
		EmployeeNumber:    string(f.employeeNumber),
		FullName:          string(f.fullName),
		Email:             string(f.email),
		Department:        core.Department(f.department),
		PasswordHash:      string(f.passwordHash),
		Active:            f.active,
		PasswordChangedAt: f.passwordChangedAt,
		CreatedAt:         f.createdAt,
		UpdatedAt:         f.updatedAt,
	}
}

// ---- clients

type clientFields struct {
	rev                                        uint64
	commercialID                               uuid.UUID
	fullName, email, phone, companyName, notes []byte
	createdAt, updatedAt                       time.Time
}

func encodeClient(c *core.Client, rev uint64) []byte {
	e := newRecordEncoder(len(c.FullName)+len(c.Email)+len(c.Phone)+len(c.CompanyName)+len(c.Notes), rev)
	e.uuid(c.CommercialID)
	e.str(c.FullName)
	e.str(c.Email)
	e.str(c.Phone)
	e.str(c.CompanyName)
	e.str(c.Notes)
	e.time(c.CreatedAt)
	e.time(c.UpdatedAt)
	return e.b
}

func (f *clientFields) parse(v []byte) error {
	d := decoder{b: v}
	_, f.rev = d.header()
	f.commercialID = d.uuid()
	f.fullName = d.bytes()
	f.email = d.bytes()
	f.phone = d.bytes()
	f.companyName = d.bytes()
	f.notes = d.bytes()
	f.createdAt = d.time()
	f.updatedAt = d.time()
	return d.finish()
}

func (f clientFields) record(id uuid.UUID) core.Client {
	var s [5]string
	copyStrings(s[:], f.fullName, f.email, f.phone, f.companyName, f.notes)
	return core.Client{
		ID:           id,
		FullName:     s[0],
		Email:        s[1],
		Phone:        s[2],
		CompanyName:  s[3],
		CommercialID: f.commercialID,
		Notes:        s[4],
		CreatedAt:    f.createdAt,
		UpdatedAt:    f.updatedAt,
	}
}

// ---- contracts

type contractFields struct {
	rev                            uint64
	clientID, commercialID         uuid.UUID
	total, due                     []byte // raw decimals, see decimalOf
	dueSign                        int
	status                         []byte
	signedAt, createdAt, updatedAt time.Time
}

func encodeContract(c *core.Contract, rev uint64) []byte {
	e := newRecordEncoder(len(c.Status)+64, rev)
	e.uuid(c.ClientID)
	e.uuid(c.CommercialID)
	e.decimal(c.Total)
	e.decimal(c.Due)
	e.str(string(c.Status))
	e.time(c.SignedAt)
	e.time(c.CreatedAt)
	e.time(c.UpdatedAt)
	return e.b
}

func (f *contractFields) parse(v []byte) error {
	d := decoder{b: v}
	f.parseHead(&d)
	f.signedAt = d.time()
	f.createdAt = d.time()
	f.updatedAt = d.time()
	return d.finish()
}

// parseHead reads the fields of a contract up to its status: those contractPasses and a sum
// look at (parseTotals).
func (f *contractFields) parseHead(d *decoder) {
	_, f.rev = d.header()
	f.clientID = d.uuid()
	f.commercialID = d.uuid()
	f.total, _ = d.rawDecimal()
	f.due, f.dueSign = d.rawDecimal()
	f.status = d.bytes()
}

func (f contractFields) record(id uuid.UUID) core.Contract {
	return core.Contract{
		ID:           id,
		ClientID:     f.clientID,
		CommercialID: f.commercialID,
		Total:        decimalOf(f.total),
		Due:          decimalOf(f.due),
		Status:       core.ContractStatus(f.status),
		SignedAt:     f.signedAt,
		CreatedAt:    f.createdAt,
		UpdatedAt:    f.updatedAt,
	}
}

// ---- events

type eventFields struct {
	rev                             uint64
	contractID, clientID, supportID uuid.UUID
	start, end                      time.Time
	name, location, notes           []byte
	attendees                       int
	createdAt, updatedAt            time.Time
}

func encodeEvent(ev *core.Event, rev uint64) []byte {
	e := newRecordEncoder(len(ev.Name)+len(ev.Location)+len(ev.Notes)+64, rev)
	e.uuid(ev.ContractID)
	e.uuid(ev.ClientID)
	e.uuid(ev.SupportID)
	e.time(ev.Start)
	e.time(ev.End)
	e.str(ev.Name)
	e.str(ev.Location)
	e.varint(int64(ev.Attendees))
	e.str(ev.Notes)
	e.time(ev.CreatedAt)
	e.time(ev.UpdatedAt)
	return e.b
}

func (f *eventFields) parse(v []byte) error {
	d := decoder{b: v}
	f.parseLine(&d)
	f.attendees = d.int()
	f.notes = d.bytes()
	f.createdAt = d.time()
	f.updatedAt = d.time()
	return d.finish()
}

func (f eventFields) record(id uuid.UUID) core.Event {
	var s [3]string
	copyStrings(s[:], f.name, f.location, f.notes)
	return core.Event{
		ID:         id,
		ContractID: f.contractID,
		ClientID:   f.clientID,
		Name:       s[0],
		Start:      f.start,
		End:        f.end,
		Location:   s[1],
		Attendees:  f.attendees,
		Notes:      s[2],
		SupportID:  f.supportID,
		CreatedAt:  f.createdAt,
		UpdatedAt:  f.updatedAt,
	}
}

// parseLine reads the fields of an event up to its location: those an agenda line shows
// (eventLineFields).
func (f *eventFields) parseLine(d *decoder) {
	_, f.rev = d.header()
	f.contractID = d.uuid()
	f.clientID = d.uuid()
	f.supportID = d.uuid()
	f.start = d.time()
	f.end = d.time()
	f.name = d.bytes()
	f.location = d.bytes()
}

// eventHead is the part of an event a search looks at.
type eventHead struct {
	clientID       uuid.UUID
	name, location []byte
}

// parse reads the fields of h from the start of a stored event, skipping the others, without
// checking the rest of the value.
func (h *eventHead) parse(v []byte) error {
	d := decoder{b: v}
	d.header()
	d.skip(idLen)
	h.clientID = d.uuid()
	d.skip(idLen)
	d.skipTime()
	d.skipTime()
	h.name = d.bytes()
	h.location = d.bytes()
	return d.err
}

// ---- audit entries (the sequence number is the key)

func encodeAudit(a *core.AuditEntry) []byte {
	n := len(a.Action) + len(a.Record)
	for _, f := range a.Fields {
		n += len(f) + 1
	}
	e := newEncoder(n + 40)
	e.time(a.At)
	e.uuid(a.ActorID)
	e.str(a.Action)
	e.str(string(a.Record))
	e.uuid(a.RecordID)
	e.uvarint(uint64(len(a.Fields)))
	for _, f := range a.Fields {
		e.str(f)
	}
	e.uuid(a.Origin)
	e.uvarint(a.Rev)
	e.uvarint(uint64(a.Count))
	if a.Source != "" {
		e.str(a.Source) // optional: entries without one keep their bytes of before
	}
	return e.b
}

// decodeAudit decodes an audit entry; Origin and Rev exist from format 2 on.
func decodeAudit(v []byte) (core.AuditEntry, error) {
	d := decoder{b: v}
	format := d.version()
	a := core.AuditEntry{
		At:       d.time(),
		ActorID:  d.uuid(),
		Action:   d.str(),
		Record:   core.RecordType(d.str()),
		RecordID: d.uuid(),
	}
	// Each field takes at least its length byte: a larger count is malformed.
	if n := d.uvarint(); n > uint64(len(d.b)) {
		d.fail(errTruncated)
	} else if n > 0 {
		a.Fields = make([]string, n)
		for i := range a.Fields {
			a.Fields[i] = d.str()
		}
	}
	// Format 2 ends with origin, revision and count; format 1 with an optional count.
	if format >= formatV2 {
		a.Origin = d.uuid()
		a.Rev = d.uvarint()
	}
	if format >= formatV2 || (len(d.b) > 0 && d.err == nil) {
		if n := d.uvarint(); n > math.MaxInt32 {
			d.fail(errors.New("audit count out of range"))
		} else {
			a.Count = int(n)
		}
	}
	if format >= formatV2 && len(d.b) > 0 && d.err == nil {
		a.Source = d.str()
	}
	if err := d.finish(); err != nil {
		return core.AuditEntry{}, fmt.Errorf("decode audit entry: %w", err)
	}
	return a, nil
}

// ---- login throttling

func encodeThrottle(t core.Throttle) []byte {
	e := newEncoder(0)
	e.varint(int64(t.Failures))
	e.time(t.LockedUntil)
	return e.b
}

func decodeThrottle(v []byte) (core.Throttle, error) {
	d := decoder{b: v}
	d.version()
	t := core.Throttle{Failures: d.int(), LockedUntil: d.time()}
	if err := d.finish(); err != nil {
		return core.Throttle{}, fmt.Errorf("decode throttle: %w", err)
	}
	return t, nil
}
