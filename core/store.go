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

// Tx is one transaction of a Store: the replicated records of each type, the audit trail, the
// id look-up, and the state that belongs to this laptop only. Each consumer should ask for the
// few roles it uses rather than for all of Tx.
//
// Getters return a NotFound *Error when the record is absent and a Damaged *Error when its
// stored bytes fail their checksum. List methods skip damaged records and return how many they
// skipped beside the records ("hidden"). Put methods insert or replace a whole record and keep
// every index in step; they return a Conflict *Error when a unique value (user email, employee
// number, client email) is taken by another record. Writes on a read-only transaction fail.
type Tx interface {
	UserTx
	ClientTx
	ContractTx
	EventTx
	AuditTx
	LocalTx
	IDLookup
	SummaryTx
}

// UserTx reads and writes collaborators.
type UserTx interface {
	User(id uuid.UUID) (User, error)
	UserByEmail(email string) (User, error)
	UserByEmployeeNumber(number string) (User, error)
	Users(f UserFilter) (users []User, hidden int, err error)
	PutUser(u *User) error
	DeleteUser(id uuid.UUID) error
}

// ClientTx reads and writes clients.
type ClientTx interface {
	Client(id uuid.UUID) (Client, error)
	ClientByEmail(email string) (Client, error)
	Clients(f ClientFilter) (clients []Client, hidden int, err error)
	PutClient(c *Client) error
	DeleteClient(id uuid.UUID) error
}

// ContractTx reads and writes contracts.
type ContractTx interface {
	Contract(id uuid.UUID) (Contract, error)
	Contracts(f ContractFilter) (contracts []Contract, hidden int, err error)
	PutContract(c *Contract) error
	DeleteContract(id uuid.UUID) error
}

// EventTx reads and writes events.
type EventTx interface {
	Event(id uuid.UUID) (Event, error)
	Events(f EventFilter) (events []Event, hidden int, err error)
	PutEvent(e *Event) error
	DeleteEvent(id uuid.UUID) error
}

// AuditTx appends to and reads the audit trail.
type AuditTx interface {
	// AppendAudit appends e to the audit trail, setting e.Seq to the next position.
	AppendAudit(e *AuditEntry) error
	// Audit returns entries in trail order (the company-wide order in team mode, oldest
	// first), skipping damaged entries and counting them in hidden.
	Audit(f AuditFilter) (entries []AuditEntry, hidden int, err error)
}

// IDLookup finds records by the beginning of their id.
type IDLookup interface {
	// IDsWithPrefix returns up to limit ids of records of type t whose lower-case hexadecimal
	// form (without dashes) starts with prefix.
	IDsWithPrefix(t RecordType, prefix string, limit int) ([]uuid.UUID, error)
}

// LocalTx is the state that belongs to this laptop and never replicates (PRODUCT.md §9): the
// session signing key, session epochs and re-hashed passwords, login throttling, and which
// reminders were shown.
type LocalTx interface {
	// SigningKey returns the session signing key, nil before initialisation.
	SigningKey() ([]byte, error)
	// SetSigningKey stores the session signing key.
	SetSigningKey(key []byte) error

	// SessionEpoch returns the session epoch of a user on this laptop (0 when none): a token
	// carries the epoch it was issued in and is refused once the epoch has moved on.
	SessionEpoch(user uuid.UUID) (uint32, error)
	// SetSessionEpoch stores it, keeping the user's Rehash.
	SetSessionEpoch(user uuid.UUID, epoch uint32) error

	// Rehash returns the local re-hash of a user's password (the zero value when none).
	Rehash(user uuid.UUID) (Rehash, error)
	// SetRehash stores it, keeping the user's session epoch; the zero value removes it.
	SetRehash(user uuid.UUID, r Rehash) error

	// Throttle returns the login-failure state of an email (the zero value when none).
	Throttle(email string) (Throttle, error)
	// PutThrottle stores it; the zero value removes it.
	PutThrottle(email string, t Throttle) error

	// Reminder returns when the reminder of an event at a moment was shown (zero: never).
	Reminder(event uuid.UUID, m ReminderMoment) (time.Time, error)
	// SetReminder records when it was shown; the zero time forgets it.
	SetReminder(event uuid.UUID, m ReminderMoment, shown time.Time) error
}

// Rehash is a password hash made on this laptop at stronger parameters than the replicated
// one. It applies while the replicated hash is still Replaces: a password changed since (on
// any laptop) makes it stale.
type Rehash struct {
	Replaces string // the replicated PasswordHash it stands for
	Hash     string // the stronger hash of the same password
}

// ReminderMoment names one of the reminders of an event (issue #14).
type ReminderMoment uint8

// The reminder moments.
const (
	RemindDayBefore  ReminderMoment = 1 // within 24 hours of the start
	RemindHourBefore ReminderMoment = 2 // one hour before the start
)

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
