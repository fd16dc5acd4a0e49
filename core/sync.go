package core

import (
	"time"

	"github.com/google/uuid"
)

// MetaRecopy is the local setting a repair leaves in team mode when it put back a record from a
// backup or removed one it found no copy of: the cluster holds the team's truth, and the copy
// taken elsewhere may be older than what this laptop had already pulled. The next sync copies
// the team's dataset again (keeping the outbox, as after a compaction) and clears it.
const MetaRecopy = "team_recopy"

// Change is one local change waiting in the outbox to be published to the team's cluster: the
// records one write transaction changed, with their versions before and after, and the audit
// entries it made. Storage captures it in the same transaction as the change (team mode only).
type Change struct {
	// Seq is the change's position in the outbox; changes are published in Seq order.
	Seq uint64 `json:"seq"`
	// ID identifies the change: written into the cluster's records, it makes a replay after a
	// crash recognisable (idempotence).
	ID uuid.UUID `json:"id"`
	// At is when the change was made.
	At time.Time `json:"at"`
	// Records are the records changed, in write order, each once.
	Records []RecordChange `json:"records"`
	// Audit holds the audit entries made by the change.
	Audit []AuditEntry `json:"audit"`
}

// RecordChange is one record's part of a Change.
type RecordChange struct {
	Type   RecordType `json:"type"`
	ID     uuid.UUID  `json:"id"`
	Before *Wire      `json:"before"` // nil: created by the change
	After  *Wire      `json:"after"`  // nil: deleted by the change
}

// Shadow is the cluster's version of a record with pending changes: the version the first of
// those changes was based on, then whatever a pull brings. Record nil means the record is not
// (or no longer) in the cluster.
type Shadow struct {
	Type   RecordType `json:"type"`
	ID     uuid.UUID  `json:"id"`
	Rev    uint64     `json:"rev"`
	Record *Wire      `json:"record"`
}

// ConflictKind says why a change could not be merged.
type ConflictKind string

// The conflict kinds of PRODUCT.md §9.
const (
	ConflictField   ConflictKind = "field"   // a field changed on both sides
	ConflictDeleted ConflictKind = "deleted" // an edit of a record deleted meanwhile, or the reverse
	ConflictUnique  ConflictKind = "unique"  // a unique value taken meanwhile
	ConflictInvalid ConflictKind = "invalid" // the merged record breaks a rule of §2
)

// SyncConflict is a local change that could not be published as it was: the cluster's version
// stays in force and this keeps the local values beside it until a person resolves it. (Named
// so beside the error kind Conflict.)
type SyncConflict struct {
	ID       uuid.UUID    `json:"id"`
	ChangeID uuid.UUID    `json:"change_id"`
	Record   RecordType   `json:"record"`
	RecordID uuid.UUID    `json:"record_id"`
	Kind     ConflictKind `json:"kind"`
	// Fields names the fields in conflict.
	Fields []string `json:"fields"`
	// Mine, Theirs and Base hold the conflicting fields' values: the local change's, the
	// cluster's and the version the change was based on (nil where the record was deleted or
	// did not exist).
	Mine   map[string]string `json:"mine"`
	Theirs map[string]string `json:"theirs"`
	Base   map[string]string `json:"base"`
	At     time.Time         `json:"at"`
	// ActorID is the author of the local change.
	ActorID uuid.UUID `json:"actor_id"`
}

// SyncStore is the storage surface of the sync engine (package replica): storage.DB
// implements it beside Store. Local writes made through Store.Update are captured in the
// outbox while team mode is on; SyncUpdate's writes come from the cluster and are not.
type SyncStore interface {
	// SyncView runs fn in a read-only transaction.
	SyncView(fn func(tx SyncTx) error) error
	// SyncUpdate runs fn in a write transaction, committed durably when fn returns nil. Its
	// record writes are not captured in the outbox.
	SyncUpdate(fn func(tx SyncTx) error) error
	// TeamMode reports whether local changes are captured in the outbox.
	TeamMode() bool
	// SetTeamMode turns the capture on or off; the setting is kept in the database.
	SetTeamMode(on bool) error
	// Origin returns this laptop's id, made with the database; audit entries carry it.
	Origin() uuid.UUID
}

// SyncTx is one transaction of a SyncStore. Errors are *Error values: NotFound, Conflict,
// Invalid, Damaged or Internal as each method says.
type SyncTx interface {
	// Pending returns up to limit (0: all) changes of the outbox, oldest first.
	Pending(limit int) ([]Change, error)
	// PutPending replaces the change at c.Seq (after a merge). Errors: NotFound.
	PutPending(c Change) error
	// RemovePending removes the change at seq from the outbox (published, or given up).
	RemovePending(seq uint64) error
	// HasPending reports whether a change of the outbox touches the record.
	HasPending(t RecordType, id uuid.UUID) (bool, error)

	// Record returns a record in wire form with its revision; found is false when absent.
	// Errors: Damaged.
	Record(t RecordType, id uuid.UUID) (w Wire, rev uint64, found bool, err error)
	// Records calls fn with every record of type t in wire form with its revision, in id
	// order, skipping damaged records and returning how many it skipped.
	Records(t RecordType, fn func(w Wire, rev uint64) error) (hidden int, err error)
	// PutRecord stores a record from the cluster at revision rev, keeping every index in step,
	// without capturing it. Errors: Invalid (a malformed wire form), Conflict (a unique value
	// taken by another record; nothing is changed), Damaged (the stored version is damaged).
	PutRecord(w Wire, rev uint64) error
	// DeleteRecord removes a record the cluster deleted, without capturing it; absent is fine.
	DeleteRecord(t RecordType, id uuid.UUID) error
	// SetRev sets the revision of a stored record (after its change was published).
	// Errors: NotFound, Damaged.
	SetRev(t RecordType, id uuid.UUID, rev uint64) error

	// Shadow returns the cluster's version of a record with pending changes.
	Shadow(t RecordType, id uuid.UUID) (s Shadow, found bool, err error)
	// PutShadow stores it.
	PutShadow(s Shadow) error
	// DropShadow removes it (the record has no pending change left); absent is fine.
	DropShadow(t RecordType, id uuid.UUID) error

	// AppendRemoteAudit appends an entry made on another laptop (Origin and Rev set) to the
	// trail, setting e.Seq.
	AppendRemoteAudit(e *AuditEntry) error
	// SetAuditRev records that this laptop's entry seq is in the cluster at revision rev.
	// Errors: NotFound.
	SetAuditRev(seq, rev uint64) error

	// PutConflict stores a conflict (replacing one with the same id).
	PutConflict(c SyncConflict) error
	// Conflicts returns the stored conflicts, oldest first.
	Conflicts() ([]SyncConflict, error)
	// DeleteConflict removes a conflict. Errors: NotFound.
	DeleteConflict(id uuid.UUID) error

	// LocalMeta returns a value of this laptop's settings (cursor, team settings, last sync),
	// nil when absent.
	LocalMeta(key string) ([]byte, error)
	// SetLocalMeta stores one; nil removes it. The keys the storage owns (signing key,
	// origin, team mode) are refused.
	SetLocalMeta(key string, value []byte) error

	// ClearDataset removes every record with its index entries, and the audit entries that
	// are in the cluster (Rev > 0), keeping this laptop's unpublished entries and every local
	// bucket (outbox, shadows, conflicts, sessions…): the first step of a re-copy.
	ClearDataset() error
}
