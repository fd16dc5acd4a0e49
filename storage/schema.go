// Package storage keeps the records of Epic Events CRM in an embedded bbolt database. It
// implements core.Store and core.Tx.
//
// Every bucket is declared in schema.go. Records are keyed by their raw 16-byte UUID and stored
// in the compact binary encoding of encoding.go. Each index is a bucket named
// idx_<record>_by_<field>: a unique index maps a value to the 16-byte id of its record; a
// multi-valued index has fixed-width keys owner‖record id and empty values, so that the records
// of one owner are a prefix scan. Every index change happens in the same write transaction as
// the record it follows; Check verifies the indexes against the records and Reindex rebuilds them.
package storage

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

// SchemaVersion is the version of the bucket layout this program reads and writes.
const SchemaVersion uint64 = 1

// ErrNewerSchema is returned by Open for a database written by a newer program.
var ErrNewerSchema = errors.New("database was written by a newer version of Epic Events CRM")

// metaSchemaVersion is the key of the schema version in the meta bucket: 8 bytes big-endian.
const metaSchemaVersion = "schema_version"

// The buckets of records and state.
var (
	bucketMeta      = []byte("meta")      // schema_version and whatever core keeps with SetMeta
	bucketUsers     = []byte("users")     // user id → user
	bucketClients   = []byte("clients")   // client id → client
	bucketContracts = []byte("contracts") // contract id → contract
	bucketEvents    = []byte("events")    // event id → event
	bucketAudit     = []byte("audit")     // 8-byte big-endian sequence → audit entry
	bucketThrottle  = []byte("throttle")  // normalized email → login-failure state
)

// The indexes. Unique indexes map a value to a record id; the others have keys owner‖id (or
// start‖id, record‖seq) and empty values.
var (
	idxUsersByEmail          = uniqueIndex("idx_users_by_email", "a user with this email already exists")
	idxUsersByEmployeeNumber = uniqueIndex("idx_users_by_employee_number", "a user with this employee number already exists")
	idxClientsByEmail        = uniqueIndex("idx_clients_by_email", "a client with this email already exists")

	idxClientsByCommercial   = ownerIndex("idx_clients_by_commercial")
	idxContractsByClient     = ownerIndex("idx_contracts_by_client")
	idxContractsByCommercial = ownerIndex("idx_contracts_by_commercial")
	idxEventsByContract      = ownerIndex("idx_events_by_contract")
	idxEventsBySupport       = ownerIndex("idx_events_by_support") // unassigned: owner uuid.Nil
	idxEventsByStart         = prefixIndex("idx_events_by_start", startKeyLen, idLen)
	idxAuditByRecord         = prefixIndex("idx_audit_by_record", idLen, seqLen)
)

// Key widths.
const (
	idLen       = 16 // a raw UUID
	seqLen      = 8  // an audit sequence number, big-endian
	startKeyLen = 8  // an event start, see startKey
)

// recordBuckets lists the buckets that are not indexes, in creation order.
var recordBuckets = [][]byte{
	bucketMeta, bucketUsers, bucketClients, bucketContracts, bucketEvents, bucketAudit, bucketThrottle,
}

// allIndexes lists every index bucket.
var allIndexes = []*index{
	idxUsersByEmail, idxUsersByEmployeeNumber, idxClientsByEmail,
	idxClientsByCommercial, idxContractsByClient, idxContractsByCommercial,
	idxEventsByContract, idxEventsBySupport, idxEventsByStart, idxAuditByRecord,
}

// tables lists the record buckets that have indexes, with those indexes (declared beside each
// record's code: usersTable in users.go, and so on). Check and Reindex walk them.
var tables = []*table{usersTable, clientsTable, contractsTable, eventsTable, auditTable}

// migration moves a database from version-1 to version.
type migration struct {
	version uint64
	name    string
	apply   func(tx *bbolt.Tx) error
}

// migrations run in order, each at most once, inside the write transaction of Open.
var migrations = []migration{
	{version: 1, name: "create buckets", apply: createBuckets},
}

func createBuckets(tx *bbolt.Tx) error {
	for _, name := range recordBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	for _, idx := range allIndexes {
		if _, err := tx.CreateBucketIfNotExists(idx.name); err != nil {
			return fmt.Errorf("create bucket %s: %w", idx.name, err)
		}
	}
	return nil
}

// schemaVersion reads the version of the database; 0 for a new, empty file.
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
		return 0, fmt.Errorf("schema version has %d bytes, want 8", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// checkVersion refuses a database newer than the program.
func checkVersion(v uint64) error {
	if v > SchemaVersion {
		return fmt.Errorf("%w (schema version %d, this program knows up to %d)", ErrNewerSchema, v, SchemaVersion)
	}
	return nil
}

// migrate brings the database to SchemaVersion. It must run in a write transaction.
func migrate(tx *bbolt.Tx) error {
	v, err := schemaVersion(tx)
	if err != nil {
		return err
	}
	if err := checkVersion(v); err != nil {
		return err
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
	return meta.Put([]byte(metaSchemaVersion), binary.BigEndian.AppendUint64(nil, v))
}
