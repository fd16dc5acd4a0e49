package storage

import (
	"bytes"
	"encoding/binary"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

var eventKind = newRecordKind(recordKind[core.Event, eventFields]{
	tb:       idTable("event", core.EventRecord, bucketEvents, idxEventsByContract, idxEventsBySupport, idxEventsByStart),
	parse:    func(p []byte) (f eventFields, err error) { err = f.parse(p); return },
	id:       func(e core.Event) uuid.UUID { return e.ID },
	encode:   func(e core.Event, rev uint64) []byte { return encodeEvent(&e, rev) },
	entries:  eventEntries,
	toWire:   func(e core.Event) core.Wire { return e.Wire() },
	fromWire: core.Wire.Event,
})

var eventsTable = eventKind.tb

func eventEntries(id uuid.UUID, e core.Event) []entry {
	return []entry{
		ownerEntry(idxEventsByContract, e.ContractID, id),
		ownerEntry(idxEventsBySupport, e.SupportID, id),
		prefixEntry(idxEventsByStart, startKey(e.Start), id[:]),
	}
}

// startKey is the 8-byte key of a start time in idx_events_by_start: its UnixNano, big-endian
// with the sign bit flipped so that byte order is time order. Times beyond the UnixNano range
// are clamped; scans re-check the exact start.
func startKey(t time.Time) []byte {
	var n int64
	switch s := t.Unix(); {
	case s < minNanoSec:
		n = math.MinInt64
	case s > maxNanoSec:
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	return binary.BigEndian.AppendUint64(make([]byte, 0, startKeyLen), uint64(n)^(1<<63))
}

// Event returns the event with that id. Errors: NotFound, Damaged.
func (t *tx) Event(id uuid.UUID) (core.Event, error) {
	return eventKind.get(t, id)
}

// eventQuery is an EventFilter being run.
type eventQuery struct {
	f      core.EventFilter
	search *clientSearch
	// contracts holds the contracts of f.CommercialID, when it is set.
	contracts map[uuid.UUID]struct{}
}

// Events returns the events that pass f, in no particular order, and the number of damaged
// events skipped. The first set field of
// ContractID, SupportID, Unassigned, CommercialID, StartFrom/StartTo picks the index read
// (idx_events_by_contract, idx_events_by_support, idx_contracts_by_commercial then
// idx_events_by_contract, idx_events_by_start); every other condition is checked on the events
// read.
func (t *tx) Events(f core.EventFilter) ([]core.Event, int, error) {
	q := &eventQuery{f: f, search: t.newClientSearch(f.Search, clientName)}
	var contractKeys [][]byte
	if f.CommercialID != uuid.Nil {
		var err error
		if contractKeys, q.contracts, err = t.contractsOf(f.CommercialID); err != nil {
			return nil, 0, err
		}
	}
	if fullScan(f) && f.Limit <= 0 {
		if q.search != nil {
			// Every event is read: find the matching clients once, in one pass over the
			// clients, so that the scanning goroutines only read the answers.
			if _, err := q.search.all(); err != nil {
				return nil, 0, err
			}
		}
		return collectAll(t, eventsTable, t.scanParts(), q.keep)
	}
	return collect(eventsTable, t.eventSource(f, contractKeys), f.Limit, q.keep())
}

// keep returns a function that parses and filters one event, with its own buffers.
func (q *eventQuery) keep() keepFunc[core.Event] {
	m := newMatcher(q.f.Search)
	var ef eventFields
	var head eventHead
	return func(k, v []byte) (core.Event, bool, error) {
		if m != nil {
			// Most events of a search do not match: decide on the fields searched, and parse
			// (and check) the whole record only for those that do.
			if err := head.parse(v); err != nil {
				return core.Event{}, false, damagedValue(err)
			}
			if !m.any(head.name, head.location) {
				if ok, err := q.search.match(head.clientID); err != nil || !ok {
					return core.Event{}, false, err
				}
			}
		}
		id, err := parseKeyed(k, v, &ef)
		if err != nil {
			return core.Event{}, false, err
		}
		if !q.passes(&ef) {
			return core.Event{}, false, nil
		}
		if !m.any(ef.name, ef.location) {
			if ok, err := q.search.match(ef.clientID); err != nil || !ok {
				return core.Event{}, false, err
			}
		}
		return ef.record(id), true, nil
	}
}

// fullScan reports whether eventSource reads every event for f.
func fullScan(f core.EventFilter) bool {
	return f.ContractID == uuid.Nil && f.SupportID == uuid.Nil && !f.Unassigned &&
		f.CommercialID == uuid.Nil && f.StartFrom.IsZero() && f.StartTo.IsZero()
}

func (t *tx) eventSource(f core.EventFilter, contractKeys [][]byte) source {
	switch {
	case f.ContractID != uuid.Nil:
		return t.scanPrefixes(eventsTable, idxEventsByContract, f.ContractID[:])
	case f.SupportID != uuid.Nil:
		return t.scanPrefixes(eventsTable, idxEventsBySupport, f.SupportID[:])
	case f.Unassigned:
		return t.scanPrefixes(eventsTable, idxEventsBySupport, uuid.Nil[:])
	case f.CommercialID != uuid.Nil:
		return t.scanPrefixes(eventsTable, idxEventsByContract, contractKeys...)
	case !f.StartFrom.IsZero() || !f.StartTo.IsZero():
		var from, to []byte
		if !f.StartFrom.IsZero() {
			from = startKey(f.StartFrom)
		}
		if !f.StartTo.IsZero() {
			to = startKey(f.StartTo)
		}
		if from != nil && to != nil && bytes.Compare(from, to) > 0 {
			return func(visitor) error { return nil }
		}
		return t.scanRange(eventsTable, idxEventsByStart, from, to)
	}
	return t.scanAll(eventsTable)
}

// contractsOf lists the contracts of a commercial from idx_contracts_by_commercial, as keys
// and as a set. Damaged entries are left out (their contracts' events are not listed).
func (t *tx) contractsOf(commercial uuid.UUID) ([][]byte, map[uuid.UUID]struct{}, error) {
	b, err := t.bucket(idxContractsByCommercial.name)
	if err != nil {
		return nil, nil, err
	}
	var keys [][]byte
	set := make(map[uuid.UUID]struct{})
	c := b.Cursor()
	for k, v := c.Seek(commercial[:]); k != nil && bytes.HasPrefix(k, commercial[:]); k, v = c.Next() {
		p, err := idxContractsByCommercial.seal.open(k, v)
		if err != nil {
			continue
		}
		key, ok := idxContractsByCommercial.recordKey(k, p)
		if !ok {
			return nil, nil, indexOutOfStep(idxContractsByCommercial, contractsTable)
		}
		keys = append(keys, bytes.Clone(key))
		set[uuid.UUID(key)] = struct{}{}
	}
	return keys, set, nil
}

// passes checks the conditions that need no other record than the event.
func (q *eventQuery) passes(e *eventFields) bool {
	f := &q.f
	switch {
	case f.ContractID != uuid.Nil && e.contractID != f.ContractID:
		return false
	case f.SupportID != uuid.Nil && e.supportID != f.SupportID:
		return false
	case f.Unassigned && e.supportID != uuid.Nil:
		return false
	case !f.StartFrom.IsZero() && e.start.Before(f.StartFrom):
		return false
	case !f.StartTo.IsZero() && e.start.After(f.StartTo):
		return false
	}
	if q.contracts != nil {
		if _, ok := q.contracts[e.contractID]; !ok {
			return false
		}
	}
	return true
}

// PutEvent inserts or replaces e. Errors: Damaged when the stored version is damaged.
func (t *tx) PutEvent(e *core.Event) error {
	return eventKind.put(t, e)
}

// DeleteEvent removes an event. Errors: NotFound, Damaged.
func (t *tx) DeleteEvent(id uuid.UUID) error {
	return eventKind.delete(t, id)
}
