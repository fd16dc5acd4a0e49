package storage

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// verify compares the whole store with the model.
func (r *run) verify() {
	r.t.Helper()
	err := r.db.View(func(tx core.Tx) error {
		for _, check := range []func(core.Tx) error{
			r.verifyRecords, r.verifyUnique, r.verifyUserFilters, r.verifyClientFilters,
			r.verifyContractFilters, r.verifyEventFilters, r.verifyAudit, r.verifyPrefixes, r.verifyThrottle,
		} {
			if err := check(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		r.t.Fatalf("operation %d: %v", r.op, err)
	}
	if err := r.db.Check(); err != nil {
		r.t.Fatalf("operation %d: %v", r.op, err)
	}
}

func (r *run) verifyRecords(tx core.Tx) error {
	users, _, err := tx.Users(core.UserFilter{})
	if err != nil {
		return err
	}
	sameRecords(r, "users", users, r.m.users, userID, func(a, b core.User) bool { return a == b })
	clients, _, err := tx.Clients(core.ClientFilter{})
	if err != nil {
		return err
	}
	sameRecords(r, "clients", clients, r.m.clients, clientID, func(a, b core.Client) bool { return a == b })
	contracts, _, err := tx.Contracts(core.ContractFilter{})
	if err != nil {
		return err
	}
	sameRecords(r, "contracts", contracts, r.m.contracts, contractID, sameContract)
	events, _, err := tx.Events(core.EventFilter{})
	if err != nil {
		return err
	}
	sameRecords(r, "events", events, r.m.events, eventID, func(a, b core.Event) bool { return a == b })
	for _, id := range r.m.events.ids {
		if got, err := tx.Event(id); err != nil || got != r.m.events.byID[id] {
			r.t.Errorf("event %s: %+v, %v", id, got, err)
		}
	}
	return nil
}

func sameRecords[R any](r *run, what string, got []R, want *recordSet[R], id func(R) uuid.UUID, same func(a, b R) bool) {
	if len(got) != len(want.ids) {
		r.t.Errorf("operation %d: %d %s, want %d", r.op, len(got), what, len(want.ids))
	}
	for _, g := range got {
		if w, ok := want.byID[id(g)]; !ok || !same(g, w) {
			r.t.Errorf("operation %d: %s %s: got %+v, want %+v", r.op, what, id(g), g, w)
		}
	}
}

// verifyUnique looks every user and client up by its unique values, in another case.
func (r *run) verifyUnique(tx core.Tx) error {
	for _, u := range r.m.users.byID {
		byEmail, err := tx.UserByEmail(" " + strings.ToUpper(u.Email))
		if err != nil || byEmail.ID != u.ID {
			r.t.Errorf("user by email %q: %v, %v", u.Email, byEmail.ID, err)
		}
		byNumber, err := tx.UserByEmployeeNumber(strings.ToLower(u.EmployeeNumber))
		if err != nil || byNumber.ID != u.ID {
			r.t.Errorf("user by number %q: %v, %v", u.EmployeeNumber, byNumber.ID, err)
		}
	}
	for _, c := range r.m.clients.byID {
		got, err := tx.ClientByEmail(strings.ToUpper(c.Email))
		if err != nil || got.ID != c.ID {
			r.t.Errorf("client by email %q: %v, %v", c.Email, got.ID, err)
		}
	}
	for range 20 {
		email := r.email()
		_, err := tx.UserByEmail(email)
		if want := r.hasEmail(email); core.KindOf(err) != expectFound(want) {
			r.t.Errorf("user by email %q: %v, want found %v", email, err, want)
		}
	}
	return nil
}

func (r *run) hasEmail(email string) bool {
	for _, u := range r.m.users.byID {
		if normModel(u.Email) == normModel(email) {
			return true
		}
	}
	return false
}

// contains is the documented search rule.
func contains(field, search string) bool { return strings.Contains(strings.ToLower(field), search) }

// search picks a search text: a piece of one of the texts, lower-cased, or something that
// matches nothing, or nothing.
func (r *run) search(texts ...string) string {
	switch n := r.r.IntN(10); {
	case n < 3 || len(texts) == 0:
		return ""
	case n == 3:
		return "qqxz"
	}
	s := []rune(strings.ToLower(texts[r.r.IntN(len(texts))]))
	if len(s) == 0 {
		return ""
	}
	i := r.r.IntN(len(s))
	j := i + 1 + r.r.IntN(min(6, len(s)-i))
	return string(s[i:j])
}

func (r *run) limit() int {
	if r.r.IntN(5) == 0 {
		return 1 + r.r.IntN(4)
	}
	return 0
}

// sameSet compares the ids a filter returned with those the model selects; with a limit, the
// result must be as long as it can and hold only selected records.
func sameSet[R any](r *run, what string, f any, got []R, id func(R) uuid.UUID, want map[uuid.UUID]bool, limit int) {
	gotIDs := ids(got, id)
	if len(gotIDs) != len(got) {
		r.t.Errorf("operation %d: %s %+v: duplicates in the result", r.op, what, f)
	}
	n := len(want)
	if limit > 0 {
		n = min(n, limit)
	}
	if len(gotIDs) != n {
		r.t.Errorf("operation %d: %s %+v: %d results, want %d", r.op, what, f, len(gotIDs), n)
	}
	for id := range gotIDs {
		if !want[id] {
			r.t.Errorf("operation %d: %s %+v: %s should not be selected", r.op, what, f, id)
		}
	}
}

func selectIDs[R any](s *recordSet[R], keep func(R) bool) map[uuid.UUID]bool {
	m := map[uuid.UUID]bool{}
	for id, rec := range s.byID {
		if keep(rec) {
			m[id] = true
		}
	}
	return m
}

func (r *run) texts(n int, pick func() []string) []string {
	var out []string
	for range n {
		out = append(out, pick()...)
	}
	return out
}

// verifyFilters runs n filters made by filter through list and compares each result with the
// records of s that match it.
func verifyFilters[F, R any](r *run, tx core.Tx, what string, n int, filter func(i int) F, list func(core.Tx, F) ([]R, int, error),
	s *recordSet[R], id func(R) uuid.UUID, matches func(f *F, rec R) bool, limit func(f *F) int) error {
	for i := range n {
		f := filter(i)
		got, _, err := list(tx, f)
		if err != nil {
			return err
		}
		sameSet(r, what, f, got, id, selectIDs(s, func(rec R) bool { return matches(&f, rec) }), limit(&f))
	}
	return nil
}

func (r *run) verifyUserFilters(tx core.Tx) error {
	return verifyFilters(r, tx, "users", 60, r.userFilter, core.Tx.Users, r.m.users, userID, userMatches,
		func(f *core.UserFilter) int { return f.Limit })
}

func (r *run) userFilter(i int) core.UserFilter {
	var f core.UserFilter
	if i < 3 || r.r.IntN(2) == 0 {
		f.Department = r.department()
	}
	f.Search = r.search(r.texts(2, func() []string {
		u := r.m.users.byID[pickID(r, r.m.users, 100)]
		return []string{u.FullName, u.Email, u.EmployeeNumber}
	})...)
	f.Limit = r.limit()
	return f
}

func userMatches(f *core.UserFilter, u core.User) bool {
	return (f.Department == "" || u.Department == f.Department) &&
		(f.Search == "" || contains(u.FullName, f.Search) || contains(u.Email, f.Search) || contains(u.EmployeeNumber, f.Search))
}

func (r *run) verifyClientFilters(tx core.Tx) error {
	return verifyFilters(r, tx, "clients", 60, r.clientFilter, core.Tx.Clients, r.m.clients, clientID, clientMatches,
		func(f *core.ClientFilter) int { return f.Limit })
}

func (r *run) clientFilter(i int) core.ClientFilter {
	var f core.ClientFilter
	if i < 10 || r.r.IntN(2) == 0 {
		f.CommercialID = r.m.clients.byID[pickID(r, r.m.clients, 90)].CommercialID
	}
	f.Search = r.search(r.texts(2, func() []string {
		c := r.m.clients.byID[pickID(r, r.m.clients, 100)]
		return []string{c.FullName, c.Email, c.CompanyName, c.Phone}
	})...)
	f.Limit = r.limit()
	return f
}

func clientMatches(f *core.ClientFilter, c core.Client) bool {
	return (f.CommercialID == uuid.Nil || c.CommercialID == f.CommercialID) &&
		(f.Search == "" || contains(c.FullName, f.Search) || contains(c.Email, f.Search) ||
			contains(c.CompanyName, f.Search) || contains(c.Phone, f.Search))
}

func (r *run) verifyContractFilters(tx core.Tx) error {
	return verifyFilters(r, tx, "contracts", 100, r.contractFilter, core.Tx.Contracts, r.m.contracts, contractID, r.contractMatches,
		func(f *core.ContractFilter) int { return f.Limit })
}

// contractFilter sets each field alone for the first filters, then random combinations.
func (r *run) contractFilter(i int) core.ContractFilter {
	var f core.ContractFilter
	pick := func(field int) bool { return i%6 == field || (i >= 30 && r.r.IntN(3) == 0) }
	if pick(0) {
		f.ClientID = r.m.contracts.byID[pickID(r, r.m.contracts, 90)].ClientID
	}
	if pick(1) {
		f.CommercialID = r.m.contracts.byID[pickID(r, r.m.contracts, 90)].CommercialID
	}
	f.Unsigned, f.Unpaid = pick(2), pick(3)
	if pick(4) {
		f.Search = r.search(r.texts(2, func() []string {
			c := r.m.clients.byID[pickID(r, r.m.clients, 100)]
			return []string{c.FullName, c.CompanyName, c.Email}
		})...)
	}
	if pick(5) {
		f.Limit = r.limit()
	}
	return f
}

func (r *run) contractMatches(f *core.ContractFilter, k core.Contract) bool {
	if (f.ClientID != uuid.Nil && k.ClientID != f.ClientID) ||
		(f.CommercialID != uuid.Nil && k.CommercialID != f.CommercialID) ||
		(f.Unsigned && k.Status != core.Draft) ||
		(f.Unpaid && (k.Due.Sign() <= 0 || k.Status == core.Cancelled)) {
		return false
	}
	if f.Search == "" {
		return true
	}
	c, ok := r.m.clients.byID[k.ClientID]
	return ok && (contains(c.FullName, f.Search) || contains(c.CompanyName, f.Search))
}

func (r *run) verifyEventFilters(tx core.Tx) error {
	return verifyFilters(r, tx, "events", 160, r.eventFilter, core.Tx.Events, r.m.events, eventID, r.eventMatches,
		func(f *core.EventFilter) int { return f.Limit })
}

func (r *run) eventFilter(i int) core.EventFilter {
	var f core.EventFilter
	pick := func(field int) bool { return i%8 == field || (i >= 40 && r.r.IntN(4) == 0) }
	e := r.m.events.byID[pickID(r, r.m.events, 90)]
	if pick(0) {
		f.ContractID = e.ContractID
	}
	if pick(1) {
		f.SupportID = r.m.events.byID[pickID(r, r.m.events, 90)].SupportID
	}
	f.Unassigned = pick(2)
	if pick(3) {
		f.CommercialID = r.m.contracts.byID[pickID(r, r.m.contracts, 90)].CommercialID
	}
	if pick(4) {
		f.StartFrom = r.bound()
	}
	if pick(5) {
		f.StartTo = r.bound()
		if !f.StartFrom.IsZero() && r.r.IntN(2) == 0 { // mostly a range that holds something
			f.StartFrom, f.StartTo = earlier(f.StartFrom, f.StartTo)
		}
	}
	if pick(6) {
		c := r.m.clients.byID[e.ClientID]
		f.Search = r.search(e.Name, e.Location, c.FullName, r.one(places))
	}
	if pick(7) {
		f.Limit = r.limit()
	}
	return f
}

// bound is a range bound: often exactly the start of an event, to test that bounds are included.
func (r *run) bound() time.Time {
	if len(r.m.events.ids) > 0 && r.r.IntN(3) == 0 {
		return r.m.events.byID[pickID(r, r.m.events, 100)].Start
	}
	return r.moment()
}

func earlier(a, b time.Time) (time.Time, time.Time) {
	if b.Before(a) {
		return b, a
	}
	return a, b
}

func (r *run) eventMatches(f *core.EventFilter, e core.Event) bool {
	if !eventFieldsMatch(f, e) {
		return false
	}
	if f.CommercialID != uuid.Nil {
		k, ok := r.m.contracts.byID[e.ContractID]
		if !ok || k.CommercialID != f.CommercialID {
			return false
		}
	}
	if f.Search == "" || contains(e.Name, f.Search) || contains(e.Location, f.Search) {
		return true
	}
	c, ok := r.m.clients.byID[e.ClientID]
	return ok && contains(c.FullName, f.Search)
}

func eventFieldsMatch(f *core.EventFilter, e core.Event) bool {
	return (f.ContractID == uuid.Nil || e.ContractID == f.ContractID) &&
		(f.SupportID == uuid.Nil || e.SupportID == f.SupportID) &&
		(!f.Unassigned || e.SupportID == uuid.Nil) &&
		(f.StartFrom.IsZero() || !e.Start.Before(f.StartFrom)) &&
		(f.StartTo.IsZero() || !e.Start.After(f.StartTo))
}

func (r *run) verifyAudit(tx core.Tx) error {
	for i := range 30 {
		var f core.AuditFilter
		if i > 0 && len(r.m.audit) > 0 && r.r.IntN(3) > 0 {
			f.RecordID = r.m.audit[r.r.IntN(len(r.m.audit))].RecordID
		}
		if i > 0 && r.r.IntN(3) == 0 {
			f.AfterSeq = uint64(r.r.IntN(len(r.m.audit) + 2))
		}
		f.Limit = r.limit()
		got, _, err := tx.Audit(f)
		if err != nil {
			return err
		}
		want := r.m.auditOf(f)
		if !slices.EqualFunc(got, want, sameAudit) {
			r.t.Errorf("operation %d: audit %+v: got %d entries, want %d", r.op, f, len(got), len(want))
		}
	}
	return nil
}

// auditOf returns the entries f selects, oldest first.
func (m *model) auditOf(f core.AuditFilter) []core.AuditEntry {
	var want []core.AuditEntry
	for _, e := range m.audit {
		if e.Seq > f.AfterSeq && (f.RecordID == uuid.Nil || e.RecordID == f.RecordID) &&
			(f.Limit == 0 || len(want) < f.Limit) {
			want = append(want, e)
		}
	}
	return want
}

func (r *run) verifyPrefixes(tx core.Tx) error {
	sets := map[core.RecordType][]uuid.UUID{
		core.UserRecord: r.m.users.ids, core.ClientRecord: r.m.clients.ids,
		core.ContractRecord: r.m.contracts.ids, core.EventRecord: r.m.events.ids,
	}
	for _, rt := range []core.RecordType{core.UserRecord, core.ClientRecord, core.ContractRecord, core.EventRecord} {
		all := sets[rt]
		for range 15 {
			prefix := hexOf(r.id())[:1+r.r.IntN(3)]
			if len(all) > 0 && r.r.IntN(2) == 0 {
				prefix = hexOf(all[r.r.IntN(len(all))])[:1+r.r.IntN(32)]
			}
			limit := r.limit()
			got, err := tx.IDsWithPrefix(rt, prefix, limit)
			if err != nil {
				return err
			}
			want := map[uuid.UUID]bool{}
			for _, id := range all {
				if strings.HasPrefix(hexOf(id), prefix) {
					want[id] = true
				}
			}
			sameSet(r, "ids of "+string(rt), prefix, got, func(id uuid.UUID) uuid.UUID { return id }, want, limit)
		}
	}
	return nil
}

func hexOf(id uuid.UUID) string { return fmt.Sprintf("%x", id[:]) }

func (r *run) verifyThrottle(ct core.Tx) error {
	for email, want := range r.m.throttle {
		if got, err := ct.Throttle(strings.ToUpper(email)); err != nil || !reflect.DeepEqual(got, want) {
			r.t.Errorf("operation %d: throttle %q: %+v, %v; want %+v", r.op, email, got, err, want)
		}
	}
	b, err := ct.(*tx).bucket(bucketLocalThrottle)
	if err != nil {
		return err
	}
	if n := b.Stats().KeyN; n != len(r.m.throttle) {
		r.t.Errorf("operation %d: %d throttles stored, want %d", r.op, n, len(r.m.throttle))
	}
	return nil
}
