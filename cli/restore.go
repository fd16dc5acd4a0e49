package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
	"github.com/epicevents/crm/storage"
)

const restoreUsage = `Restore the database from a backup:

  epicevents restore FILE                   put the backup FILE in place of the database

  The backup is copied beside the database and checked first (bbolt pages and every index):
  a damaged backup, or one written by a newer version, is refused (exit 5) and nothing changes.
  The current database is kept beside it as epicevents.db.YYYYMMDD-HHMMSS.bak (local time),
  then the checked copy replaces it in one atomic rename.

  Restore works only when no other program holds the database (exit 1 otherwise). When the
  current database can be read, it needs a management session of that database (exit 3 or 4);
  a database too damaged to open, or one never initialised, can be restored without one —
  whoever can write the data directory can replace the file anyway.
  The restore is recorded in the restored database's audit trail. Sessions do not survive it:
  the restored database gets a new session key at the next login, so everyone logs in again.
  --json prints {"ok", "path", "backup", "previous"}.
`

// restoreOut is the JSON answer of restore.
type restoreOut struct {
	OK       bool    `json:"ok"`
	Path     string  `json:"path"`
	Backup   string  `json:"backup"`
	Previous *string `json:"previous"`
}

func runRestore(r *runner, args []string) error {
	f := r.newFlags("restore", restoreUsage)
	pos, err := f.parse(args, "FILE")
	if err != nil {
		return err
	}
	src, err := filepath.Abs(pos[0])
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	dst := r.dbPath()
	if datadir.SameFile(src, dst) {
		return usagef("restore", "%s is the database itself", src)
	}
	tmp, err := datadir.CopyBeside(src, dst)
	if err != nil {
		return &cliError{code: exitInvalid, msg: fmt.Sprintf("cannot read the backup %s: %v", src, unwrapPath(err))}
	}
	defer os.Remove(tmp) // gone already once renamed into place
	if err := verifyBackup(tmp, src); err != nil {
		return err
	}
	prev, err := r.replaceDatabase(tmp, dst)
	if err != nil {
		return err
	}
	out := restoreOut{OK: true, Path: dst, Backup: src}
	text := fmt.Sprintf("Database restored from %s.", src)
	if prev != "" {
		out.Previous = &prev
		text += "\nThe previous database is kept as " + prev + "."
	}
	return r.done(out, "%s", text)
}

// unwrapPath drops the operation and path of a file error, already named in the message.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// verifyBackup opens the copy of a backup read-only and checks it (a copy of an older version
// is upgraded first): it must be a readable, initialised database of this version whose check
// finds no problem. Errors name src and have exit code 5.
func verifyBackup(tmp, src string) (err error) {
	refuse := func(format string, args ...any) error {
		return &cliError{code: exitInvalid, msg: fmt.Sprintf("the backup %s ", src) + fmt.Sprintf(format, args...) + "; nothing was restored"}
	}
	// A backup of an older version: its copy (never the backup itself) is upgraded.
	db, err := openReadOnly(tmp)
	switch {
	case errors.Is(err, storage.ErrDamaged):
		return refuse("is damaged")
	case errors.Is(err, storage.ErrNewerSchema):
		return refuse("was written by a newer version of Epic Events CRM")
	case err != nil:
		return refuse("cannot be opened: %v", err)
	}
	defer db.Close()
	var ce *storage.CheckError
	switch err := db.Check(); {
	case errors.Is(err, storage.ErrDamaged):
		return refuse("is damaged")
	case errors.As(err, &ce):
		return refuse("failed its check with %d problem(s), the first: %v", len(ce.Problems), ce.Problems[0])
	case err != nil:
		return refuse("cannot be checked: %v", err)
	}
	ok, err := core.NewService(db, core.Options{}).Initialized()
	if err != nil || !ok {
		return refuse("is not an initialised Epic Events database")
	}
	return nil
}

// replaceDatabase puts tmp in place of dst while holding dst's lock, after core has accepted
// the actor of the session on the current database. It returns the name under which the
// previous database is kept ("" when there was none).
func (r *runner) replaceDatabase(tmp, dst string) (string, error) {
	if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
		if err := r.prepareRestored(tmp, nil); err != nil {
			return "", err
		}
		// No database: a link fails rather than overwrite one created meanwhile; where links
		// are not supported, a rename does.
		if err := datadir.Place(tmp, dst); err != nil {
			return "", fmt.Errorf("restore: %w", err)
		}
		return "", nil
	}
	db, err := storage.Open(dst, storage.Options{})
	var by *core.Actor
	switch {
	case errors.Is(err, storage.ErrDamaged):
	case err != nil:
		return "", err
	default:
		by, err = r.mayRestore(db)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", err
		}
	}
	// The swap happens with the database closed — Windows refuses to rename over a file that
	// is open and memory-mapped — and under the file's lock, so that no other program opens
	// it meanwhile. Another program that took it in between makes this wait, then exit "in
	// use" with nothing changed.
	unlock, err := datadir.Lock(dst, storage.DefaultTimeout)
	if err != nil {
		return "", err
	}
	defer unlock()
	if err := r.prepareRestored(tmp, by); err != nil {
		return "", err
	}
	prev, err := datadir.Swap(tmp, dst)
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	return prev, nil
}

// mayRestore asks core whether the actor of the session may replace the current database; a
// database never initialised needs no session (it holds nothing to protect: the actor is nil).
func (r *runner) mayRestore(db *storage.DB) (*core.Actor, error) {
	svc := core.NewService(db, core.Options{Monitor: r.env.Monitor})
	if ok, err := svc.Initialized(); err != nil || !ok {
		return nil, err
	}
	tok, err := r.readToken()
	if err != nil {
		return nil, err
	}
	a, err := svc.Resume(tok)
	if err != nil {
		return nil, err
	}
	r.actor = a
	return a, svc.AuthorizeRestore(a)
}

// prepareRestored opens the checked copy for writing (which also brings an older schema up to
// date) and has core drop its laptop-local state and record the restore, by the actor core
// accepted (nil: the system).
func (r *runner) prepareRestored(tmp string, by *core.Actor) (err error) {
	db, err := storage.Open(tmp, storage.Options{})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer func() {
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("restore: %w", cerr)
		}
	}()
	return core.NewService(db, core.Options{Monitor: r.env.Monitor}).PrepareRestored(by)
}
