package storage

import (
	"bytes"
	"fmt"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"
)

// migrateV2 moves a schema-1 database to schema 2, inside the write transaction of Open (a
// crash or an error midway leaves the file at version 1):
//
//   - the new buckets are created: local state, idx_contracts_unsigned, idx_contracts_unpaid,
//     idx_audit_by_order;
//   - meta's values other than the schema version (the session signing key) move to
//     local_meta, and this laptop gets its id (origin);
//   - users lose their session epoch, which moves to local_sessions; every record is
//     re-encoded in format 2 (revision 0) and sealed; audit entries get format 2 (no origin,
//     revision 0) and their place in idx_audit_by_order;
//   - every index entry of version 1 is kept as it is, sealed; the two new contract indexes
//     are filled from the contracts;
//   - the throttle bucket moves to local_throttle.
//
// A value that schema 1 could not decode either is kept as it was, sealed: it stays a damaged
// record, which Check lists, rather than stopping the upgrade.
func migrateV2(btx *bbolt.Tx) error {
	steps := []struct {
		name string
		fn   func(*bbolt.Tx) error
	}{
		{"create buckets", createBuckets},
		{"move meta", migrateMeta},
		{"users", migrateUsers},
		{"clients", func(tx *bbolt.Tx) error { return migrateRecords(tx, clientsTable, clientKind.reencode) }},
		{"contracts", migrateContracts},
		{"events", func(tx *bbolt.Tx) error { return migrateRecords(tx, eventsTable, eventKind.reencode) }},
		{"audit", migrateAudit},
		{"indexes", migrateIndexes},
		{"throttle", migrateThrottle},
	}
	for _, s := range steps {
		if err := s.fn(btx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if migrateFault != nil {
			if err := migrateFault(s.name); err != nil {
				return err
			}
		}
	}
	return nil
}

// migrateFault lets a test fail the migration after a step.
var migrateFault func(step string) error

// migrateMeta moves every value of meta but the schema version to local_meta and makes this
// laptop's id.
func migrateMeta(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	var keys, vals [][]byte
	_ = meta.ForEach(func(k, v []byte) error {
		if string(k) != metaSchemaVersion && v != nil {
			keys, vals = append(keys, bytes.Clone(k)), append(vals, bytes.Clone(v))
		}
		return nil
	})
	for i, k := range keys {
		if err := putLocalMeta(tx, string(k), vals[i]); err != nil {
			return err
		}
		if err := meta.Delete(k); err != nil {
			return err
		}
	}
	return putOrigin(tx)
}

// rewriteBatch bounds the values a rewrite holds in memory at once.
const rewriteBatch = 10_000

// rewriteBucket replaces every value of a bucket by conv(key, value), reading it in batches
// (a cursor must not run across the puts that change its pages).
func rewriteBucket(b *bbolt.Bucket, conv func(k, v []byte) ([]byte, error)) error {
	var last []byte
	for {
		var keys, vals [][]byte
		c := b.Cursor()
		k, v := c.First()
		if last != nil {
			if k, v = c.Seek(last); k != nil && bytes.Equal(k, last) {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(keys) < rewriteBatch; k, v = c.Next() {
			if v != nil {
				keys, vals = append(keys, bytes.Clone(k)), append(vals, bytes.Clone(v))
			}
		}
		if len(keys) == 0 {
			return nil
		}
		for i, k := range keys {
			nv, err := conv(k, vals[i])
			if err != nil {
				return err
			}
			if err := b.Put(k, nv); err != nil {
				return err
			}
		}
		last = keys[len(keys)-1]
	}
}

// migrateRecords re-encodes the records of tb with reencode, sealing each; a value reencode
// cannot decode is sealed as it is.
func migrateRecords(tx *bbolt.Tx, tb *table, reencode func(v []byte) ([]byte, error)) error {
	return rewriteBucket(tx.Bucket(tb.bucket), func(k, v []byte) ([]byte, error) {
		p, err := reencode(v)
		if err != nil {
			p = v
		}
		return tb.seal.seal(k, p), nil
	})
}

// migrateUsers re-encodes the users and moves their session epochs to local_sessions.
func migrateUsers(tx *bbolt.Tx) error {
	sessions := tx.Bucket(bucketLocalSessions)
	return rewriteBucket(tx.Bucket(bucketUsers), func(k, v []byte) ([]byte, error) {
		var f userFields
		if err := f.parse(v); err != nil || len(k) != idLen {
			return usersTable.seal.seal(k, v), nil
		}
		if f.sessionEpoch != 0 {
			p := encodeSession(session{epoch: f.sessionEpoch})
			if err := sessions.Put(bytes.Clone(k), seal(bucketLocalSessions, k, p)); err != nil {
				return nil, err
			}
		}
		u := f.record(uuidOf(k))
		return usersTable.seal.seal(k, encodeUser(&u, 0)), nil
	})
}

// migrateContracts re-encodes the contracts and fills idx_contracts_unsigned and
// idx_contracts_unpaid.
func migrateContracts(tx *bbolt.Tx) error {
	unsigned, unpaidIdx := tx.Bucket(idxContractsUnsigned.name), tx.Bucket(idxContractsUnpaid.name)
	return rewriteBucket(tx.Bucket(bucketContracts), func(k, v []byte) ([]byte, error) {
		c, err := contractKind.decode(v)
		if err != nil || len(k) != idLen {
			return contractsTable.seal.seal(k, v), nil
		}
		c.ID = uuidOf(k)
		for _, e := range contractEntries(c.ID, c) {
			var b *bbolt.Bucket
			switch e.idx {
			case idxContractsUnsigned:
				b = unsigned
			case idxContractsUnpaid:
				b = unpaidIdx
			default:
				continue // a version-1 index: converted by migrateIndexes
			}
			if err := b.Put(e.key, e.idx.seal.seal(e.key, e.val)); err != nil {
				return nil, err
			}
		}
		return contractsTable.seal.seal(k, encodeContract(&c, 0)), nil
	})
}

// migrateAudit re-encodes the audit entries and fills idx_audit_by_order.
func migrateAudit(tx *bbolt.Tx) error {
	order := tx.Bucket(idxAuditByOrder.name)
	return rewriteBucket(tx.Bucket(bucketAudit), func(k, v []byte) ([]byte, error) {
		a, err := decodeAudit(v)
		if err != nil || len(k) != seqLen {
			return auditTable.seal.seal(k, v), nil
		}
		e := prefixEntry(idxAuditByOrder, orderKey(0), k)
		if err := order.Put(e.key, idxAuditByOrder.seal.seal(e.key, e.val)); err != nil {
			return nil, err
		}
		return auditTable.seal.seal(k, encodeAudit(&a)), nil
	})
}

// v1Indexes are the indexes of schema 1, whose entries the migration keeps.
var v1Indexes = []*index{
	idxUsersByEmail, idxUsersByEmployeeNumber, idxClientsByEmail,
	idxClientsByCommercial, idxContractsByClient, idxContractsByCommercial,
	idxEventsByContract, idxEventsBySupport, idxEventsByStart, idxAuditByRecord,
}

// migrateIndexes seals every entry of the schema-1 indexes: a unique index's value (the id)
// becomes id‖seal, the empty value of the others the seal alone.
func migrateIndexes(tx *bbolt.Tx) error {
	for _, x := range v1Indexes {
		b := tx.Bucket(x.name)
		if b == nil {
			return fmt.Errorf("bucket %s is missing", x.name)
		}
		if err := rewriteBucket(b, func(k, v []byte) ([]byte, error) { return x.seal.seal(k, v), nil }); err != nil {
			return err
		}
	}
	return nil
}

// migrateThrottle moves the login-failure states to local_throttle.
func migrateThrottle(tx *bbolt.Tx) error {
	old := tx.Bucket(bucketV1Throttle)
	if old == nil {
		return nil
	}
	dst := tx.Bucket(bucketLocalThrottle)
	err := old.ForEach(func(k, v []byte) error {
		p := v
		if th, err := decodeThrottle(v); err == nil {
			p = encodeThrottle(th)
		}
		return dst.Put(bytes.Clone(k), seal(bucketLocalThrottle, k, p))
	})
	if err != nil {
		return err
	}
	return tx.DeleteBucket(bucketV1Throttle)
}

// uuidOf reads a 16-byte key as an id.
func uuidOf(k []byte) (id uuid.UUID) {
	copy(id[:], k)
	return id
}
