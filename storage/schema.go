// Package storage keeps the records of Epic Events CRM in an embedded bbolt database. It
// implements core.Store, core.Tx and core.SyncStore.
//
// Every bucket is declared in this file. Records are keyed by their raw 16-byte UUID and stored
// in the compact binary encoding of encoding.go, sealed with a checksum (seal.go). Each index is
// a bucket named idx_<record>_by_<field>: a unique index maps a value to the 16-byte id of its
// record; a multi-valued index has fixed-width keys owner‖record id, so that the records of one
// owner are a prefix scan. Every index change happens in the same write transaction as the
// record it follows; Check verifies the indexes against the records and Reindex rebuilds them.
//
// The buckets are of two kinds. The replicated ones hold the company's dataset (records, audit
// trail, indexes): what a team shares and a backup keeps. The local_* ones hold what belongs to
// this laptop only: the session signing key, session epochs, login throttling, and in team mode
// the outbox of changes to publish, the cluster's versions of records with pending changes
// (shadows) and the conflicts to resolve.
package storage

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// SchemaVersion is the version of the bucket layout this program reads and writes.
const SchemaVersion uint64 = 2

// ErrNewerSchema is returned by Open for a database written by a newer program.
var ErrNewerSchema = errors.New("database was written by a newer version of Epic Events CRM")

// ErrOlderSchema is returned by a read-only Open of a database of an older schema version,
// which only an Open for writing upgrades.
var ErrOlderSchema = errors.New("database has an older schema version and must be opened for writing once to be upgraded")

// Keys of the meta bucket. schema_version is 8 bytes big-endian, not sealed, so that every
// version of the program can read it and refuse a newer file; schema_seal is its seal.
const (
	metaSchemaVersion = "schema_version"
	metaSchemaSeal    = "schema_seal"
)

// Keys of the local_meta bucket.
const (
	localSigningKey = "signing_key" // the 32-byte session signing key
	localOrigin     = "origin"      // this laptop's id: 16 bytes, made with the database
	localTeamMode   = "team_mode"   // 1 byte: 1 when local changes are captured in the outbox
)

// The replicated buckets: the company's dataset.
var (
	bucketMeta      = []byte("meta")      // schema_version (and the dataset id in a team)
	bucketUsers     = []byte("users")     // user id → user
	bucketClients   = []byte("clients")   // client id → client
	bucketContracts = []byte("contracts") // contract id → contract
	bucketEvents    = []byte("events")    // event id → event
	bucketAudit     = []byte("audit")     // 8-byte big-endian sequence → audit entry
)

// The local buckets: this laptop's own state, never replicated.
var (
	bucketLocalMeta      = []byte("local_meta")      // signing key, origin, team settings, cursor
	bucketLocalSessions  = []byte("local_sessions")  // user id → session epoch and re-hash
	bucketLocalThrottle  = []byte("local_throttle")  // normalized email → login-failure state
	bucketLocalOutbox    = []byte("local_outbox")    // 8-byte sequence → one change to publish
	bucketLocalShadow    = []byte("local_shadow")    // type byte‖id → the cluster's version
	bucketLocalConflicts = []byte("local_conflicts") // conflict id → one conflict
	bucketLocalReminders = []byte("local_reminders") // event id‖moment → when it was shown
)

// bucketV1Throttle is schema 1's throttle bucket, moved to local_throttle by the migration.
var bucketV1Throttle = []byte("throttle")

// The indexes. Unique indexes map a value to a record id; the others have keys owner‖id (or
// start‖id, record‖seq, rev‖seq, or the id alone) and values that hold only their seal.
var (
	idxUsersByEmail          = uniqueIndex("idx_users_by_email", core.CodeUserEmailTaken)
	idxUsersByEmployeeNumber = uniqueIndex("idx_users_by_employee_number", core.CodeEmployeeNumberTaken)
	idxClientsByEmail        = uniqueIndex("idx_clients_by_email", core.CodeEmailTaken)

	idxClientsByCommercial   = ownerIndex("idx_clients_by_commercial")
	idxContractsByClient     = ownerIndex("idx_contracts_by_client")
	idxContractsByCommercial = ownerIndex("idx_contracts_by_commercial")
	idxContractsUnsigned     = prefixIndex("idx_contracts_unsigned", 0, idLen) // contracts in draft
	idxContractsUnpaid       = prefixIndex("idx_contracts_unpaid", 0, idLen)   // due > 0, not cancelled
	idxEventsByContract      = ownerIndex("idx_events_by_contract")
	idxEventsBySupport       = ownerIndex("idx_events_by_support") // unassigned: owner uuid.Nil
	idxEventsByStart         = prefixIndex("idx_events_by_start", startKeyLen, idLen)
	idxAuditByRecord         = prefixIndex("idx_audit_by_record", idLen, seqLen)
	idxAuditByOrder          = prefixIndex("idx_audit_by_order", seqLen, seqLen) // rev‖seq
)

// Key widths.
const (
	idLen       = 16 // a raw UUID
	seqLen      = 8  // an audit sequence number or a revision, big-endian
	startKeyLen = 8  // an event start, see startKey
)

// replicatedBuckets lists the buckets that are not indexes and hold the company's dataset.
var replicatedBuckets = [][]byte{
	bucketMeta, bucketUsers, bucketClients, bucketContracts, bucketEvents, bucketAudit,
}

// localBuckets lists the buckets of this laptop's own state.
var localBuckets = [][]byte{
	bucketLocalMeta, bucketLocalSessions, bucketLocalThrottle, bucketLocalOutbox,
	bucketLocalShadow, bucketLocalConflicts, bucketLocalReminders,
}

// allIndexes lists every index bucket.
var allIndexes = []*index{
	idxUsersByEmail, idxUsersByEmployeeNumber, idxClientsByEmail,
	idxClientsByCommercial, idxContractsByClient, idxContractsByCommercial,
	idxContractsUnsigned, idxContractsUnpaid,
	idxEventsByContract, idxEventsBySupport, idxEventsByStart, idxAuditByRecord, idxAuditByOrder,
}

// tables lists the record buckets that have indexes, with those indexes (declared beside each
// record's code: usersTable in users.go, and so on). Check and Reindex walk them.
var tables = []*table{usersTable, clientsTable, contractsTable, eventsTable, auditTable}

// migration moves a database from the version before it to version.
type migration struct {
	version uint64
	name    string
	apply   func(tx *bbolt.Tx) error
}

// migrations run in order, each at most once, inside the write transaction of Open: a crash
// midway leaves the file as it was. A new file gets the current layout at once (version 1 was
// the first layout, made the same way).
var migrations = []migration{
	{version: 2, name: "local state, sealed values, revisions, new indexes", apply: migrateV2},
}

// createBuckets creates every bucket of the current layout that is missing.
func createBuckets(tx *bbolt.Tx) error {
	names := append(append([][]byte{}, replicatedBuckets...), localBuckets...)
	for _, idx := range allIndexes {
		names = append(names, idx.name)
	}
	for _, name := range names {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// createNew gives a new, empty file the current layout and this laptop's id.
func createNew(tx *bbolt.Tx) error {
	if err := createBuckets(tx); err != nil {
		return err
	}
	return putOrigin(tx)
}

// ensureLocal gives a database of the current version the local buckets and the laptop id it
// lacks: a backup holds neither (they belong to the laptop it was taken on), and a restored
// copy gets its own.
func ensureLocal(tx *bbolt.Tx) error {
	if err := createBuckets(tx); err != nil {
		return err
	}
	origin, err := getLocalMeta(tx, localOrigin)
	if err != nil || len(origin) == idLen {
		return err
	}
	return putOrigin(tx)
}

// putOrigin makes this laptop's id.
func putOrigin(tx *bbolt.Tx) error {
	id, err := uuid.NewRandom()
	if err != nil {
		return fmt.Errorf("make laptop id: %w", err)
	}
	return putLocalMeta(tx, localOrigin, id[:])
}

// schemaVersion reads the version of the database; 0 for a new, empty file. A version whose
// seal (written from version 2 on) does not match is damage.
func schemaVersion(tx *bbolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get([]byte(metaSchemaVersion))
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, corrupt(fmt.Errorf("schema version has %d bytes, want 8", len(v)))
	}
	if s := meta.Get([]byte(metaSchemaSeal)); s != nil {
		if _, err := open(bucketMeta, []byte(metaSchemaVersion), append(v[:8:8], s...)); err != nil {
			return 0, corrupt(fmt.Errorf("schema version: %w", err))
		}
	}
	return binary.BigEndian.Uint64(v), nil
}

// checkVersion refuses a database newer than the program.
func checkVersion(v uint64) error {
	if v > SchemaVersion {
		return newerSchemaError{version: v}
	}
	return nil
}

// newerSchemaError is checkVersion's refusal; Open turns it into the coded error naming the file.
type newerSchemaError struct{ version uint64 }

func (e newerSchemaError) Error() string {
	return fmt.Sprintf("%v (schema version %d, this program knows up to %d): use the newer version of the program with this database", ErrNewerSchema, e.version, SchemaVersion)
}

func (e newerSchemaError) Unwrap() error { return ErrNewerSchema }

// migrate brings the database to SchemaVersion. It must run in a write transaction.
func migrate(tx *bbolt.Tx) error {
	v, err := schemaVersion(tx)
	if err != nil {
		return err
	}
	if err := checkVersion(v); err != nil {
		return err
	}
	if v == 0 {
		if err := createNew(tx); err != nil {
			return err
		}
		return setSchemaVersion(tx, SchemaVersion)
	}
	if v == SchemaVersion {
		return ensureLocal(tx)
	}
	for _, m := range migrations {
		if m.version <= v {
			continue
		}
		if err := m.apply(tx); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		if err := setSchemaVersion(tx, m.version); err != nil {
			return err
		}
	}
	return nil
}

func setSchemaVersion(tx *bbolt.Tx, v uint64) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	raw := binary.BigEndian.AppendUint64(nil, v)
	if err := meta.Put([]byte(metaSchemaVersion), raw); err != nil {
		return err
	}
	if v < 2 {
		return nil
	}
	sealed := seal(bucketMeta, []byte(metaSchemaVersion), raw)
	return meta.Put([]byte(metaSchemaSeal), sealed[len(raw):])
}
