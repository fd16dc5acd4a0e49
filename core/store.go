package core

import (
	"time"

	"github.com/google/uuid"
)

// Store is the database the services run on. Each change is exactly one call to Update, so that
// the record, its indexes and its audit entry commit together or not at all.
type Store interface {
	// View runs fn in a read-only transaction.
	View(fn func(tx Tx) error) error
	// Update runs fn in a read-write transaction, committed durably when fn returns nil and
	// rolled back otherwise.
	Update(fn func(tx Tx) error) error
}

// Tx is one transaction of a Store. Getters return a NotFound *Error when the record is absent.
// Put methods insert or replace a whole record and keep every index in step; they return a
// Conflict *Error when a unique value (user email, employee number, client email) is taken by
// another record. Writes on a read-only transaction fail.
type Tx interface {
	// Meta returns a value of the meta bucket, nil when absent.
	Meta(key string) ([]byte, error)
	// SetMeta stores a value in the meta bucket.
	SetMeta(key string, value []byte) error

	User(id uuid.UUID) (User, error)
	UserByEmail(email string) (User, error)
	UserByEmployeeNumber(number string) (User, error)
	Users(f UserFilter) ([]User, error)
	PutUser(u *User) error
	DeleteUser(id uuid.UUID) error

	Client(id uuid.UUID) (Client, error)
	ClientByEmail(email string) (Client, error)
	Clients(f ClientFilter) ([]Client, error)
	PutClient(c *Client) error
	DeleteClient(id uuid.UUID) error

	Contract(id uuid.UUID) (Contract, error)
	Contracts(f ContractFilter) ([]Contract, error)
	PutContract(c *Contract) error
	DeleteContract(id uuid.UUID) error

	Event(id uuid.UUID) (Event, error)
	Events(f EventFilter) ([]Event, error)
	PutEvent(e *Event) error
	DeleteEvent(id uuid.UUID) error

	// IDsWithPrefix returns up to limit ids of records of type t whose lower-case hexadecimal
	// form (without dashes) starts with prefix.
	IDsWithPrefix(t RecordType, prefix string, limit int) ([]uuid.UUID, error)

	// Throttle returns the login-failure state of an email (the zero value when none).
	Throttle(email string) (Throttle, error)
	// PutThrottle stores it; the zero value removes it.
	PutThrottle(email string, t Throttle) error

	// AppendAudit appends e to the audit trail, setting e.Seq to the next position.
	AppendAudit(e *AuditEntry) error
	// Audit returns entries in trail order, oldest first.
	Audit(f AuditFilter) ([]AuditEntry, error)
}

// UserFilter selects users. Zero fields select everything.
type UserFilter struct {
	Department Department
	Search     string // already lower-cased; matched on name, email, employee number
	Limit      int    // 0: no limit
}

// ClientFilter selects clients. Zero fields select everything.
type ClientFilter struct {
	CommercialID uuid.UUID
	Search       string // already lower-cased; matched on name, email, company, phone
	Limit        int
}

// ContractFilter selects contracts. Zero fields select everything.
type ContractFilter struct {
	ClientID     uuid.UUID
	CommercialID uuid.UUID
	Unsigned     bool   // status draft
	Unpaid       bool   // amount due > 0 and not cancelled
	Search       string // already lower-cased; matched on the client's name and company
	Limit        int
}

// EventFilter selects events. Zero fields select everything.
type EventFilter struct {
	ContractID uuid.UUID
	SupportID  uuid.UUID // events assigned to this support user
	Unassigned bool      // events with no support user
	// CommercialID selects events of contracts whose commercial contact it is.
	CommercialID uuid.UUID
	StartFrom    time.Time // start ≥ StartFrom when not zero
	StartTo      time.Time // start ≤ StartTo when not zero
	Search       string    // already lower-cased; matched on name, location, client's name
	Limit        int
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	RecordID uuid.UUID // uuid.Nil: the whole trail
	AfterSeq uint64    // entries with Seq > AfterSeq
	Limit    int
}
