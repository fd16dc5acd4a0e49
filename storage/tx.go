package storage

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// tx is one transaction of a DB; it implements core.Tx. Values read from bbolt are only valid
// during the transaction, so everything returned is a copy.
type tx struct {
	btx *bbolt.Tx
}

var _ core.Tx = (*tx)(nil)

// tableOf gives the table of each record type, for IDsWithPrefix.
var tableOf = map[core.RecordType]*table{
	core.UserRecord:     usersTable,
	core.ClientRecord:   clientsTable,
	core.ContractRecord: contractsTable,
	core.EventRecord:    eventsTable,
}

// Meta returns a copy of a value of the meta bucket, nil when absent.
func (t *tx) Meta(key string) ([]byte, error) {
	b, err := t.bucket(bucketMeta)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(b.Get([]byte(key))), nil
}

// SetMeta stores a value in the meta bucket. The schema version is not writable this way.
func (t *tx) SetMeta(key string, value []byte) error {
	if key == metaSchemaVersion {
		return core.InternalError("set meta", errors.New("schema_version is reserved for the storage"))
	}
	b, err := t.bucket(bucketMeta)
	if err != nil {
		return err
	}
	return core.InternalError("set meta "+key, b.Put([]byte(key), bytes.Clone(value)))
}

// IDsWithPrefix returns up to limit (0: no limit) ids of records of type rt whose hexadecimal
// form without dashes starts with prefix. A prefix that is not hexadecimal, or longer than 32
// digits, matches nothing. It seeks to the bytes of the even-length part of the prefix and
// scans while keys share it.
func (t *tx) IDsWithPrefix(rt core.RecordType, prefix string, limit int) ([]uuid.UUID, error) {
	tb, ok := tableOf[rt]
	if !ok {
		return nil, core.InternalError("ids with prefix", fmt.Errorf("unknown record type %q", rt))
	}
	ids := make([]uuid.UUID, 0)
	seek, whole, odd, ok := parseIDPrefix(prefix)
	if !ok {
		return ids, nil
	}
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return nil, err
	}
	c := b.Cursor()
	for k, _ := c.Seek(seek); k != nil && bytes.HasPrefix(k, whole); k, _ = c.Next() {
		if odd && (len(k) <= len(whole) || k[len(whole)]>>4 != seek[len(whole)]>>4) {
			break
		}
		id, err := keyID(k)
		if err != nil {
			return nil, core.InternalError("ids with prefix", err)
		}
		ids = append(ids, id)
		if limit > 0 && len(ids) >= limit {
			break
		}
	}
	return ids, nil
}

// parseIDPrefix returns the key to seek for a hexadecimal prefix, the whole bytes it fixes, and
// whether a last odd digit fixes the high half of the next byte.
func parseIDPrefix(prefix string) (seek, whole []byte, odd, ok bool) {
	prefix = strings.ToLower(prefix)
	if len(prefix) > 2*idLen {
		return nil, nil, false, false
	}
	odd = len(prefix)%2 == 1
	if odd {
		prefix += "0"
	}
	seek, err := hex.DecodeString(prefix)
	if err != nil {
		return nil, nil, false, false
	}
	whole = seek
	if odd {
		whole = seek[:len(seek)-1]
	}
	return seek, whole, odd, true
}

// Throttle returns the login-failure state of an email (trimmed and lower-cased), the zero
// value when none.
func (t *tx) Throttle(email string) (core.Throttle, error) {
	key := normEmail(email)
	if key == "" {
		return core.Throttle{}, nil
	}
	b, err := t.bucket(bucketThrottle)
	if err != nil {
		return core.Throttle{}, err
	}
	v := b.Get([]byte(key))
	if v == nil {
		return core.Throttle{}, nil
	}
	th, err := decodeThrottle(v)
	return th, core.InternalError("read throttle", err)
}

// PutThrottle stores the login-failure state of an email; the zero value removes it.
func (t *tx) PutThrottle(email string, th core.Throttle) error {
	key := normEmail(email)
	if key == "" {
		return nil
	}
	b, err := t.bucket(bucketThrottle)
	if err != nil {
		return err
	}
	if th.Failures == 0 && th.LockedUntil.IsZero() {
		return core.InternalError("delete throttle", b.Delete([]byte(key)))
	}
	return core.InternalError("put throttle", b.Put([]byte(key), encodeThrottle(th)))
}
