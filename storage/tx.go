package storage

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// tx is one transaction of a DB; it implements core.Tx and core.SyncTx. Values read from bbolt
// are only valid during the transaction, so everything returned is a copy. In team mode a write
// transaction of core (capture true) collects the records it changes and the audit entries it
// makes; run appends them to the outbox as one change before committing (outbox.go).
type tx struct {
	btx     *bbolt.Tx
	db      *DB
	capture bool
	change  *changeSet
}

var (
	_ core.Tx     = (*tx)(nil)
	_ core.SyncTx = (*tx)(nil)
)

// tableOf gives the table of each record type.
var tableOf = map[core.RecordType]*table{
	core.UserRecord:     usersTable,
	core.ClientRecord:   clientsTable,
	core.ContractRecord: contractsTable,
	core.EventRecord:    eventsTable,
}

// recordTable returns the table of a record type. Errors: Internal for an unknown type.
func recordTable(rt core.RecordType) (*table, error) {
	tb, ok := tableOf[rt]
	if !ok {
		return nil, core.InternalError("storage", fmt.Errorf("unknown record type %q", rt))
	}
	return tb, nil
}

// IDsWithPrefix returns up to limit (0: no limit) ids of records of type rt whose hexadecimal
// form without dashes starts with prefix. A prefix that is not hexadecimal, or longer than 32
// digits, matches nothing. It seeks to the bytes of the even-length part of the prefix and
// scans while keys share it.
func (t *tx) IDsWithPrefix(rt core.RecordType, prefix string, limit int) ([]uuid.UUID, error) {
	tb, err := recordTable(rt)
	if err != nil {
		return nil, err
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
