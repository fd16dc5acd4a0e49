package cli

import (
	"errors"
	"io/fs"
	"os"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
	"github.com/epicevents/crm/replica"
	"github.com/epicevents/crm/storage"
)

// bulkClients is the number of clients above which a listing loads every client at once to
// show their names, rather than reading them one by one.
const bulkClients = 16

var errNotInitialised = &cliError{code: exitUnauthenticated, msg: "database not initialised — run epicevents init"}

func errNotLoggedIn() error {
	return core.Errorf(core.Unauthenticated, "not logged in — run epicevents login --email E")
}

// dbMode says how a command opens the database.
type dbMode int

const (
	dbInitialised dbMode = iota // must exist and be initialised; opened for writing
	dbCreate                    // created when missing (init)
	// dbReadOnly: must exist and be initialised; opened read-only with bbolt's shared lock, so
	// that any number of read-only commands run side by side. It cannot bring an older schema
	// up to date: such a file is refused with the message that it must be opened for writing.
	dbReadOnly
)

// readOnlyCommands are the commands that only read: they open the database with dbReadOnly.
var readOnlyCommands = map[string]bool{
	"status": true, "whoami": true, "audit": true, "check": true,
	"user list": true, "user view": true, "user search": true,
	"client list": true, "client view": true, "client search": true,
	"contract list": true, "contract mine": true, "contract unsigned": true, "contract unpaid": true,
	"contract view": true, "contract search": true,
	"event list": true, "event mine": true, "event upcoming": true, "event unassigned": true,
	"event view": true, "event search": true, "event agenda": true,
}

// withDB opens the database, runs fn with a service over it, and closes it.
func (r *runner) withDB(mode dbMode, fn func(db *storage.DB, svc *core.Service) error) (err error) {
	path := r.dbPath()
	if mode != dbCreate {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return errNotInitialised
		}
	}
	open := func() (*storage.DB, error) { return storage.Open(path, storage.Options{}) }
	if mode == dbReadOnly {
		open = func() (*storage.DB, error) { return openReadOnly(path) }
	}
	db, err := open()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	opts := core.Options{Monitor: r.env.Monitor}
	if mode != dbReadOnly && (r.team || db.TeamMode()) {
		r.engine = replica.New(db)
		opts.Replicator, opts.Refetcher = r.engine, r.engine
		defer func() {
			_ = r.engine.Close()
			r.engine = nil
		}()
	}
	svc := core.NewService(db, opts)
	if mode != dbCreate {
		ok, err := svc.Initialized()
		if err != nil {
			return err
		}
		if !ok {
			return errNotInitialised
		}
	}
	return fn(db, svc)
}

// openReadOnly opens a database read-only; a database of an older schema version is first
// opened for writing once, which upgrades it (the upgrade is one transaction).
func openReadOnly(path string) (*storage.DB, error) {
	db, err := storage.Open(path, storage.Options{ReadOnly: true})
	if !errors.Is(err, storage.ErrOlderSchema) {
		return db, err
	}
	if db, err = storage.Open(path, storage.Options{}); err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	return storage.Open(path, storage.Options{ReadOnly: true})
}

// session is an open database with a logged-in collaborator: what most commands run with. It
// also caches the names shown instead of ids.
type session struct {
	*runner
	db       *storage.DB
	svc      *core.Service
	actor    *core.Actor
	contacts map[uuid.UUID]core.Contact
	clients  map[uuid.UUID]core.Client
}

// withSession opens the database — read-only for the commands of readOnlyCommands —, resumes
// the session of the session file and runs fn.
func (r *runner) withSession(fn func(s *session) error) error {
	mode := dbInitialised
	if r.readOnly {
		mode = dbReadOnly
	}
	return r.withDB(mode, func(db *storage.DB, svc *core.Service) error {
		tok, err := r.readToken()
		if err != nil {
			return err
		}
		a, err := svc.Resume(tok)
		if err != nil {
			return err
		}
		r.actor = a
		return fn(&session{runner: r, db: db, svc: svc, actor: a})
	})
}

// checkSession fails as withSession would when nobody is logged in or the session is no longer
// valid, holding the database only for that look (with the shared lock): a command that then
// asks for a password says so before asking.
func (r *runner) checkSession() error {
	ro := r.readOnly
	r.readOnly = true
	defer func() { r.readOnly = ro }()
	return r.withSession(func(*session) error { return nil })
}

// readToken reads the session file.
func (r *runner) readToken() (string, error) {
	tok, err := datadir.ReadSession(r.env.DataDir)
	if err != nil {
		return "", err
	}
	if tok == "" {
		return "", errNotLoggedIn()
	}
	return tok, nil
}

// saveToken writes the session file (private, atomically).
func (r *runner) saveToken(tok string) error { return datadir.SaveSession(r.env.DataDir, tok) }

// contactName returns the name of a collaborator, "" for none or unknown.
func (s *session) contactName(id uuid.UUID) (string, error) {
	if id == uuid.Nil {
		return "", nil
	}
	if s.contacts == nil {
		list, err := s.svc.Contacts(s.actor)
		if err != nil {
			return "", err
		}
		s.contacts = make(map[uuid.UUID]core.Contact, len(list))
		for _, c := range list {
			s.contacts[c.ID] = c
		}
	}
	return s.contacts[id].FullName, nil
}

// loadClients caches the clients with the given ids, for their names: one by one when they are
// few, all at once otherwise.
func (s *session) loadClients(ids []uuid.UUID) error {
	if s.clients == nil {
		s.clients = map[uuid.UUID]core.Client{}
	}
	missing := make(map[uuid.UUID]bool)
	for _, id := range ids {
		if _, ok := s.clients[id]; !ok && id != uuid.Nil {
			missing[id] = true
		}
	}
	if len(missing) > bulkClients {
		all, _, err := s.svc.ListClients(s.actor, core.ClientQuery{})
		for _, c := range all {
			s.clients[c.ID] = c
		}
		return err
	}
	for id := range missing {
		c, err := s.svc.GetClient(s.actor, id)
		if err != nil && core.KindOf(err) != core.NotFound {
			return err
		}
		s.clients[id] = c
	}
	return nil
}
