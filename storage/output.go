package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
)

var _ core.Admin = (*DB)(nil)

// outputKind is what a destination turned out to be.
type outputKind int

const (
	outStream  outputKind = iota // core.Destination.Writer
	outRegular                   // a regular file, new or replaced atomically
	outSpecial                   // a character device or a FIFO, written in place
)

// output is a checked destination: what to write to, and where.
type output struct {
	kind outputKind
	path string // the file, its symbolic links followed (outRegular, outSpecial)
	name string // the path as given, for messages
	w    io.Writer
}

// refuse returns the Invalid error shown for a destination that cannot be written.
func refuse(name, format string, args ...any) error {
	return core.NewError(core.Invalid, core.CodeCannotWrite, name, fmt.Sprintf(format, args...))
}

// refuseErr words a file-system error about the destination for people: its cause without
// the operation and the temporary names.
func refuseErr(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return refuse(name, "%v", err)
}

// checkOutput looks at a destination before anything is written: a path that is one of the
// database's own files is refused, so is a directory, a block device or a socket; a
// character device or a FIFO is written in place; a regular file (new or existing) is written
// beside and renamed over it, its missing directories created (0700).
func (db *DB) checkOutput(dst core.Destination) (output, error) {
	if dst.Path == "" {
		if dst.Writer == nil {
			return output{}, core.NewError(core.Invalid, core.CodeNoOutput)
		}
		return output{kind: outStream, w: dst.Writer, name: "standard output"}, nil
	}
	name := dst.Path
	final, err := followLinks(dst.Path)
	if err != nil {
		return output{}, refuseErr(name, err)
	}
	if db.isOwnFile(dst.Path, final) {
		return output{}, core.NewError(core.Invalid, core.CodeOwnFile, name)
	}
	fi, err := os.Stat(final)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
			return output{}, refuseErr(name, err)
		}
		return output{kind: outRegular, path: final, name: name}, nil
	case err != nil:
		return output{}, refuseErr(name, err)
	case fi.Mode().IsRegular():
		return output{kind: outRegular, path: final, name: name}, nil
	case fi.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return output{kind: outSpecial, path: final, name: name}, nil
	case fi.IsDir():
		return output{}, refuse(name, "it is a directory")
	}
	return output{}, refuse(name, "it is not a regular file")
}

// followLinks makes path absolute and follows the symbolic links of its last element, so
// that a link is written through rather than replaced.
func followLinks(path string) (string, error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	for range 40 {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	return "", errors.New("too many levels of symbolic links")
}

// isOwnFile reports whether path (final once its links are followed) is one of the database's
// own files: the database, its siblings (epicevents.db.*.bak copies kept by restore, lock and
// temporary files) or the session file. An existing file is compared by identity (device and
// inode: a hard link or a symbolic link to the database is caught whatever its name); a new one
// by its name in the database's directory, that directory also compared by identity.
func (db *DB) isOwnFile(path, final string) bool {
	dir, base := filepath.Split(db.path)
	if dir == "" {
		dir = "."
	}
	own := func(name string) bool { return datadir.IsOwnFile(name, base) }
	if fi, err := os.Stat(path); err == nil {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !own(e.Name()) {
				continue
			}
			if oi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && os.SameFile(fi, oi) {
				return true
			}
		}
	}
	pd, err := os.Stat(filepath.Dir(final))
	if err != nil {
		return false
	}
	dd, err := os.Stat(dir)
	return err == nil && os.SameFile(pd, dd) && own(filepath.Base(final))
}

// WriteExport writes data to dst (core.Admin): a regular file atomically with mode 0600, a
// character device or FIFO in place, a stream as it is. Errors: Invalid for a destination that
// is one of the database's own files or cannot be written.
func (db *DB) WriteExport(dst core.Destination, data []byte) error {
	out, err := db.checkOutput(dst)
	if err != nil {
		return err
	}
	switch out.kind {
	case outRegular:
		if err := datadir.WriteFileAtomic(out.path, data, 0o600); err != nil {
			return refuseErr(out.name, err)
		}
		return nil
	case outSpecial:
		return writeSpecial(out, func(w io.Writer) error { _, err := w.Write(data); return err })
	}
	if _, err := out.w.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", out.name, err)
	}
	return nil
}

// writeSpecial writes to a character device or a FIFO in place: opened for writing only,
// never created, truncated or renamed over.
func writeSpecial(out output, write func(io.Writer) error) error {
	f, err := os.OpenFile(out.path, os.O_WRONLY, 0)
	if err != nil {
		return refuseErr(out.name, err)
	}
	fi, err := f.Stat()
	if err == nil && fi.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) == 0 {
		err = errors.New("it changed while being opened")
	}
	if err == nil {
		err = write(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return refuseErr(out.name, err)
	}
	return nil
}
