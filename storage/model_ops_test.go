package storage

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

// The random operations of TestModel, each applied to the store and, when it succeeds, to the
// model.

// pickOrNew returns fresh for a new record, or a record of s picked to change; false when there
// is none to change.
func pickOrNew[R any](r *run, s *recordSet[R], isNew bool, fresh R) (R, bool) {
	if isNew {
		return fresh, true
	}
	if len(s.ids) == 0 {
		return fresh, false
	}
	return s.byID[pickID(r, s, 100)], true
}

// store puts rec (whose id is id) with put, expecting an error of kind want, and into the
// model s when the store took it.
func store[R any](r *run, s *recordSet[R], want core.Kind, what string, id uuid.UUID, rec R, put func(core.Tx, *R) error) {
	if r.update(want, what, func(tx core.Tx) error { return put(tx, &rec) }) {
		s.put(id, rec)
	}
}

// deleteRecord deletes an id of s (sometimes an unknown one: NotFound) with del, and from the
// model when the store did.
func deleteRecord[R any](r *run, s *recordSet[R], what string, del func(core.Tx, uuid.UUID) error) {
	id := pickID(r, s, 80)
	_, ok := s.byID[id]
	if r.update(expectFound(ok), "delete "+what, func(tx core.Tx) error { return del(tx, id) }) {
		s.del(id)
	}
}

// ---- operations on users

func (r *run) putUser(isNew bool) {
	u, ok := pickOrNew(r, r.m.users, isNew, core.User{ID: r.id(), Active: true, CreatedAt: r.moment(), Department: r.department()})
	if !ok {
		return
	}
	if isNew || r.r.IntN(3) == 0 {
		u.Email = r.email()
	}
	if isNew || r.r.IntN(4) == 0 {
		u.EmployeeNumber = r.employeeNumber()
	}
	if isNew || r.r.IntN(2) == 0 {
		u.FullName = r.name()
	}
	if !isNew && r.r.IntN(3) == 0 {
		u.Department, u.Active = r.department(), !u.Active
	}
	u.PasswordHash, u.UpdatedAt = fmt.Sprint(r.r.Uint64()), r.moment()
	store(r, r.m.users, r.m.userConflict(u), "put user", u.ID, u, core.Tx.PutUser)
}

// userConflict is Conflict when another user has the email or employee number of u.
func (m *model) userConflict(u core.User) core.Kind {
	for _, o := range m.users.byID {
		if o.ID != u.ID && (normModel(o.Email) == normModel(u.Email) ||
			strings.EqualFold(strings.TrimSpace(o.EmployeeNumber), strings.TrimSpace(u.EmployeeNumber))) {
			return core.Conflict
		}
	}
	return ""
}

func (r *run) deleteUser() { deleteRecord(r, r.m.users, "user", core.Tx.DeleteUser) }

func expectFound(ok bool) core.Kind {
	if ok {
		return ""
	}
	return core.NotFound
}

// ---- operations on clients

func (r *run) putClient(isNew bool) {
	c, ok := pickOrNew(r, r.m.clients, isNew, core.Client{ID: r.id(), CreatedAt: r.moment()})
	if !ok {
		return
	}
	if isNew || r.r.IntN(3) == 0 {
		c.Email = r.email()
	}
	if isNew || r.r.IntN(2) == 0 {
		c.FullName, c.CompanyName = r.name(), r.one(companies)
		c.Phone = fmt.Sprintf("+33 %d %02d", r.r.IntN(10), r.r.IntN(100))
	}
	if isNew {
		c.CommercialID = pickID(r, r.m.users, 90)
	}
	c.Notes, c.UpdatedAt = strings.Repeat("n", r.r.IntN(40)), r.moment()
	conflict := false
	for _, o := range r.m.clients.byID {
		if o.ID != c.ID && normModel(o.Email) == normModel(c.Email) {
			conflict = true
		}
	}
	want := core.Kind("")
	if conflict {
		want = core.Conflict
	}
	store(r, r.m.clients, want, "put client", c.ID, c, core.Tx.PutClient)
}

// reassignClient gives a client another commercial and its contracts follow, in one Update
// that reads its own writes through the indexes.
func (r *run) reassignClient() {
	if len(r.m.clients.ids) == 0 {
		return
	}
	id, to := pickID(r, r.m.clients, 100), pickID(r, r.m.users, 90)
	ok := r.update("", "reassign client", func(tx core.Tx) error {
		c, err := tx.Client(id)
		if err != nil {
			return err
		}
		c.CommercialID = to
		if err := tx.PutClient(&c); err != nil {
			return err
		}
		ks, _, err := tx.Contracts(core.ContractFilter{ClientID: id})
		if err != nil {
			return err
		}
		for i := range ks {
			ks[i].CommercialID = to
			if err := tx.PutContract(&ks[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if !ok {
		return
	}
	c := r.m.clients.byID[id]
	c.CommercialID = to
	r.m.clients.put(id, c)
	for _, k := range r.m.contracts.byID {
		if k.ClientID == id {
			k.CommercialID = to
			r.m.contracts.put(k.ID, k)
		}
	}
}

func (r *run) deleteClient() { deleteRecord(r, r.m.clients, "client", core.Tx.DeleteClient) }

// ---- operations on contracts

func (r *run) amount() decimal.Decimal {
	if r.r.IntN(5) == 0 {
		return decimal.New(r.r.Int64N(1000)+1, 0)
	}
	return decimal.New(r.r.Int64N(99_999_999_999)+1, -2)
}

func (r *run) putContract(isNew bool) {
	k, ok := pickOrNew(r, r.m.contracts, isNew, core.Contract{ID: r.id(), Status: core.Draft, CreatedAt: r.moment()})
	if !ok {
		return
	}
	if isNew {
		k.ClientID = pickID(r, r.m.clients, 95)
		k.CommercialID = r.m.clients.byID[k.ClientID].CommercialID
	}
	if isNew || r.r.IntN(2) == 0 {
		k.Total = r.amount()
		k.Due = k.Total
		if r.r.IntN(3) == 0 {
			k.Due = decimal.Zero
		} else if r.r.IntN(2) == 0 {
			k.Due = k.Total.Div(decimal.New(2, 0)).Round(2)
		}
	}
	if r.r.IntN(3) == 0 {
		k.Status = []core.ContractStatus{core.Draft, core.Signed, core.Cancelled}[r.r.IntN(3)]
		if k.Status == core.Signed {
			k.SignedAt = r.moment()
		}
	}
	k.UpdatedAt = r.moment()
	store(r, r.m.contracts, "", "put contract", k.ID, k, core.Tx.PutContract)
}

func (r *run) deleteContract() { deleteRecord(r, r.m.contracts, "contract", core.Tx.DeleteContract) }

// ---- operations on events

func (r *run) putEvent(isNew bool) {
	e, ok := pickOrNew(r, r.m.events, isNew, core.Event{ID: r.id(), CreatedAt: r.moment()})
	if !ok {
		return
	}
	if isNew {
		e.ContractID = pickID(r, r.m.contracts, 95)
		e.ClientID = r.m.contracts.byID[e.ContractID].ClientID
		e.SupportID = r.support()
	}
	if isNew || r.r.IntN(2) == 0 {
		e.Start = r.moment()
		if len(r.m.events.ids) > 0 && r.r.IntN(10) == 0 { // the same start as another event
			e.Start = r.m.events.byID[pickID(r, r.m.events, 100)].Start
		}
		e.End = e.Start.Add(time.Duration(r.r.IntN(48)+1) * time.Hour)
	}
	if isNew || r.r.IntN(2) == 0 {
		e.Name, e.Location = r.one(eventNames), r.one(places)
	}
	e.Attendees, e.Notes, e.UpdatedAt = r.r.IntN(100001), strings.Repeat("x", r.r.IntN(30)), r.moment()
	store(r, r.m.events, "", "put event", e.ID, e, core.Tx.PutEvent)
}

func (r *run) support() uuid.UUID {
	if r.r.IntN(3) == 0 {
		return uuid.Nil
	}
	return pickID(r, r.m.users, 90)
}

func (r *run) assignSupport() {
	if len(r.m.events.ids) == 0 {
		return
	}
	e := r.m.events.byID[pickID(r, r.m.events, 100)]
	e.SupportID = r.support()
	store(r, r.m.events, "", "assign support", e.ID, e, core.Tx.PutEvent)
}

func (r *run) deleteEvent() { deleteRecord(r, r.m.events, "event", core.Tx.DeleteEvent) }

// ---- audit trail, throttles, and updates that fail half-way

func (r *run) anyRecordID() uuid.UUID {
	switch r.r.IntN(5) {
	case 0:
		return pickID(r, r.m.users, 90)
	case 1:
		return pickID(r, r.m.clients, 90)
	case 2:
		return pickID(r, r.m.contracts, 90)
	case 3:
		return pickID(r, r.m.events, 90)
	}
	return uuid.Nil
}

func (r *run) appendAudit() {
	entries := make([]core.AuditEntry, 1+r.r.IntN(3))
	for i := range entries {
		entries[i] = core.AuditEntry{
			At: r.moment(), ActorID: pickID(r, r.m.users, 90), Action: r.one([]string{core.ActionCreate, core.ActionUpdate, core.ActionSign}),
			Record: core.ClientRecord, RecordID: r.anyRecordID(), Fields: []string{"email", "phone", "notes"}[:r.r.IntN(4)],
		}
	}
	ok := r.update("", "append audit", func(tx core.Tx) error {
		for i := range entries {
			if err := tx.AppendAudit(&entries[i]); err != nil {
				return err
			}
		}
		return nil
	})
	for _, e := range entries {
		if !ok {
			break
		}
		if e.Seq != uint64(len(r.m.audit)+1) {
			r.t.Errorf("operation %d: audit seq %d, want %d", r.op, e.Seq, len(r.m.audit)+1)
		}
		r.m.audit = append(r.m.audit, e)
	}
}

func (r *run) putThrottle() {
	email := r.email()
	th := core.Throttle{Failures: r.r.IntN(8), LockedUntil: r.moment()}
	if r.r.IntN(3) == 0 {
		th = core.Throttle{}
	}
	if r.update("", "put throttle", func(tx core.Tx) error { return tx.PutThrottle(email, th) }) {
		if th == (core.Throttle{}) {
			delete(r.m.throttle, normModel(email))
		} else {
			r.m.throttle[normModel(email)] = th
		}
	}
}

// abortedUpdate changes records then fails: nothing of it may remain.
func (r *run) abortedUpdate() {
	err := r.db.Update(func(tx core.Tx) error {
		if len(r.m.events.ids) > 0 {
			e := r.m.events.byID[pickID(r, r.m.events, 100)]
			e.Start, e.SupportID, e.Name = r.moment(), r.id(), "aborted"
			if err := tx.PutEvent(&e); err != nil {
				return err
			}
		}
		if len(r.m.users.ids) > 0 {
			if err := tx.DeleteUser(pickID(r, r.m.users, 100)); err != nil {
				return err
			}
		}
		u := core.User{ID: r.id(), Email: fmt.Sprintf("aborted%d@example.com", r.op), FullName: "Aborted"}
		if err := tx.PutUser(&u); err != nil {
			return err
		}
		if err := tx.AppendAudit(&core.AuditEntry{RecordID: u.ID, Action: "aborted"}); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		r.t.Errorf("operation %d: aborted update: %v", r.op, err)
	}
}
