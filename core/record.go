package core

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/permissions"
)

// Department is a collaborator's department.
type Department = permissions.Department

// The departments.
const (
	Commercial = permissions.Commercial
	Support    = permissions.Support
	Management = permissions.Management
)

// ParseDepartment accepts "commercial", "support", "management" or "gestion" (any case).
// Errors: Invalid naming the field "department".
func ParseDepartment(s string) (Department, error) {
	d, ok := permissions.ParseDepartment(s)
	if !ok {
		return "", FieldError("department", CodeDepartmentInvalid)
	}
	return d, nil
}

// RecordType names the kind of a record, in the audit trail and in id look-ups.
type RecordType string

// The record types.
const (
	UserRecord     RecordType = "user"
	ClientRecord   RecordType = "client"
	ContractRecord RecordType = "contract"
	EventRecord    RecordType = "event"
	// AuditRecord names the audit trail itself when it is exported; entries are not looked
	// up by id.
	AuditRecord RecordType = "audit"
)

// User is a collaborator of Epic Events.
type User struct {
	ID             uuid.UUID
	EmployeeNumber string
	FullName       string
	Email          string
	Department     Department
	PasswordHash   string
	Active         bool
	// PasswordChangedAt is when the password was last set: a session token issued before it
	// is refused, on every laptop. (Logouts end sessions through LocalTx.SessionEpoch, which
	// stays on the laptop.)
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Client is a customer of Epic Events.
type Client struct {
	ID           uuid.UUID
	FullName     string
	Email        string
	Phone        string
	CompanyName  string
	CommercialID uuid.UUID
	Notes        string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ContractStatus is the state of a contract: draft → signed → cancelled, or draft → cancelled.
type ContractStatus string

// The contract statuses.
const (
	Draft     ContractStatus = "draft"
	Signed    ContractStatus = "signed"
	Cancelled ContractStatus = "cancelled"
)

// Contract is an agreement with a client. Its commercial contact is always its client's.
type Contract struct {
	ID           uuid.UUID
	ClientID     uuid.UUID
	CommercialID uuid.UUID
	Total        decimal.Decimal
	Due          decimal.Decimal
	Status       ContractStatus
	SignedAt     time.Time // zero unless Status is Signed or was signed before a cancellation
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Event is an event run under a signed contract. ClientID is the contract's client, kept on the
// event because both are fixed at creation; it lets searches and filters avoid a join.
type Event struct {
	ID         uuid.UUID
	ContractID uuid.UUID
	ClientID   uuid.UUID
	Name       string
	Start      time.Time
	End        time.Time
	Location   string
	Attendees  int
	Notes      string
	SupportID  uuid.UUID // uuid.Nil when no support person is assigned
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AuditEntry is one change in the audit trail. Seq is the position of the entry in this
// laptop's trail; in team mode the company-wide order is Rev, the cluster revision the entry
// was published at.
type AuditEntry struct {
	Seq      uint64
	At       time.Time
	ActorID  uuid.UUID // uuid.Nil for the system (initialisation)
	Action   string
	Record   RecordType
	RecordID uuid.UUID
	Fields   []string
	// Count is how many records a backup, restore or export held; 0 for other actions.
	Count int
	// Origin is the laptop that made the entry (its id in local meta); uuid.Nil for entries
	// made before schema version 2.
	Origin uuid.UUID
	// Rev is the cluster revision of the entry, 0 while it is not in the cluster (always in
	// solo mode).
	Rev uint64
	// Source says where a repair took the record from ("cluster", "backup FILE"); "" for other
	// actions.
	Source string
}

// Audit actions.
const (
	ActionCreate        = "create"
	ActionUpdate        = "update"
	ActionDelete        = "delete"
	ActionDeactivate    = "deactivate"
	ActionReactivate    = "reactivate"
	ActionPassword      = "password_change"
	ActionPasswordReset = "password_reset"
	ActionPasswordHash  = "password_rehash"
	ActionLogout        = "logout"
	ActionReassign      = "reassign"
	ActionSign          = "sign"
	ActionCancel        = "cancel"
	ActionAssign        = "assign_support"
	ActionUnassign      = "unassign_support"
	// ActionBackup: a copy of the database was written (Record DatabaseRecord, Count records).
	ActionBackup = "backup"
	// ActionRestore: the database was replaced by a backup (written in the restored copy).
	ActionRestore = "restore"
	// ActionExport: Count records of type Record were exported as CSV.
	ActionExport = "export"
	// ActionLogin: the user of RecordID logged in.
	ActionLogin = "login"
	// ActionLoginFailed: a login failed — a wrong password or a deactivated account — as the
	// user of RecordID (also ActorID), or, both uuid.Nil, for an email that no account has (the
	// email is not kept).
	ActionLoginFailed = "login_failed"
)

// Throttle is the login-failure state of one email address.
type Throttle struct {
	Failures    int
	LockedUntil time.Time
}
