package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
)

// DefaultTimeout is how long Open waits for another program to release the database: PRODUCT.md
// §6's limit for telling a second program that the database is in use. It is also the longest
// wait Open allows; callers may ask for less (Options.Timeout).
const DefaultTimeout = 2 * time.Second

// ErrInUse is returned by Open when another program holds the database (datadir's, which the
// faces' own lock returns too).
var ErrInUse = datadir.ErrInUse

// ErrDamaged is returned when the database file is not a readable bbolt database: Open,
// View and Update return it instead of the panic bbolt raises on a damaged file.
var ErrDamaged = errors.New("the database is damaged")

// ErrDiskFull is wrapped by the error of a write that found no room: the disk is full or the
// file reached the size limit of the system. Nothing of the transaction was written.
var ErrDiskFull = errors.New("no room left for the database")

// Options configures Open.
type Options struct {
	// Timeout bounds the wait for the file lock held by another program; 0 or less means
	// DefaultTimeout.
	Timeout time.Duration
	// ReadOnly opens the database for reading only, sharing it with other readers. The file
	// must exist and be at the current schema version (ErrOlderSchema otherwise).
	ReadOnly bool
}

// DB is an open database. It implements core.Store and core.SyncStore and is safe for
// concurrent use: any number of View transactions run alongside at most one Update.
type DB struct {
	bolt *bbolt.DB
	path string
	// origin is this laptop's id, read at open.
	origin uuid.UUID
	// team is set in team mode: write transactions of core are captured in the outbox.
	team atomic.Bool
}

var (
	_ core.Store     = (*DB)(nil)
	_ core.SyncStore = (*DB)(nil)
)

// Open opens the database file at path, creating it (mode 0600, parent directory 0700) and
// migrating it to SchemaVersion unless opts.ReadOnly. Errors wrap ErrInUse when another program
// keeps the file locked beyond the timeout, ErrNewerSchema when a newer program wrote it, and
// ErrDamaged when it is not a readable database.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout <= 0 || opts.Timeout > DefaultTimeout {
		opts.Timeout = DefaultTimeout
	}
	if !opts.ReadOnly {
		if err := prepareFile(path); err != nil {
			return nil, err
		}
	}
	bdb, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	db := &DB{bolt: bdb, path: path}
	if err := db.init(opts.ReadOnly); err != nil {
		_ = bdb.Close()
		var newer newerSchemaError
		if errors.As(err, &newer) {
			return nil, fileError(core.CodeNewerSchema, ErrNewerSchema, nil, path, newer.version, SchemaVersion)
		}
		return nil, err
	}
	return db, nil
}

// openBolt opens the file with bbolt, which panics on some damaged files. Files whose meta pages
// point past their end are refused first (see checkFile).
func openBolt(path string, opts Options) (bdb *bbolt.DB, err error) {
	if err := checkFile(path, opts.ReadOnly); err != nil {
		return nil, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			bdb, err = nil, damaged(path, fmt.Errorf("panic: %v", r))
		}
	}()
	// The free list is loaded here, where a fault on a damaged file is recovered, rather than
	// later on the goroutine of bbolt's Check (read-only databases load it lazily).
	bdb, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly, PreLoadFreelist: true})
	if err != nil {
		return nil, openError(path, err)
	}
	return bdb, nil
}

// prepareFile creates the parent directory and keeps an existing file private.
func prepareFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	fi, err := os.Stat(path)
	if err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 && runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("open database: %w", err)
		}
	}
	return nil
}

func openError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return InUseError(path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping),
		strings.Contains(err.Error(), "file size too small"): // bbolt has no sentinel for a truncated file
		return damaged(path, err)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

func damaged(path string, cause error) error {
	return fileError(core.CodeDatabaseDamaged, ErrDamaged, cause, path)
}

// InUseError is the error of a database file whose lock another program keeps: it wraps
// ErrInUse and names path (datadir.InUseError).
func InUseError(path string) error { return datadir.InUseError(path) }

// fileError is the Internal *core.Error of a failure of the database file as a whole (in use,
// damaged, written by a newer version, disk full): its code and message tell people what to
// do, in both faces; sentinel (ErrInUse…) and cause stay reachable by errors.Is and in Error().
func fileError(code core.Code, sentinel, cause error, args ...any) error {
	e := core.NewError(core.Internal, code, args...)
	e.Err = sentinelCause{sentinel: sentinel, cause: cause}
	return e
}

// sentinelCause carries a sentinel error for errors.Is and the cause of a failure for the logs;
// its text is the cause's alone (the *core.Error holding it says the rest).
type sentinelCause struct{ sentinel, cause error }

func (c sentinelCause) Error() string {
	if c.cause == nil {
		return ""
	}
	return c.cause.Error()
}

func (c sentinelCause) Unwrap() []error {
	if c.cause == nil {
		return []error{c.sentinel}
	}
	return []error{c.sentinel, c.cause}
}

// init migrates a writable database, or checks the version of a read-only one.
func (db *DB) init(readOnly bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = damaged(db.path, fmt.Errorf("panic: %v", r))
		}
	}()
	if err := db.boltTx(false, func(tx *bbolt.Tx) error { return verifyTree(tx, db.path) }); err != nil {
		return err
	}
	if !readOnly {
		if err := db.boltTx(true, migrate); err != nil {
			return db.initError(err)
		}
	} else if err := db.boltTx(false, db.checkReadOnly); err != nil {
		return db.initError(err)
	}
	return db.initError(db.boltTx(false, db.loadLocal))
}

// initError turns an error of a corrupt value met at open into one wrapping ErrDamaged.
func (db *DB) initError(err error) error {
	if err != nil && errors.Is(err, errCorrupt) && !errors.Is(err, ErrDamaged) {
		return damaged(db.path, err)
	}
	return err
}

// checkReadOnly checks the version of a database opened read-only: it cannot be migrated.
func (db *DB) checkReadOnly(tx *bbolt.Tx) error {
	v, err := schemaVersion(tx)
	if err != nil {
		return err
	}
	if err := checkVersion(v); err != nil {
		return err
	}
	if v == 0 { // every database this program wrote has a version
		return damaged(db.path, errors.New("no schema version"))
	}
	if v < SchemaVersion {
		return fmt.Errorf("%w (schema version %d)", ErrOlderSchema, v)
	}
	return nil
}

// loadLocal reads this laptop's id and the team mode flag.
func (db *DB) loadLocal(tx *bbolt.Tx) error {
	origin, err := getLocalMeta(tx, localOrigin)
	if err != nil {
		return err
	}
	switch len(origin) {
	case 0: // a backup opened read-only: opened for writing, it gets its own id
	case idLen:
		db.origin = uuid.UUID(origin)
	default:
		return corrupt(fmt.Errorf("laptop id has %d bytes, want %d", len(origin), idLen))
	}
	team, err := getLocalMeta(tx, localTeamMode)
	if err != nil {
		return err
	}
	db.team.Store(len(team) == 1 && team[0] == 1)
	return nil
}

// Close closes the database. Transactions still running are waited for.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close database %s: %w", db.path, err)
	}
	return nil
}

// Path returns the file name of the database.
func (db *DB) Path() string { return db.path }

// View runs fn in a read-only transaction. An error from fn is returned unchanged; a damaged
// file gives an error wrapping ErrDamaged; any other failure an Internal *core.Error.
func (db *DB) View(fn func(core.Tx) error) error {
	return db.run(false, false, func(t *tx) error { return fn(t) })
}

// Update runs fn in a read-write transaction, committed durably (fsync) when fn returns nil and
// rolled back otherwise. In team mode the change joins the outbox in the same transaction.
// Errors as for View.
func (db *DB) Update(fn func(core.Tx) error) error {
	return db.run(true, true, func(t *tx) error { return fn(t) })
}

// run runs fn in a transaction; capture asks for the outbox capture of a write transaction in
// team mode.
func (db *DB) run(writable, capture bool, fn func(*tx) error) error {
	var fnErr error
	err := db.boltTx(writable, func(btx *bbolt.Tx) error {
		t := &tx{btx: btx, db: db}
		if writable && capture && db.team.Load() {
			t.capture, t.change = true, newChangeSet()
		}
		fnErr = fn(t)
		if fnErr == nil && t.capture {
			fnErr = t.flushChange()
		}
		return fnErr
	})
	switch {
	case fnErr != nil && errors.Is(fnErr, errCorrupt):
		return damaged(db.path, fnErr)
	case fnErr != nil:
		return fnErr
	case err == nil, errors.Is(err, ErrDamaged):
		return err
	case diskFull(err):
		return fileError(core.CodeDiskFull, ErrDiskFull, err)
	case writable:
		return core.InternalError("storage update", err)
	}
	return core.InternalError("storage view", err)
}

// boltTx runs fn in a bbolt transaction, turning a panic raised inside bbolt (or a memory fault
// on the mapped file) into an error wrapping ErrDamaged. Other panics go on.
func (db *DB) boltTx(writable bool, fn func(*bbolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !damagePanic(r) {
				panic(r)
			}
			err = damaged(db.path, fmt.Errorf("panic: %v", r))
		}
	}()
	if writable {
		return db.bolt.Update(fn)
	}
	return db.bolt.View(fn)
}

// damagePanic reports whether a recovered panic comes from a damaged file: a fault on memory
// (the mapped file) or a panic raised in bbolt's own code. It must be called by the deferred
// function that recovered, while the panicking frames are still on the stack.
func damagePanic(r any) bool {
	if _, fault := r.(interface{ Addr() uintptr }); fault {
		return true
	}
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}
