package storage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
)

// copyTxSize is how many bytes of keys and values a backup writes per transaction of the copy.
const copyTxSize = 32 << 20

// recordBucketsCounted are the buckets whose keys a backup counts as records.
var recordBucketsCounted = [][]byte{bucketUsers, bucketClients, bucketContracts, bucketEvents}

// Backup writes a consistent copy of the database to dst while it stays in use (core.Admin).
// The copy is a new database written record by record inside one read transaction of this
// one: it leaves out the laptop-local state — the meta keys of core.IsLocalMeta (the session
// signing key) and the login-throttling records — and holds none of the free pages where
// deleted values may linger. A regular file appears atomically with mode 0600, synced to disk;
// a character device, a FIFO or a stream receives the bytes of a copy made beside the
// database. It returns the number of records copied (collaborators, clients, contracts,
// events). Errors: Invalid for a destination that is one of the database's own files or
// cannot be written; ErrDamaged.
func (db *DB) Backup(dst core.Destination) (int, error) {
	out, err := db.checkOutput(dst)
	if err != nil {
		return 0, err
	}
	dir, prefix := filepath.Dir(db.path), "."+filepath.Base(db.path)+".backup-"
	if out.kind == outRegular {
		dir, prefix = filepath.Dir(out.path), "."+filepath.Base(out.path)+".tmp-"
	}
	f, err := os.CreateTemp(dir, prefix+"*")
	if err != nil {
		return 0, refuseErr(out.name, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // gone already once renamed into place
	if err := f.Close(); err != nil {
		return 0, refuseErr(out.name, err)
	}
	n, err := db.copyTo(tmp)
	if err != nil {
		return 0, err
	}
	switch out.kind {
	case outRegular:
		if err := datadir.Rename(tmp, out.path); err != nil {
			return 0, refuseErr(out.name, err)
		}
		if err := datadir.SyncDir(filepath.Dir(out.path)); err != nil {
			return n, err
		}
		db.rememberBackup(out.path)
		return n, nil
	case outSpecial:
		return n, writeSpecial(out, func(w io.Writer) error { return copyFileTo(w, tmp) })
	}
	if err := copyFileTo(out.w, tmp); err != nil {
		return 0, fmt.Errorf("write %s: %w", out.name, err)
	}
	return n, nil
}

func copyFileTo(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// copyTo writes the copy of a backup into the empty file path (mode 0600) and syncs it.
func (db *DB) copyTo(path string) (n int, err error) {
	dst, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: DefaultTimeout, NoSync: true})
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if cerr := dst.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("backup: %w", cerr)
		}
	}()
	c := &copier{dst: dst}
	defer c.rollback()
	err = db.boltTx(false, func(src *bbolt.Tx) error {
		return src.ForEach(func(name []byte, b *bbolt.Bucket) error {
			return c.bucket([][]byte{name}, b)
		})
	})
	if err == nil {
		err = c.commit()
	}
	if err == nil {
		err = dst.Sync()
	}
	if err != nil {
		if errors.Is(err, ErrDamaged) {
			return 0, err
		}
		return 0, fmt.Errorf("backup: %w", err)
	}
	return c.records, nil
}

// copier writes buckets into the copy of a backup, in transactions of about copyTxSize bytes.
type copier struct {
	dst     *bbolt.DB
	tx      *bbolt.Tx
	size    int
	records int
	open    map[string]*bbolt.Bucket // buckets of tx by path
}

// local reports whether the pair k of the bucket at path is laptop-local state, left out: the
// pairs of every local_* bucket (the buckets themselves are copied empty) and, in a file of
// schema 1, the meta keys of core.IsLocalMeta.
func local(path [][]byte, k []byte) bool {
	if len(path) != 1 {
		return false
	}
	return bytesIn(path[0], localBuckets) || bytes.Equal(path[0], bucketV1Throttle) ||
		(bytes.Equal(path[0], bucketMeta) && core.IsLocalMeta(string(k)))
}

// bucket copies the bucket b found at path, with its sequence and nested buckets.
func (c *copier) bucket(path [][]byte, b *bbolt.Bucket) error {
	to, err := c.at(path)
	if err != nil {
		return err
	}
	if err := to.SetSequence(b.Sequence()); err != nil {
		return err
	}
	counted := len(path) == 1 && bytesIn(path[0], recordBucketsCounted)
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if v == nil {
			if err := c.bucket(append(path[:len(path):len(path)], k), b.Bucket(k)); err != nil {
				return err
			}
			continue
		}
		if local(path, k) {
			continue
		}
		if counted {
			c.records++
		}
		if err := c.put(path, k, v); err != nil {
			return err
		}
	}
	return nil
}

// put writes one pair, starting a new transaction of the copy when the last is full.
func (c *copier) put(path [][]byte, k, v []byte) error {
	if c.size >= copyTxSize {
		if err := c.commit(); err != nil {
			return err
		}
	}
	to, err := c.at(path)
	if err != nil {
		return err
	}
	c.size += len(k) + len(v)
	return to.Put(k, v)
}

// at returns the bucket at path in the current transaction, created when missing.
func (c *copier) at(path [][]byte) (*bbolt.Bucket, error) {
	if c.tx == nil {
		tx, err := c.dst.Begin(true)
		if err != nil {
			return nil, err
		}
		c.tx, c.open, c.size = tx, map[string]*bbolt.Bucket{}, 0
	}
	key := string(bytes.Join(path, []byte{0}))
	if b, ok := c.open[key]; ok {
		return b, nil
	}
	b, err := c.tx.CreateBucketIfNotExists(path[0])
	for _, name := range path[1:] {
		if err != nil {
			break
		}
		b, err = b.CreateBucketIfNotExists(name)
	}
	if err != nil {
		return nil, err
	}
	b.FillPercent = 0.9 // keys arrive in order: pages may be filled up
	c.open[key] = b
	return b, nil
}

func (c *copier) commit() error {
	if c.tx == nil {
		return nil
	}
	err := c.tx.Commit()
	c.tx, c.open = nil, nil
	return err
}

func (c *copier) rollback() {
	if c.tx != nil {
		_ = c.tx.Rollback()
	}
}

func bytesIn(b []byte, list [][]byte) bool {
	for _, x := range list {
		if bytes.Equal(b, x) {
			return true
		}
	}
	return false
}

// DropLocalState removes the laptop-local state a restored copy may hold — every local_*
// bucket's content (signing key, sessions, throttling, outbox, shadows, conflicts, team mode)
// and the meta keys of core.IsLocalMeta — in one write transaction, gives the copy a laptop id
// of its own, and returns the number of records of the database (core.Admin).
func (db *DB) DropLocalState() (int, error) {
	n := 0
	var origin []byte
	err := db.boltTx(true, func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return errors.New("no meta bucket")
		}
		var drop [][]byte
		if err := meta.ForEach(func(k, _ []byte) error {
			if core.IsLocalMeta(string(k)) {
				drop = append(drop, bytes.Clone(k))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range drop {
			if err := meta.Delete(k); err != nil {
				return err
			}
		}
		for _, name := range localBuckets {
			if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := putOrigin(tx); err != nil {
			return err
		}
		origin, _ = getLocalMeta(tx, localOrigin)
		for _, name := range recordBucketsCounted {
			if b := tx.Bucket(name); b != nil {
				n += b.Stats().KeyN
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrDamaged) {
		return 0, fmt.Errorf("drop local state: %w", err)
	}
	if err == nil {
		db.origin = uuid.UUID(origin)
		db.team.Store(false)
	}
	return n, err
}
