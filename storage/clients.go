package storage

import (
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

var clientKind = newRecordKind(recordKind[core.Client, clientFields]{
	tb:       idTable("client", core.ClientRecord, bucketClients, idxClientsByEmail, idxClientsByCommercial),
	parse:    func(p []byte) (f clientFields, err error) { err = f.parse(p); return },
	id:       func(c core.Client) uuid.UUID { return c.ID },
	encode:   func(c core.Client, rev uint64) []byte { return encodeClient(&c, rev) },
	entries:  clientEntries,
	toWire:   func(c core.Client) core.Wire { return c.Wire() },
	fromWire: core.Wire.Client,
})

var clientsTable = clientKind.tb

func clientEntries(id uuid.UUID, c core.Client) []entry {
	es := make([]entry, 0, 2)
	es = appendUnique(es, idxClientsByEmail, normEmail(c.Email), id)
	return append(es, ownerEntry(idxClientsByCommercial, c.CommercialID, id))
}

// Client returns the client with that id. Errors: NotFound, Damaged.
func (t *tx) Client(id uuid.UUID) (core.Client, error) {
	return clientKind.get(t, id)
}

// parseClient parses the stored client id into f; false when there is none.
// Errors: Damaged.
func (t *tx) parseClient(id uuid.UUID, f *clientFields) (bool, error) {
	return t.parseRecord(clientsTable, id, f.parse)
}

// ClientByEmail returns the client with that email, compared trimmed and lower-cased.
// Errors: NotFound, Damaged.
func (t *tx) ClientByEmail(email string) (core.Client, error) {
	return clientKind.by(t, idxClientsByEmail, normEmail(email))
}

// Clients returns the clients that pass f, in no particular order, and the number of damaged
// clients skipped. CommercialID reads idx_clients_by_commercial.
func (t *tx) Clients(f core.ClientFilter) ([]core.Client, int, error) {
	switch {
	case f.CommercialID != uuid.Nil:
		src := t.scanPrefixes(clientsTable, idxClientsByCommercial, f.CommercialID[:])
		return collect(clientsTable, src, f.Limit, clientKeeper(f)())
	case f.Limit > 0:
		return collect(clientsTable, t.scanAll(clientsTable), f.Limit, clientKeeper(f)())
	}
	return collectAll(t, clientsTable, t.scanParts(), clientKeeper(f))
}

// clientKeeper returns a maker of functions that parse and filter one client, each with its
// own buffers.
func clientKeeper(f core.ClientFilter) func() keepFunc[core.Client] {
	return func() keepFunc[core.Client] {
		return keepClient(f)
	}
}

func keepClient(f core.ClientFilter) keepFunc[core.Client] {
	m := newMatcher(f.Search)
	var cf clientFields
	return func(k, v []byte) (core.Client, bool, error) {
		id, err := parseKeyed(k, v, &cf)
		if err != nil {
			return core.Client{}, false, err
		}
		if f.CommercialID != uuid.Nil && cf.commercialID != f.CommercialID {
			return core.Client{}, false, nil
		}
		if !m.any(cf.fullName, cf.email, cf.companyName, cf.phone) {
			return core.Client{}, false, nil
		}
		return cf.record(id), true, nil
	}
}

// PutClient inserts or replaces c. Errors: Conflict when its email belongs to another client;
// Damaged when the stored version is damaged.
func (t *tx) PutClient(c *core.Client) error {
	return clientKind.put(t, c)
}

// DeleteClient removes a client (whatever still refers to it). Errors: NotFound, Damaged.
func (t *tx) DeleteClient(id uuid.UUID) error {
	return clientKind.delete(t, id)
}

// clientSearch matches a search text against some fields of the clients that contracts or
// events refer to, remembering the answer for each client. Once all has run, seen holds
// exactly the matching clients and match needs no more reads.
type clientSearch struct {
	t        *tx
	m        *matcher
	fields   func(f *clientFields) [][]byte
	seen     map[uuid.UUID]bool
	complete bool
	cf       clientFields
}

func (t *tx) newClientSearch(search string, fields func(f *clientFields) [][]byte) *clientSearch {
	m := newMatcher(search)
	if m == nil {
		return nil
	}
	return &clientSearch{t: t, m: m, fields: fields, seen: make(map[uuid.UUID]bool)}
}

// match reports whether client id exists and matches; a nil clientSearch matches everything.
// A damaged client matches nothing (client lists count it).
func (s *clientSearch) match(id uuid.UUID) (bool, error) {
	if s == nil {
		return true, nil
	}
	if ok, known := s.seen[id]; known || s.complete {
		return ok, nil
	}
	found, err := s.t.parseClient(id, &s.cf)
	if core.KindOf(err) == core.Damaged {
		found, err = false, nil
	}
	if err != nil {
		return false, err
	}
	ok := found && s.m.any(s.fields(&s.cf)...)
	s.seen[id] = ok
	return ok, nil
}

// all scans every client and returns the keys of those that match, remembering them so that
// match needs no further reads. Reading the clients in key order once is much cheaper than
// looking them up one by one for a scan of many contracts or events.
func (s *clientSearch) all() ([][]byte, error) {
	clear(s.seen)
	s.complete = true
	needle := string(s.m.needle)
	ids, _, err := collectAll(s.t, clientsTable, s.t.scanParts(), func() keepFunc[uuid.UUID] {
		m := newMatcher(needle) // its buffer is its goroutine's own
		var cf clientFields
		return func(k, v []byte) (uuid.UUID, bool, error) {
			id, err := parseKeyed(k, v, &cf)
			if err != nil {
				return uuid.Nil, false, err
			}
			return id, m.any(s.fields(&cf)...), nil
		}
	})
	if err != nil {
		return nil, err
	}
	keys := make([][]byte, len(ids))
	for i, id := range ids {
		s.seen[id] = true
		keys[i] = bytesOf(id)
	}
	return keys, nil
}

func clientNameAndCompany(f *clientFields) [][]byte { return [][]byte{f.fullName, f.companyName} }

func clientName(f *clientFields) [][]byte { return [][]byte{f.fullName} }
