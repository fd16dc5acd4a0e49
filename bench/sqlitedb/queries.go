package sqlitedb

import (
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

// The queries of the benchmarks, each in the default order of the product (clients by name,
// contracts newest first, events by start), each row read into the product's record type.
const (
	clientCols   = `id, full_name, email, phone, company_name, commercial_id, notes, created_at, updated_at`
	contractCols = `id, client_id, commercial_id, total_cents, due_cents, status, signed_at, created_at, updated_at`
	eventCols    = `e.id, e.contract_id, e.client_id, e.name, e.start, e.end, e.location, e.attendees, e.notes, e.support_id, e.created_at, e.updated_at`
	userCols     = `id, employee_number, full_name, email, department, password_hash, active, session_epoch, password_changed_at, created_at, updated_at`

	clientOrder   = ` ORDER BY full_name COLLATE NOCASE, email`
	contractOrder = ` ORDER BY created_at DESC, id`
	eventOrder    = ` ORDER BY e.start, e.name`

	QueryClientByID       = `SELECT ` + clientCols + ` FROM clients WHERE id = ?`
	QueryEventByID        = `SELECT ` + eventCols + ` FROM events e WHERE e.id = ?`
	QueryUserByEmail      = `SELECT ` + userCols + ` FROM users WHERE email = ?`
	QueryClientByEmail    = `SELECT ` + clientCols + ` FROM clients WHERE email = ?`
	QueryClientsOf        = `SELECT ` + clientCols + ` FROM clients WHERE commercial_id = ?` + clientOrder
	QueryUnsignedOf       = `SELECT ` + contractCols + ` FROM contracts WHERE commercial_id = ? AND status = 'draft'` + contractOrder
	QueryUnpaidOf         = `SELECT ` + contractCols + ` FROM contracts WHERE commercial_id = ? AND due_cents > 0 AND status <> 'cancelled'` + contractOrder
	QueryEventsOfSupport  = `SELECT ` + eventCols + ` FROM events e WHERE e.support_id = ?` + eventOrder
	QueryUnassignedEvents = `SELECT ` + eventCols + ` FROM events e WHERE e.support_id IS NULL` + eventOrder
	QueryEventsBetween    = `SELECT ` + eventCols + ` FROM events e WHERE e.start BETWEEN ? AND ?` + eventOrder
	QuerySearchClients    = `SELECT ` + clientCols + ` FROM clients WHERE full_name LIKE ?1 OR email LIKE ?1 OR company_name LIKE ?1 OR phone LIKE ?1` + clientOrder
	QuerySearchEvents     = `SELECT ` + eventCols + ` FROM events e JOIN clients c ON c.id = e.client_id WHERE e.name LIKE ?1 OR e.location LIKE ?1 OR c.full_name LIKE ?1` + eventOrder
	QueryAllClients       = `SELECT ` + clientCols + ` FROM clients` + clientOrder
)

// Clients runs a query of clients.
func Clients(db *sql.DB, query string, args ...any) ([]core.Client, error) {
	return list(db, query, args, scanClient)
}

// Contracts runs a query of contracts.
func Contracts(db *sql.DB, query string, args ...any) ([]core.Contract, error) {
	return list(db, query, args, scanContract)
}

// Events runs a query of events.
func Events(db *sql.DB, query string, args ...any) ([]core.Event, error) {
	return list(db, query, args, scanEvent)
}

// Users runs a query of users.
func Users(db *sql.DB, query string, args ...any) ([]core.User, error) {
	return list(db, query, args, scanUser)
}

func list[R any](db *sql.DB, query string, args []any, scan func(*sql.Rows) (R, error)) ([]R, error) {
	rows, err := db.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]R, 0)
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanClient(rows *sql.Rows) (core.Client, error) {
	var c core.Client
	var id, commercial []byte
	var created, updated int64
	err := rows.Scan(&id, &c.FullName, &c.Email, &c.Phone, &c.CompanyName, &commercial, &c.Notes, &created, &updated)
	c.ID, c.CommercialID = uuidOf(id), uuidOf(commercial)
	c.CreatedAt, c.UpdatedAt = timeOf(created), timeOf(updated)
	return c, err
}

func scanContract(rows *sql.Rows) (core.Contract, error) {
	var k core.Contract
	var id, client, commercial []byte
	var total, due, created, updated int64
	var signed sql.NullInt64
	var status string
	err := rows.Scan(&id, &client, &commercial, &total, &due, &status, &signed, &created, &updated)
	k.ID, k.ClientID, k.CommercialID = uuidOf(id), uuidOf(client), uuidOf(commercial)
	k.Total, k.Due, k.Status = decimal.New(total, -2), decimal.New(due, -2), core.ContractStatus(status)
	k.SignedAt, k.CreatedAt, k.UpdatedAt = timeOf(signed.Int64), timeOf(created), timeOf(updated)
	return k, err
}

func scanEvent(rows *sql.Rows) (core.Event, error) {
	var e core.Event
	var id, contract, client, support []byte
	var start, end, created, updated int64
	err := rows.Scan(&id, &contract, &client, &e.Name, &start, &end, &e.Location, &e.Attendees, &e.Notes,
		&support, &created, &updated)
	e.ID, e.ContractID, e.ClientID, e.SupportID = uuidOf(id), uuidOf(contract), uuidOf(client), uuidOf(support)
	e.Start, e.End, e.CreatedAt, e.UpdatedAt = timeOf(start), timeOf(end), timeOf(created), timeOf(updated)
	return e, err
}

func scanUser(rows *sql.Rows) (core.User, error) {
	var u core.User
	var id []byte
	var dept string
	var epoch uint32 // the session epoch is laptop-local state since schema 2: read and dropped
	var changed, created, updated int64
	err := rows.Scan(&id, &u.EmployeeNumber, &u.FullName, &u.Email, &dept, &u.PasswordHash, &u.Active,
		&epoch, &changed, &created, &updated)
	u.ID, u.Department = uuidOf(id), core.Department(dept)
	u.PasswordChangedAt, u.CreatedAt, u.UpdatedAt = timeOf(changed), timeOf(created), timeOf(updated)
	return u, err
}

func uuidOf(b []byte) uuid.UUID {
	var id uuid.UUID
	copy(id[:], b)
	return id
}

func timeOf(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// CreateClient inserts a client and its audit entry in one durable transaction, after checking
// that its commercial is an active commercial, as the product's CreateClient does.
func CreateClient(db *sql.DB, c core.Client, actor uuid.UUID, at time.Time) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var dept string
	var active bool
	if err := tx.QueryRow(`SELECT department, active FROM users WHERE id = ?`, c.CommercialID[:]).Scan(&dept, &active); err != nil {
		return err
	}
	if _, err := tx.Exec(insertClient, clientArgs(&c)...); err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO audit (at, actor_id, action, record, record_id, fields) VALUES (?,?,?,?,?,?)`,
		nanos(at), actor[:], core.ActionCreate, string(core.ClientRecord), c.ID[:],
		"full_name,email,phone,company_name,notes,commercial_contact")
	if err != nil {
		return err
	}
	return tx.Commit()
}

// ClearThrottle removes the login-failure state of an email in one durable transaction, the
// write a successful login makes.
func ClearThrottle(db *sql.DB, email string) error {
	_, err := db.Exec(`DELETE FROM throttle WHERE email = ?`, email)
	return err
}
