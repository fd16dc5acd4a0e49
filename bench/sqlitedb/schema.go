// Package sqlitedb holds the records of Epic Events CRM in SQLite (modernc.org/sqlite, pure
// Go), with the indexes a competent developer would make, to compare the product's bbolt store
// with. It is only for benchmarks: the product itself keeps no SQLite dependency.
package sqlitedb

import (
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// schema is the layout: ids are 16-byte blobs, times Unix nanoseconds, amounts cents.
const schema = `
CREATE TABLE users (
	id BLOB PRIMARY KEY, employee_number TEXT NOT NULL UNIQUE, full_name TEXT NOT NULL,
	email TEXT NOT NULL UNIQUE, department TEXT NOT NULL, password_hash TEXT NOT NULL,
	active INTEGER NOT NULL, session_epoch INTEGER NOT NULL, password_changed_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE clients (
	id BLOB PRIMARY KEY, full_name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, phone TEXT NOT NULL,
	company_name TEXT NOT NULL, commercial_id BLOB NOT NULL REFERENCES users(id), notes TEXT NOT NULL,
	created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE contracts (
	id BLOB PRIMARY KEY, client_id BLOB NOT NULL REFERENCES clients(id),
	commercial_id BLOB NOT NULL REFERENCES users(id), total_cents INTEGER NOT NULL,
	due_cents INTEGER NOT NULL, status TEXT NOT NULL, signed_at INTEGER,
	created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE events (
	id BLOB PRIMARY KEY, contract_id BLOB NOT NULL REFERENCES contracts(id),
	client_id BLOB NOT NULL REFERENCES clients(id), name TEXT NOT NULL, start INTEGER NOT NULL,
	end INTEGER NOT NULL, location TEXT NOT NULL, attendees INTEGER NOT NULL, notes TEXT NOT NULL,
	support_id BLOB REFERENCES users(id), created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE audit (
	seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id BLOB, action TEXT NOT NULL,
	record TEXT NOT NULL, record_id BLOB NOT NULL, fields TEXT NOT NULL);
CREATE TABLE throttle (email TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until INTEGER);
`

// indexes are created after the bulk load. There is deliberately no index on clients(full_name):
// with it SQLite's planner walks that index for every ordered query, and a search becomes a
// lookup per client (4× slower than a scan and a sort) while listing all clients gains nothing.
const indexes = `
CREATE INDEX clients_by_commercial ON clients(commercial_id);
CREATE INDEX contracts_by_client ON contracts(client_id);
CREATE INDEX contracts_by_commercial ON contracts(commercial_id, status);
CREATE INDEX events_by_contract ON events(contract_id);
CREATE INDEX events_by_client ON events(client_id);
CREATE INDEX events_by_support ON events(support_id, start);
CREATE INDEX events_by_start ON events(start);
CREATE INDEX audit_by_record ON audit(record_id, seq);
ANALYZE;
`

// Open opens a SQLite database with the settings of a desktop application that must not lose
// an acknowledged change: WAL journal, synchronous FULL (each commit fsyncs the log), a 64 MiB
// page cache and the file memory-mapped.
func Open(path string) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=cache_size(-65536)&_pragma=mmap_size(4294967296)&_pragma=busy_timeout(2000)" +
		"&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// Build creates the SQLite database at path with the records of the bbolt database at from.
func Build(from, path string) error {
	src, err := storage.Open(from, storage.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Close()
	tmp := path + ".building"
	_ = os.Remove(tmp)
	db, err := Open(tmp)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if _, err := db.Exec(schema); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if err := src.View(func(tx core.Tx) error { return copyAll(db, tx) }); err != nil {
		return err
	}
	if _, err := db.Exec(indexes); err != nil {
		return fmt.Errorf("indexes: %w", err)
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "built %s in %v\n", path, time.Since(start).Round(time.Millisecond))
	if err := db.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// copyAll inserts every record of tx in one SQLite transaction.
func copyAll(db *sql.DB, tx core.Tx) error {
	users, _, err := tx.Users(core.UserFilter{})
	if err != nil {
		return err
	}
	clients, _, err := tx.Clients(core.ClientFilter{})
	if err != nil {
		return err
	}
	contracts, _, err := tx.Contracts(core.ContractFilter{})
	if err != nil {
		return err
	}
	events, _, err := tx.Events(core.EventFilter{})
	if err != nil {
		return err
	}
	audit, _, err := tx.Audit(core.AuditFilter{})
	if err != nil {
		return err
	}
	st, err := db.Begin()
	if err != nil {
		return err
	}
	defer st.Rollback()
	for _, step := range []func(*sql.Tx) error{
		func(t *sql.Tx) error { return insertAll(t, insertUser, users, userArgs) },
		func(t *sql.Tx) error { return insertAll(t, insertClient, clients, clientArgs) },
		func(t *sql.Tx) error { return insertAll(t, insertContract, contracts, contractArgs) },
		func(t *sql.Tx) error { return insertAll(t, insertEvent, events, eventArgs) },
		func(t *sql.Tx) error { return insertAll(t, insertAudit, audit, auditArgs) },
	} {
		if err := step(st); err != nil {
			return err
		}
	}
	return st.Commit()
}

func insertAll[R any](t *sql.Tx, query string, rows []R, args func(*R) []any) error {
	stmt, err := t.Prepare(query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range rows {
		if _, err := stmt.Exec(args(&rows[i])...); err != nil {
			return fmt.Errorf("%s: %w", query[:30], err)
		}
	}
	return nil
}

const (
	insertUser     = `INSERT INTO users VALUES (?,?,?,?,?,?,?,?,?,?,?)`
	insertClient   = `INSERT INTO clients VALUES (?,?,?,?,?,?,?,?,?)`
	insertContract = `INSERT INTO contracts VALUES (?,?,?,?,?,?,?,?,?)`
	insertEvent    = `INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`
	insertAudit    = `INSERT INTO audit VALUES (?,?,?,?,?,?,?)`
)

func userArgs(u *core.User) []any {
	return []any{u.ID[:], u.EmployeeNumber, u.FullName, u.Email, string(u.Department), u.PasswordHash,
		u.Active, 0, nanos(u.PasswordChangedAt), nanos(u.CreatedAt), nanos(u.UpdatedAt)}
}

func clientArgs(c *core.Client) []any {
	return []any{c.ID[:], c.FullName, c.Email, c.Phone, c.CompanyName, c.CommercialID[:], c.Notes,
		nanos(c.CreatedAt), nanos(c.UpdatedAt)}
}

func contractArgs(k *core.Contract) []any {
	var signed any
	if !k.SignedAt.IsZero() {
		signed = nanos(k.SignedAt)
	}
	return []any{k.ID[:], k.ClientID[:], k.CommercialID[:], k.Total.Shift(2).IntPart(),
		k.Due.Shift(2).IntPart(), string(k.Status), signed, nanos(k.CreatedAt), nanos(k.UpdatedAt)}
}

func eventArgs(e *core.Event) []any {
	var support any
	if e.SupportID != uuid.Nil {
		support = e.SupportID[:]
	}
	return []any{e.ID[:], e.ContractID[:], e.ClientID[:], e.Name, nanos(e.Start), nanos(e.End),
		e.Location, e.Attendees, e.Notes, support, nanos(e.CreatedAt), nanos(e.UpdatedAt)}
}

func auditArgs(a *core.AuditEntry) []any {
	var actor any
	if a.ActorID != uuid.Nil {
		actor = a.ActorID[:]
	}
	fields := ""
	for i, f := range a.Fields {
		if i > 0 {
			fields += ","
		}
		fields += f
	}
	return []any{a.Seq, nanos(a.At), actor, a.Action, string(a.Record), a.RecordID[:], fields}
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
