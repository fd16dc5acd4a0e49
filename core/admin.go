package core

import (
	"errors"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// Destination is where a backup or an export is written: the file Path or, when Path is "",
// the stream Writer (standard output, a file the window opened).
type Destination struct {
	Path   string
	Writer io.Writer
}

// Admin is the administration of the database behind a Store, which storage.DB implements.
// The Service's methods of the same names authorize the actor and record the operation in the
// audit trail; an Admin does neither.
type Admin interface {
	// Backup writes a consistent copy of the database to dst without its laptop-local state
	// (the meta keys of IsLocalMeta, login throttling) and returns the number of records
	// (collaborators, clients, contracts, events) it holds. A Path that is one of the
	// database's own files is refused (Invalid); so is one that cannot be written.
	Backup(dst Destination) (int, error)
	// WriteExport writes data to dst, with the same refusals as Backup.
	WriteExport(dst Destination, data []byte) error
	// Check verifies the file and every index against the records.
	Check() error
	// Reindex rebuilds every index from the records.
	Reindex() error
	// Inspect checks like Check and lists what it found record by record.
	Inspect() (CheckReport, error)
	// Repair puts back damaged records from opt.Fetched and a backup, removes those with no
	// healthy copy, writes an audit entry for each, and rebuilds every index (RepairOptions).
	Repair(opt RepairOptions) (RepairResult, error)
	// Generate adds test records.
	Generate(opts GenerateOptions) (GenerateResult, error)
	// DropLocalState removes the laptop-local state that an old backup may hold (session
	// signing key, login throttling) and returns the number of records: run on a restored
	// copy before it is put in place.
	DropLocalState() (int, error)
}

// IsLocalMeta reports whether a meta key belongs to one laptop and never leaves it: it is
// left out of backups and replaced after a restore. The session signing key is one: a copy of
// it would let whoever holds a backup sign sessions for anybody.
func IsLocalMeta(key string) bool { return key == metaSigningKey }

// GenerateOptions says what Generate adds to a database.
type GenerateOptions struct {
	Clients, Contracts, Events int
	// Commercials and Supports are the collaborators added to own the clients and run the
	// events. Zero derives them: one commercial per 1,000 clients and one support per 2,000
	// events, at least one of each when there are clients or events to give them.
	Commercials, Supports int
	// PasswordHash is the PHC hash every added collaborator gets; required when any is added.
	PasswordHash string
	// ActorID is the author of the audit entries (uuid.Nil: the system).
	ActorID uuid.UUID
	// Now is the present of the generated history (zero: time.Now). Events start from two
	// years before it to one year after it.
	Now time.Time
	// Seed makes the records reproducible; 0 draws a random seed.
	Seed uint64
	// Batch is the number of records written per transaction (0: 50,000).
	Batch int
}

// Validate checks the counts of o. Errors: Invalid.
func (o GenerateOptions) Validate() error {
	switch {
	case o.Clients < 0 || o.Contracts < 0 || o.Events < 0 || o.Commercials < 0 || o.Supports < 0:
		return NewError(Invalid, CodeNegativeCounts)
	case o.Contracts > 0 && o.Clients == 0:
		return NewError(Invalid, CodeContractsNeedClients)
	case o.Events > 0 && o.Contracts == 0:
		return NewError(Invalid, CodeEventsNeedContracts)
	}
	return nil
}

// GenerateResult counts what Generate added.
type GenerateResult struct {
	Users, Clients, Contracts, Events, AuditEntries int
}

var errNoAdmin = errors.New("this database offers no administration")

// DatabaseRecord is the record type of audit entries about the database as a whole (backup,
// restore); their RecordID is uuid.Nil.
const DatabaseRecord RecordType = "database"

// administer authorizes a on a database action and returns the Admin of the service.
func (s *Service) administer(a *Actor, act action, what string) (Admin, error) {
	if err := authorize(a, resDatabase, act, what); err != nil {
		return nil, err
	}
	if s.admin == nil {
		return nil, s.report(a, InternalError("administer the database", errNoAdmin))
	}
	return s.admin, nil
}

// adminWhat names each database action in the Forbidden message of authorize.
var adminWhat = map[action]string{permissions.Backup: "back up the database",
	permissions.Restore: "restore the database", permissions.Check: "check the database",
	permissions.Reindex: "rebuild the indexes", permissions.Repair: "repair the database",
	permissions.Generate: "generate test data"}

// AuthorizeAdmin returns the error the Service's method of the database action act would return
// to a (nil when a may run it): for a face to refuse before preparing work the action needs.
func AuthorizeAdmin(a *Actor, act permissions.Action) error {
	what, ok := adminWhat[act]
	if !ok {
		what = string(act)
	}
	return authorize(a, resDatabase, act, what)
}

// CanAdminister reports whether a may run the database action act (backup, restore, check,
// reindex, generate), for the window to decide what it offers; the methods enforce it.
func CanAdminister(a *Actor, act permissions.Action) bool {
	return a.Can(resDatabase, act) != deny
}

// Backup writes a copy of the database without its laptop-local state to dst and records it
// in the audit trail with the number of records copied. Management only.
// Errors: Unauthenticated, Forbidden, Invalid (dst is one of the database's own files, or
// cannot be written).
func (s *Service) Backup(a *Actor, dst Destination) (int, error) {
	ad, err := s.administer(a, permissions.Backup, "back up the database")
	if err != nil {
		return 0, err
	}
	n, err := ad.Backup(dst)
	if err != nil {
		return 0, s.report(a, InternalError("backup", err))
	}
	return n, s.auditAlone(a, AuditEntry{Action: ActionBackup, Record: DatabaseRecord, Count: n})
}

// Export writes data — n records of type rec that the caller read through this service, as
// CSV — to dst, and records it in the audit trail (who, what, how many; not the content nor
// the file's name). Any logged-in collaborator may export what they may list.
// Errors: Unauthenticated, Forbidden, Invalid (dst is one of the database's own files, or
// cannot be written).
func (s *Service) Export(a *Actor, rec RecordType, n int, data []byte, dst Destination) error {
	r, ok := map[RecordType]resource{UserRecord: resUser, ClientRecord: resClient,
		ContractRecord: resContract, EventRecord: resEvent, AuditRecord: permissions.Audit}[rec]
	if !ok {
		return NewError(Invalid, CodeExportType, rec)
	}
	if err := authorize(a, r, permissions.List, "export these records"); err != nil {
		return err
	}
	if s.admin == nil {
		return s.report(a, InternalError("export", errNoAdmin))
	}
	if err := s.admin.WriteExport(dst, data); err != nil {
		return s.report(a, InternalError("export", err))
	}
	return s.auditAlone(a, AuditEntry{Action: ActionExport, Record: rec, Count: n})
}

// Check verifies the database file and its indexes. Management only. The error of the check
// is returned as the Admin gave it (it lists the problems found).
// Errors: Unauthenticated, Forbidden, and the Admin's.
func (s *Service) Check(a *Actor) error {
	ad, err := s.administer(a, permissions.Check, "check the database")
	if err != nil {
		return err
	}
	return ad.Check()
}

// Reindex rebuilds every index from the records. Management only.
// Errors: Unauthenticated, Forbidden, and the Admin's.
func (s *Service) Reindex(a *Actor) error {
	ad, err := s.administer(a, permissions.Reindex, "rebuild the indexes")
	if err != nil {
		return err
	}
	return ad.Reindex()
}

// Generate adds test records, their audit entries written by a. Management only.
// Errors: Unauthenticated, Forbidden, Invalid (options), and the Admin's.
func (s *Service) Generate(a *Actor, opts GenerateOptions) (GenerateResult, error) {
	ad, err := s.administer(a, permissions.Generate, "generate test data")
	if err != nil {
		return GenerateResult{}, err
	}
	if err := opts.Validate(); err != nil {
		return GenerateResult{}, err
	}
	opts.ActorID = a.id
	res, err := ad.Generate(opts)
	return res, s.report(a, InternalError("generate", err))
}

// AuthorizeRestore checks that a may replace this service's database with a backup: call it
// on the database about to be replaced, before anything changes. Management only.
// Errors: Unauthenticated, Forbidden.
func (s *Service) AuthorizeRestore(a *Actor) error {
	return authorize(a, resDatabase, permissions.Restore, "restore the database")
}

// PrepareRestored readies a restored copy, before it replaces the database: it drops the
// laptop-local state an old backup may hold — so that a new session signing key is made at the
// next login and every session from before the restore ends — and records the restore in the
// copy's audit trail. by is the actor that AuthorizeRestore accepted on the database being
// replaced, or nil when that database could not be read (then the system is named).
// Errors: Internal.
func (s *Service) PrepareRestored(by *Actor) error {
	if s.admin == nil {
		return s.report(by, InternalError("restore", errNoAdmin))
	}
	n, err := s.admin.DropLocalState()
	if err != nil {
		return s.report(by, InternalError("restore", err))
	}
	s.keyMu.Lock()
	s.key = nil
	s.keyMu.Unlock()
	return s.auditAlone(by, AuditEntry{Action: ActionRestore, Record: DatabaseRecord, Count: n})
}

// auditAlone appends e, made by a, in a transaction of its own.
func (s *Service) auditAlone(a *Actor, e AuditEntry) error {
	return s.update(a, "audit "+e.Action, func(tx Tx) error {
		e.At = s.Now()
		if a != nil {
			e.ActorID = a.id
		}
		return tx.AppendAudit(&e)
	})
}
