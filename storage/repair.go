package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// localLastBackup is the local_meta key of the last backup file written on this laptop: the
// one repair takes records from when it is given none. It never leaves the laptop.
const localLastBackup = "last_backup"

// localDamage is the problem of a damaged entry of a local_* bucket (this laptop's own state).
type localDamage struct{ msg string }

func (p *localDamage) Error() string { return p.msg }

// Inspect checks the database like Check and sorts what it found (core.Admin): damaged
// records by type and id, index entries, and the rest. A file too damaged to be read at all
// gives an error wrapping ErrDamaged.
func (db *DB) Inspect() (core.CheckReport, error) {
	problems, err := db.problems()
	if err != nil {
		return core.CheckReport{}, err
	}
	return reportOf(problems), nil
}

// problems runs the checks of Check.
func (db *DB) problems() ([]error, error) {
	var problems []error
	err := db.boltTx(false, func(tx *bbolt.Tx) error {
		problems = CheckTx(tx)
		return nil
	})
	return problems, err
}

// reportOf sorts the problems of a check.
func reportOf(problems []error) core.CheckReport {
	var r core.CheckReport
	for _, p := range problems {
		r.Problems = append(r.Problems, p.Error())
		var rd *recordDamage
		var id *indexDamage
		switch {
		case errors.As(p, &rd):
			r.Records = append(r.Records, rd.ref)
		case errors.As(p, &id):
			r.Indexes = append(r.Indexes, id.p)
		default:
			r.Other = append(r.Other, p.Error())
		}
	}
	return r
}

// rememberBackup keeps the path of a backup just written, for repair; a failure to keep it
// (a read-only file) only loses that convenience.
func (db *DB) rememberBackup(path string) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	_ = db.boltTx(true, func(tx *bbolt.Tx) error { return putLocalMeta(tx, localLastBackup, []byte(path)) })
}

// LastBackup returns the path of the last backup written on this laptop ("" when none).
func (db *DB) LastBackup() (string, error) {
	var p []byte
	err := db.boltTx(false, func(tx *bbolt.Tx) error {
		var err error
		p, err = getLocalMeta(tx, localLastBackup)
		return err
	})
	return string(p), err
}

// Repair mends the database in place (core.Admin), in one write transaction: each damaged
// record is put back from opt.Fetched (the cluster's copy) or else from the backup
// (opt.Backup, or the last backup written on this laptop) when the backup's copy passes its
// own checksum, or else removed; each gets an audit entry (ActionRepairRestore with its Source
// and the fields changed since the copy, or ActionRepairLost). Damaged entries of the local
// state are removed, and every index is rebuilt. Before changing a record, the damaged file is
// copied beside the database (DB.YYYYMMDD-HHMMSS.damaged). Problems of the file itself (pages,
// buckets) are refused: only restoring a backup mends those.
func (db *DB) Repair(opt core.RepairOptions) (core.RepairResult, error) {
	var res core.RepairResult
	problems, err := db.problems()
	if err != nil {
		return res, err
	}
	before := reportOf(problems)
	if before.OK() {
		return core.RepairResult{After: before}, nil
	}
	local := 0
	for _, p := range problems {
		var ld *localDamage
		var rd *recordDamage
		var id *indexDamage
		switch {
		case errors.As(p, &ld):
			local++
		case errors.As(p, &rd), errors.As(p, &id):
		default:
			return res, core.NewError(core.Conflict, core.CodeBeyondRepair, p)
		}
	}
	backup := opt.Backup
	if backup == "" && len(before.Records) > 0 {
		if backup, err = db.LastBackup(); err != nil {
			return res, err
		}
		if _, err := os.Stat(backup); backup != "" && err != nil {
			backup = "" // moved or deleted since: not a source any more
		}
	}
	copies, lastSeq, err := backupCopies(backup, before.Records)
	if err != nil {
		return res, err
	}
	if len(before.Records) > 0 && backup != "" {
		res.Backup = backup
	}
	if len(before.Records) > 0 || local > 0 {
		res.Kept = fmt.Sprintf("%s.%s.damaged", db.path, opt.At.Local().Format("20060102-150405"))
		if err := db.boltTx(false, func(tx *bbolt.Tx) error { return tx.CopyFile(res.Kept, 0o600) }); err != nil {
			_ = os.Remove(res.Kept)
			if diskFull(err) { // nothing changed: the database is untouched
				return core.RepairResult{}, fileError(core.CodeDiskFull, ErrDiskFull, err)
			}
			return core.RepairResult{}, fmt.Errorf("keep a copy of the damaged file: %w", err)
		}
	}
	fetched := map[core.RecordRef]core.Fetched{}
	for _, f := range opt.Fetched {
		fetched[core.RecordRef{Type: f.Record.Type, ID: f.Record.ID}] = f
	}
	err = db.run(true, false, func(t *tx) error {
		var entries []core.AuditEntry
		for _, ref := range before.Records {
			tb, key := tableKey(ref)
			if f, ok := fetched[ref]; ok && tb.rt != "" {
				if err := t.btx.Bucket(tb.bucket).Delete(key); err != nil {
					return err
				}
				if err := t.PutRecord(f.Record, f.Rev); err == nil {
					res.Restored = append(res.Restored, core.Restored{Record: ref, Source: "cluster"})
					entries = append(entries, repairEntry(opt, core.ActionRepairRestore, ref, "cluster", nil))
					continue
				} else if core.KindOf(err) != core.Conflict && core.KindOf(err) != core.Invalid {
					return err
				}
			}
			if v, ok := copies[ref]; ok {
				if err := t.btx.Bucket(tb.bucket).Put(key, v); err != nil {
					return err
				}
				source := "backup " + filepath.Base(backup)
				var lost []string
				if tb.rt != "" {
					lost = changedSince(t.btx, ref, lastSeq)
				}
				res.Restored = append(res.Restored, core.Restored{Record: ref, Source: source, Lost: lost})
				entries = append(entries, repairEntry(opt, core.ActionRepairRestore, ref, source, lost))
				res.Recopy = db.TeamMode()
				continue
			}
			if err := t.btx.Bucket(tb.bucket).Delete(key); err != nil {
				return err
			}
			res.Lost = append(res.Lost, ref)
			entries = append(entries, repairEntry(opt, core.ActionRepairLost, ref, "", nil))
			res.Recopy = db.TeamMode()
		}
		if res.Recopy {
			// The backup's copy may be older than what this laptop had pulled, and a lost record
			// may still be in the cluster: the next sync copies the dataset again.
			if err := putLocalMeta(t.btx, core.MetaRecopy, []byte("1")); err != nil {
				return err
			}
		}
		n, err := dropDamagedLocal(t.btx)
		if err != nil {
			return err
		}
		res.Local = n
		c := &checker{tx: t.btx}
		for _, tb := range tables {
			if !touched(tb, before) {
				continue
			}
			if err := reindexTable(t.btx, tb, c); err != nil {
				return err
			}
		}
		if len(c.problems) > 0 {
			return &CheckError{Problems: c.problems}
		}
		for i := range entries {
			if err := t.AppendAudit(&entries[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if res.Kept != "" {
			_ = os.Remove(res.Kept) // nothing changed: the database itself is the damaged file
		}
		return core.RepairResult{}, err
	}
	res.After, err = db.Inspect()
	return res, err
}

// repairEntry is the audit entry of one record's repair.
func repairEntry(opt core.RepairOptions, action string, ref core.RecordRef, source string, lost []string) core.AuditEntry {
	e := core.AuditEntry{At: opt.At, ActorID: opt.ActorID, Action: action, Record: ref.Type,
		RecordID: ref.ID, Fields: lost, Source: source}
	if ref.Type == core.AuditRecord && ref.Seq > 0 {
		e.Fields = []string{fmt.Sprintf("#%d", ref.Seq)}
	}
	return e
}

// tableKey returns the table and key of a record.
func tableKey(ref core.RecordRef) (*table, []byte) {
	if ref.Type == core.AuditRecord {
		return auditTable, seqKey(ref.Seq)
	}
	return tableOf[ref.Type], bytes.Clone(ref.ID[:])
}

// backupCopies opens the backup read-only and returns the stored values of the records of refs
// it holds whose checksum passes, and the last audit sequence it holds. No backup: nothing.
func backupCopies(path string, refs []core.RecordRef) (map[core.RecordRef][]byte, uint64, error) {
	copies := map[core.RecordRef][]byte{}
	if path == "" || len(refs) == 0 {
		return copies, 0, nil
	}
	bk, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		return nil, 0, core.NewError(core.Invalid, core.CodeBackupUnusable, path, err)
	}
	defer bk.Close()
	var last uint64
	err = bk.boltTx(false, func(tx *bbolt.Tx) error {
		for _, ref := range refs {
			tb, key := tableKey(ref)
			b := tx.Bucket(tb.bucket)
			if b == nil {
				continue
			}
			v := b.Get(key)
			if v == nil {
				continue
			}
			if p, err := tb.seal.open(key, v); err == nil {
				if _, err := tb.entries(key, p); err == nil {
					copies[ref] = bytes.Clone(v)
				}
			}
		}
		if b := tx.Bucket(bucketAudit); b != nil {
			if k, _ := b.Cursor().Last(); len(k) == seqLen {
				last = binary.BigEndian.Uint64(k)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, core.NewError(core.Invalid, core.CodeBackupUnusable, path, err)
	}
	return copies, last, nil
}

// changedSince lists the fields that the audit trail shows changed on a record after the entry
// afterSeq (the last one a backup holds): what restoring the backup's copy loses. A deletion
// or creation after it is named by its action.
func changedSince(btx *bbolt.Tx, ref core.RecordRef, afterSeq uint64) []string {
	var out []string
	cur := btx.Bucket(bucketAudit).Cursor()
	for k, v := cur.Seek(seqKey(afterSeq + 1)); k != nil; k, v = cur.Next() {
		p, err := auditTable.seal.open(k, v)
		if err != nil {
			continue
		}
		e, err := decodeAudit(p)
		if err != nil || e.RecordID != ref.ID || e.Record != ref.Type {
			continue
		}
		names := e.Fields
		if len(names) == 0 {
			names = []string{e.Action}
		}
		for _, f := range names {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// dropDamagedLocal removes the damaged entries of the local buckets and returns how many.
func dropDamagedLocal(btx *bbolt.Tx) (int, error) {
	n := 0
	for _, name := range localBuckets {
		b := btx.Bucket(name)
		if b == nil {
			continue
		}
		var bad [][]byte
		_ = b.ForEach(func(k, v []byte) error {
			if err := checkLocal(name, k, v); err != nil {
				bad = append(bad, bytes.Clone(k))
			}
			return nil
		})
		for _, k := range bad {
			if err := b.Delete(k); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// touched reports whether the repair of rep changes a record of tb or one of its indexes: only
// those indexes are rebuilt (the audit trail's are large).
func touched(tb *table, rep core.CheckReport) bool {
	rt := tb.rt
	if rt == "" {
		rt = core.AuditRecord
	}
	for _, r := range rep.Records {
		if r.Type == rt {
			return true
		}
	}
	for _, x := range rep.Indexes {
		for _, idx := range tb.indexes {
			if x.Index == string(idx.name) {
				return true
			}
		}
	}
	return false
}
