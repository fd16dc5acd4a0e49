package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// RecordRef names one stored record: its type and id, or, for an audit entry (AuditRecord), its
// position Seq in this laptop's trail.
type RecordRef struct {
	Type RecordType
	ID   uuid.UUID
	Seq  uint64
}

// String names the record as the reports do: "client 0b6f…" or "audit entry #12".
func (r RecordRef) String() string {
	if r.Type == AuditRecord {
		return fmt.Sprintf("audit entry #%d", r.Seq)
	}
	return string(r.Type) + " " + r.ID.String()
}

// IndexProblem is an index entry that is damaged or out of step with its record.
type IndexProblem struct {
	// Index is the index's name (idx_clients_by_email).
	Index string
	// Record is the record the entry belongs to; its ID is zero when the damage hides it (the
	// key of a unique index is an email: not shown either).
	Record RecordRef
	// Problem says what is wrong, for people.
	Problem string
}

// CheckReport is what a check of the database found: every damaged record by type and id,
// every index entry damaged or out of step, and the other problems (the file's pages, this
// laptop's local state). The zero value is a healthy database.
type CheckReport struct {
	Records []RecordRef
	Indexes []IndexProblem
	Other   []string
	// Problems holds every problem as the check wrote it, in the order found (the causes
	// included: "damaged client …: checksum mismatch").
	Problems []string
}

// OK reports whether the check found nothing wrong.
func (r CheckReport) OK() bool {
	return len(r.Records) == 0 && len(r.Indexes) == 0 && len(r.Other) == 0
}

// Lines lists the problems, one sentence each: damaged records first.
func (r CheckReport) Lines() []string {
	var out []string
	for _, ref := range r.Records {
		out = append(out, "damaged "+ref.String())
	}
	for _, x := range r.Indexes {
		out = append(out, x.Index+": "+x.Problem)
	}
	return append(out, r.Other...)
}

// Advice says what to do about the problems found; "" when there are none.
func (r CheckReport) Advice() string {
	switch {
	case r.OK():
		return ""
	case len(r.Records) > 0:
		return "run `epicevents repair` (File → Check database… → Repair in the window): it restores " +
			"the damaged records from the latest backup (or from the team's cluster in team mode), " +
			"records what was lost in the audit trail and rebuilds the indexes"
	case len(r.Indexes) > 0 && len(r.Other) == 0:
		return "run `epicevents repair` (or `epicevents reindex`): it rebuilds the indexes from the records"
	}
	return "the file itself is damaged: restore the latest backup (`epicevents restore FILE`)"
}

// Fetched is a record a Refetcher got back from elsewhere (the team's cluster), in wire form
// with its revision there.
type Fetched struct {
	Record Wire
	Rev    uint64
}

// Refetcher gets healthy copies of damaged records from elsewhere: in team mode the sync
// engine fetches them from the cluster, so that a laptop heals from its colleagues' copy.
// Repair asks it first, when one is set (Options.Refetcher), and a backup for the rest.
type Refetcher interface {
	// Refetch returns the records of refs it could find; a record it cannot find is left out.
	Refetch(ctx context.Context, refs []RecordRef) ([]Fetched, error)
}

// RepairOptions say where Repair takes healthy copies of damaged records.
type RepairOptions struct {
	// Backup is the backup file; "" takes the last backup written on this laptop, if any.
	Backup string
	// Fetched are the copies the Refetcher found (set by Service.Repair); they win over the
	// backup's.
	Fetched []Fetched
	// At and ActorID make the audit entries of the repair.
	At      time.Time
	ActorID uuid.UUID
}

// Restored is one damaged record that Repair put back.
type Restored struct {
	Record RecordRef
	// Source is where the copy came from: "cluster" or "backup FILE".
	Source string
	// Lost names the fields the audit trail shows changed after the copy was made: their
	// changes are lost.
	Lost []string
}

// RepairResult says what Repair did.
type RepairResult struct {
	// Restored are the damaged records put back, and Lost those no copy was found of:
	// removed, since their bytes cannot be trusted.
	Restored []Restored
	Lost     []RecordRef
	// Local counts the damaged entries of this laptop's own state removed (a session, a login
	// counter, a reminder: they are made again as needed).
	Local int
	// Backup is the backup file used ("" when none was).
	Backup string
	// Kept is where the damaged file was copied before the repair changed it ("" when nothing
	// needed a change beyond the indexes).
	Kept string
	// After is the check of the repaired database.
	After CheckReport
	// Recopy is true in team mode when a record was put back from a backup or removed: the
	// next sync copies the team's dataset again from the cluster (MetaRecopy).
	Recopy bool
}

// Audit actions of a repair: the entry's Source says where the copy came from.
const (
	// ActionRepairRestore: the damaged record of RecordID was put back from Source; Fields
	// lists the fields whose later changes were lost.
	ActionRepairRestore = "repair_restore"
	// ActionRepairLost: the damaged record of RecordID had no healthy copy and was removed.
	ActionRepairLost = "repair_lost"
)

// Inspect checks the database and returns what it found, record by record; each damaged record
// is reported to monitoring (type and id, never its content). Management only.
// Errors: Unauthenticated, Forbidden, and the Admin's (a file too damaged to check).
func (s *Service) Inspect(a *Actor) (CheckReport, error) {
	ad, err := s.administer(a, permissions.Check, "check the database")
	if err != nil {
		return CheckReport{}, err
	}
	rep, err := ad.Inspect()
	if err != nil {
		return rep, s.report(a, InternalError("check", err))
	}
	s.reportDamagedRecords(a, rep.Records)
	return rep, nil
}

// reportDamagedRecords sends monitoring one event per damaged record, once per process.
func (s *Service) reportDamagedRecords(a *Actor, refs []RecordRef) {
	for _, ref := range refs {
		if ref.Type == AuditRecord {
			continue // audit entries have no id; the check names them
		}
		s.reportDamaged(a, DamagedError(ref.Type, ref.ID))
	}
}

// Repair rebuilds what can be rebuilt: damaged records from the Refetcher (team mode) first,
// then from a backup (opt.Backup, or the last one written on this laptop), each put back
// with an audit entry saying where from and which later changes were lost; a damaged record
// with no healthy copy is removed with an audit entry saying so; then every index is rebuilt.
// Management only. Errors: Unauthenticated, Forbidden, Invalid (a backup that cannot be
// used), and the Admin's.
func (s *Service) Repair(ctx context.Context, a *Actor, opt RepairOptions) (RepairResult, error) {
	ad, err := s.administer(a, permissions.Repair, "repair the database")
	if err != nil {
		return RepairResult{}, err
	}
	opt.At, opt.ActorID, opt.Fetched = s.Now(), a.id, nil
	if s.refetch != nil {
		rep, err := ad.Inspect()
		if err != nil {
			return RepairResult{}, s.report(a, InternalError("repair", err))
		}
		var refs []RecordRef
		for _, r := range rep.Records {
			if r.Type != AuditRecord {
				refs = append(refs, r)
			}
		}
		if len(refs) > 0 {
			// A cluster out of reach is not fatal: the backup is the next source.
			if got, err := s.refetch.Refetch(ctx, refs); err == nil {
				opt.Fetched = got
			} else {
				s.monitor.Error(InternalError("repair: refetch", err), a)
			}
		}
	}
	res, err := ad.Repair(opt)
	return res, s.report(a, InternalError("repair", err))
}

// recopyAdvice tells why a repair in team mode copies the team's data again.
const recopyAdvice = "the next sync copies the team's data again from the cluster: records put back from a backup catch up with the changes made since"

// Summary describes a repair's outcome in sentences, for both faces.
func (r RepairResult) Summary() []string {
	var out []string
	for _, x := range r.Restored {
		line := "restored " + x.Record.String() + " from the " + x.Source
		if len(x.Lost) > 0 {
			line += "; later changes lost: " + strings.Join(x.Lost, ", ")
		}
		out = append(out, line)
	}
	for _, ref := range r.Lost {
		out = append(out, "lost "+ref.String()+": no healthy copy; removed")
	}
	if r.Local > 0 {
		out = append(out, fmt.Sprintf("removed %d damaged entries of this laptop's own state", r.Local))
	}
	if r.Kept != "" {
		out = append(out, "the damaged file was kept as "+r.Kept)
	}
	if r.Recopy {
		out = append(out, recopyAdvice)
	}
	return out
}
