// Package datadir owns the files of the data directory ($EPICEVENTS_HOME, else <user config
// dir>/epicevents): the database's name, the session file the window and the command line
// share, atomic writes, the database file's lock and the swap that puts a restored copy in
// place. Both faces and storage use it; it knows nothing of bbolt's format, so the window can
// use it without importing storage.
package datadir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/epicevents/crm/core"
)

// The names of the files in the data directory.
const (
	// DatabaseFile is the database.
	DatabaseFile = "epicevents.db"
	// SessionFile holds the token of the session the command line and the window share.
	SessionFile = "session"
)

// Home returns the data directory: $EPICEVENTS_HOME (made absolute), else
// <user config dir>/epicevents (PRODUCT.md §6).
func Home() (string, error) {
	if d := os.Getenv("EPICEVENTS_HOME"); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a configuration directory; set EPICEVENTS_HOME: %w", err)
	}
	return filepath.Join(base, "epicevents"), nil
}

// Database returns the path of the database in dir.
func Database(dir string) string { return filepath.Join(dir, DatabaseFile) }

// Session returns the path of the session file in dir.
func Session(dir string) string { return filepath.Join(dir, SessionFile) }

// ReadSession returns the token saved in dir's session file; "" with a nil error when there is
// none.
func ReadSession(dir string) (string, error) {
	b, err := os.ReadFile(Session(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read session file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// SaveSession writes token to dir's session file, private (0600) and atomically.
func SaveSession(dir, token string) error {
	if err := WriteFileAtomic(Session(dir), []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("write session file: %w", err)
	}
	return nil
}

// RemoveSession removes dir's session file; a missing file is not an error.
func RemoveSession(dir string) error {
	if err := os.Remove(Session(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove session file: %w", err)
	}
	return nil
}

// IsOwnFile reports whether name (a base name in the database's directory) is one of the files
// that belong to the database named base: the session file, the database, its kept copies and
// temporary files. Backups and exports refuse to overwrite them.
func IsOwnFile(name, base string) bool {
	return name == SessionFile || strings.HasPrefix(name, base) || strings.HasPrefix(name, "."+base)
}

// WriteFileAtomic writes data to path so that readers see either the old file or the whole new
// one, even after a crash: it writes a temporary file in the same directory, syncs it, sets
// perm, renames it over path and syncs the directory.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return WriteAtomic(path, perm, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// WriteAtomic writes a temporary file beside path with write, then puts it in place as
// WriteFileAtomic does.
func WriteAtomic(path string, perm os.FileMode, write func(*os.File) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := rename(f.Name(), path); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir makes renames and links in dir durable. Windows cannot sync a directory and needs not.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if err = errors.Join(err, d.Close()); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// SameFile reports whether a and b name the same file (or the same path when neither exists).
func SameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return (errA == nil && errB == nil && os.SameFile(fa, fb)) || filepath.Clean(a) == filepath.Clean(b)
}

// ErrInUse is wrapped by the error of a database file another program keeps locked.
var ErrInUse = errors.New("database is in use by another program")

// InUseError is the coded error of a database file whose lock another program keeps: it wraps
// ErrInUse and names path.
func InUseError(path string) error {
	e := core.NewError(core.Internal, core.CodeInUse, path)
	e.Err = sentinel{ErrInUse}
	return e
}

// sentinel carries a sentinel for errors.Is without repeating its text in the Error's.
type sentinel struct{ err error }

func (s sentinel) Error() string { return "" }
func (s sentinel) Unwrap() error { return s.err }

// Lock takes the exclusive lock bbolt takes on a database file, waiting up to timeout, and
// returns the function that releases it: restore holds it on a database too damaged for bbolt
// to open, so that no other program opens the file while it is replaced. Errors:
// InUseError when another program keeps the lock.
func Lock(path string, timeout time.Duration) (func(), error) {
	f, err := openForLock(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		busy, err := tryLock(f)
		switch {
		case err == nil && !busy:
			return func() { _ = f.Close() }, nil
		case err != nil:
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		case time.Now().After(deadline):
			_ = f.Close()
			return nil, InUseError(path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Rename renames old over new as os.Rename does; on Windows it retries for a moment while
// another program (an antivirus, the indexer) holds new open.
func Rename(old, new string) error { return rename(old, new) }

// Place puts the new database tmp at dst, where there is none: a link fails rather than
// overwrite one created meanwhile; where links are not supported, a rename does.
func Place(tmp, dst string) error {
	if err := os.Link(tmp, dst); err != nil && (errors.Is(err, fs.ErrExist) || rename(tmp, dst) != nil) {
		return err
	}
	return SyncDir(filepath.Dir(dst))
}

// Swap keeps dst under a dated name (dst.YYYYMMDD-HHMMSS.bak: a hard link, or a copy where
// links are not supported), then renames tmp over dst, so that dst always names a whole
// database. It returns the dated name.
func Swap(tmp, dst string) (string, error) {
	prev, err := keepPrevious(dst)
	if err != nil {
		return "", fmt.Errorf("keep the current database: %w", err)
	}
	if err := rename(tmp, dst); err != nil {
		return "", err
	}
	return prev, SyncDir(filepath.Dir(dst))
}

// keepPrevious gives dst a second, dated name: dst.YYYYMMDD-HHMMSS.bak, with -2, -3… when
// taken.
func keepPrevious(dst string) (string, error) {
	base := dst + "." + time.Now().Format("20060102-150405")
	for i := 1; i < 100; i++ {
		name := base + ".bak"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.bak", base, i)
		}
		err := os.Link(dst, name)
		if err == nil || (!errors.Is(err, fs.ErrExist) && copyFile(dst, name) == nil) {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("too many copies named %s*.bak", base)
}

// CopyBeside copies the regular file src to a new private file in the directory of dst,
// synced, and returns its name.
func CopyBeside(src, dst string) (name string, err error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	if fi, err := in.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("not a regular file")
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", err
	}
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".restore-*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

// copyFile copies src to the new file dst (mode 0600), synced.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	return errors.Join(err, out.Close())
}
