package storage

import (
	"bytes"
	"errors"
	"math"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

// The figures of the home tab and the lines of the agenda (issue #14, core.SummaryTx): read
// from the indexes, parsing only the fields they need, never building whole records.

// ClientCounts counts the clients of each commercial from the keys of
// idx_clients_by_commercial, without reading a client; commercial ≠ uuid.Nil counts only
// theirs. An entry whose seal fails is not counted.
func (t *tx) ClientCounts(commercial uuid.UUID) (map[uuid.UUID]int, error) {
	b, err := t.bucket(idxClientsByCommercial.name)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]int)
	c := b.Cursor()
	k, v := c.First()
	if commercial != uuid.Nil {
		k, v = c.Seek(commercial[:])
	}
	for ; k != nil; k, v = c.Next() {
		if commercial != uuid.Nil && !bytes.HasPrefix(k, commercial[:]) {
			break
		}
		if _, err := idxClientsByCommercial.seal.open(k, v); err != nil || len(k) != 2*idLen {
			continue
		}
		out[uuid.UUID(k[:idLen])]++
	}
	return out, nil
}

// ContractTotals counts the contracts that pass f and sums their amounts due, reading them
// through the index f picks (as Contracts does); Search is ignored. Damaged contracts are
// counted in Hidden (company-wide: every damaged contract, read in one pass). "Every draft" (Unsigned alone) is counted from the keys of
// idx_contracts_unsigned without reading a contract: its amounts are not summed then.
func (t *tx) ContractTotals(f core.ContractFilter) (core.ContractTotals, error) {
	f.Search = ""
	var out core.ContractTotals
	if f == (core.ContractFilter{Unsigned: true}) {
		n, err := t.countIndex(idxContractsUnsigned)
		out.Count = n
		return out, err
	}
	src, err := t.contractSource(f, nil)
	if err != nil {
		return out, err
	}
	if f.ClientID == uuid.Nil && f.CommercialID == uuid.Nil {
		// Company-wide, about half of the contracts are unpaid: one pass along the contracts
		// bucket reads them 3× faster than a look-up per index entry.
		src = t.scanAll(contractsTable)
	}
	var cf contractFields
	var sum cents
	err = src(func(k, v []byte) (bool, error) {
		_, ok, err := keepSealed(contractsTable, k, v, func(k, v []byte) (struct{}, bool, error) {
			if err := cf.parseTotals(v); err != nil {
				return struct{}{}, false, damagedValue(err)
			}
			return struct{}{}, contractPasses(&f, &cf), nil
		})
		switch {
		case errors.Is(err, errDamagedValue):
			out.Hidden++
		case err != nil:
			return false, err
		case ok:
			out.Count++
			if cf.dueSign != 0 {
				sum.add(cf.due)
			}
		}
		return true, nil
	})
	out.Due = sum.total()
	return out, err
}

// parseTotals reads the fields contractPasses and a sum look at (owners, amount due, status),
// skipping the times, without checking the rest of the value.
func (f *contractFields) parseTotals(v []byte) error {
	d := decoder{b: v}
	f.parseHead(&d)
	return d.err
}

// countIndex counts the entries of an index whose seal holds.
func (t *tx) countIndex(x *index) (int, error) {
	b, err := t.bucket(x.name)
	if err != nil {
		return 0, err
	}
	n := 0
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if _, err := x.seal.open(k, v); err == nil {
			n++
		}
	}
	return n, nil
}

// cents sums raw decimals (see rawDecimal): those of at most two decimal places that fit an
// int64 of cents are added as integers, without allocating; any other goes through decimal.
type cents struct {
	n    int64
	rest decimal.Decimal
	big  bool
}

func (c *cents) add(raw []byte) {
	if len(raw) > 0 && raw[0] == decimalSmall {
		d := decoder{b: raw[1:]}
		v, exp := d.varint(), d.varint()
		var scale int64
		switch exp {
		case -2:
			scale = 1
		case -1:
			scale = 10
		case 0:
			scale = 100
		}
		if d.err == nil && scale != 0 && v > -math.MaxInt64/scale && v < math.MaxInt64/scale {
			v *= scale
			if (v <= 0 || c.n <= math.MaxInt64-v) && (v >= 0 || c.n >= math.MinInt64-v) {
				c.n += v
				return
			}
		}
	}
	if !c.big {
		c.rest, c.big = decimal.Zero, true
	}
	c.rest = c.rest.Add(decimalOf(raw))
}

func (c *cents) total() decimal.Decimal {
	t := decimal.New(c.n, -2)
	if c.big {
		t = t.Add(c.rest)
	}
	return t
}

// eventLineFields is the part of a stored event the agenda shows (ids, start, end, name,
// location); parse skips attendees and notes.
type eventLineFields struct{ eventFields }

func (f *eventLineFields) parse(v []byte) error {
	d := decoder{b: v}
	f.parseLine(&d)
	return d.err
}

// EventLines returns the events that pass f as agenda lines, in no particular order, and the
// number of damaged events skipped. A start range is read from idx_events_by_start whatever
// else is set; otherwise the index is chosen as Events chooses it. Search is ignored.
func (t *tx) EventLines(f core.EventFilter) ([]core.EventLine, int, error) {
	f.Search = ""
	q := &eventQuery{f: f}
	var contractKeys [][]byte
	if f.CommercialID != uuid.Nil {
		var err error
		if contractKeys, q.contracts, err = t.contractsOf(f.CommercialID); err != nil {
			return nil, 0, err
		}
	}
	src := t.eventSource(f, contractKeys)
	if !f.StartFrom.IsZero() && !f.StartTo.IsZero() {
		byStart := f
		byStart.ContractID, byStart.SupportID, byStart.Unassigned, byStart.CommercialID = uuid.Nil, uuid.Nil, false, uuid.Nil
		src = t.eventSource(byStart, nil)
	}
	var ef eventLineFields
	return collect(eventsTable, src, f.Limit, func(k, v []byte) (core.EventLine, bool, error) {
		id, err := parseKeyed(k, v, &ef)
		if err != nil {
			return core.EventLine{}, false, err
		}
		if !q.passes(&ef.eventFields) {
			return core.EventLine{}, false, nil
		}
		return core.EventLine{ID: id, ContractID: ef.contractID, ClientID: ef.clientID,
			SupportID: ef.supportID, Start: ef.start, End: ef.end,
			Name: string(ef.name), Location: string(ef.location)}, true, nil
	})
}
