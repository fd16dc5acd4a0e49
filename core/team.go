package core

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// Team mode (PRODUCT.md §9) as core sees it: the Service authorizes and validates, the
// Replicator (package replica) talks to the cluster. Every method here that reaches the
// cluster takes a context and answers Unavailable when the cluster does not answer in time.

// SyncTimeout bounds how long a command waits for the cluster before it answers Unavailable.
const SyncTimeout = 5 * time.Second

// TeamConfig says how this laptop reaches the team's etcd cluster. File names are kept in the
// database; the password never is.
type TeamConfig struct {
	// Endpoints are the cluster's client URLs, https:// (or http:// for a lab, with a warning).
	Endpoints []string `json:"endpoints"`
	// CACert is the file of the CA that signed the members' server certificates.
	CACert string `json:"cacert,omitempty"`
	// Cert and Key are this laptop's client certificate (its Common Name is the etcd user).
	Cert string `json:"cert,omitempty"`
	Key  string `json:"key,omitempty"`
	// User and Password authenticate with an etcd password instead (team create as root).
	User     string `json:"user,omitempty"`
	Password string `json:"-"`
}

// SyncReport is what one sync did (the JSON of `epicevents sync`).
type SyncReport struct {
	Pushed    int   `json:"pushed"`
	Pulled    int   `json:"pulled"`
	Conflicts int   `json:"conflicts"`
	Revision  int64 `json:"revision"`
}

// Mode names of SyncStatus.
const (
	ModeSolo = "solo"
	ModeTeam = "team"
)

// SyncStatus is the state of team mode on this laptop (the JSON of `epicevents sync status`;
// the window's status line shows it).
type SyncStatus struct {
	Mode      string     `json:"mode"` // ModeSolo or ModeTeam
	Endpoints []string   `json:"endpoints"`
	Connected bool       `json:"connected"`
	Revision  int64      `json:"revision"` // the cluster revision this laptop has pulled up to
	Outbox    int        `json:"outbox"`   // local changes waiting to be pushed
	Conflicts int        `json:"conflicts"`
	LastSync  *time.Time `json:"last_sync"` // nil: never synced
}

// Identity is a collaborator's etcd identity: a client certificate of the team CA whose
// Common Name is the etcd user, holding the role of the collaborator's department.
type Identity struct {
	User       string     `json:"user"`
	Department Department `json:"department"`
	CertPEM    []byte     `json:"-"`
	KeyPEM     []byte     `json:"-"`
}

// EtcdUser is the name of a collaborator's etcd user: their id, which never changes (an email
// may).
func EtcdUser(id uuid.UUID) string { return id.String() }

// Issuer issues client certificates of the team's CA (package pki, through the caller): the
// CA's key stays with management and never enters the database.
type Issuer interface {
	IssueClient(user string) (certPEM, keyPEM []byte, err error)
}

// Replicator is the sync engine (package replica) as the Service uses it. Its errors are
// *Error values: Unavailable when the cluster does not answer, Conflict for a cluster or a
// database in the wrong state, Forbidden when the cluster refuses this laptop's identity.
type Replicator interface {
	// Create publishes this initialised database to an empty cluster, sets up the department
	// roles and authentication (cfg must carry etcd root credentials), keeps cfg and turns
	// team mode on.
	Create(ctx context.Context, cfg TeamConfig) error
	// Join copies the cluster's dataset into this empty database, keeps cfg and turns team
	// mode on.
	Join(ctx context.Context, cfg TeamConfig) error
	// Leave turns team mode off, keeping the local copy and forgetting cfg.
	Leave() error
	// Sync pushes the outbox in order, then pulls colleagues' changes.
	Sync(ctx context.Context) (SyncReport, error)
	// Status returns the state of team mode; Connected is probed within ctx.
	Status(ctx context.Context) (SyncStatus, error)
	// Grant creates or updates u's etcd user with the role of u's department.
	Grant(ctx context.Context, u User) error
	// Conflicts returns this laptop's conflicts, oldest first.
	Conflicts() ([]SyncConflict, error)
	// DropConflict forgets a resolved conflict. Errors: NotFound.
	DropConflict(id uuid.UUID) error
}

// Resolution is how a person settles a conflict.
type Resolution string

// The resolutions of PRODUCT.md §9.
const (
	KeepMine   Resolution = "mine"   // the local values replace the cluster's (a new change)
	KeepTheirs Resolution = "theirs" // the cluster's version stays; the local edit is dropped
	KeepEdited Resolution = "edit"   // values typed by the person replace both
)

func errSolo() *Error {
	return NewError(Conflict, CodeSoloMode)
}

func (s *Service) replicator() (Replicator, error) {
	if s.rep == nil {
		return nil, errSolo()
	}
	return s.rep, nil
}

// TeamCreate publishes this laptop's database to an empty cluster and puts the laptop in team
// mode. Management only. Errors: Unauthenticated, Forbidden, Invalid (cfg), Conflict (already
// in a team, cluster not empty), Unavailable.
func (s *Service) TeamCreate(ctx context.Context, a *Actor, cfg TeamConfig) error {
	if err := authorize(a, permissions.Team, permissions.Create, "create a team"); err != nil {
		return err
	}
	if err := ValidateTeamConfig(cfg); err != nil {
		return err
	}
	rep, err := s.replicator()
	if err != nil {
		return err
	}
	return s.report(a, rep.Create(ctx, cfg))
}

// TeamJoin makes this laptop, whose database is empty, a replica of the team's dataset. There
// is no actor: nobody can log in before the dataset (and its users) arrives. Errors: Invalid
// (cfg), Conflict (the database is initialised), Unavailable.
func (s *Service) TeamJoin(ctx context.Context, cfg TeamConfig) error {
	if err := ValidateTeamConfig(cfg); err != nil {
		return err
	}
	rep, err := s.replicator()
	if err != nil {
		return err
	}
	ok, err := s.Initialized()
	if err != nil {
		return err
	}
	if ok {
		return NewError(Conflict, CodeHasDatabase)
	}
	return s.report(nil, rep.Join(ctx, cfg))
}

// TeamLeave puts this laptop back in solo mode, keeping its copy of the data. Refused while
// local changes wait in the outbox or conflicts wait for a person: leaving would drop them.
// Management only. Errors: Unauthenticated, Forbidden, Conflict.
func (s *Service) TeamLeave(ctx context.Context, a *Actor) error {
	if err := authorize(a, permissions.Team, permissions.Leave, "take this laptop out of the team"); err != nil {
		return err
	}
	rep, err := s.replicator()
	if err != nil {
		return err
	}
	st, err := rep.Status(ctx)
	if err != nil && KindOf(err) != Unavailable {
		return s.report(a, err)
	}
	switch {
	case st.Mode != ModeTeam:
		return errSolo()
	case st.Outbox > 0:
		return NewError(Conflict, CodeOutboxPending, st.Outbox)
	case st.Conflicts > 0:
		return NewError(Conflict, CodeConflictsPending, st.Conflicts)
	}
	return s.report(a, rep.Leave())
}

// Sync pushes this laptop's changes and pulls its colleagues'. Anyone logged in. Errors:
// Unauthenticated, Conflict (solo mode), Unavailable, Forbidden (the cluster refused this
// laptop's identity).
func (s *Service) Sync(ctx context.Context, a *Actor) (SyncReport, error) {
	if err := authorize(a, permissions.Team, permissions.Sync, "sync"); err != nil {
		return SyncReport{}, err
	}
	rep, err := s.replicator()
	if err != nil {
		return SyncReport{}, err
	}
	r, err := rep.Sync(ctx)
	return r, s.report(a, err)
}

// SyncStatus returns the state of team mode (mode "solo" without a Replicator). Anyone logged
// in; the cluster is probed within ctx and an unreachable one is Connected false, not an error.
func (s *Service) SyncStatus(ctx context.Context, a *Actor) (SyncStatus, error) {
	if err := authorize(a, permissions.Team, permissions.Read, "see the sync status"); err != nil {
		return SyncStatus{}, err
	}
	if s.rep == nil {
		return SyncStatus{Mode: ModeSolo, Endpoints: []string{}}, nil
	}
	st, err := s.rep.Status(ctx)
	if KindOf(err) == Unavailable {
		err = nil
	}
	return st, s.report(a, err)
}

// TeamIdentity issues collaborator id's etcd identity: it makes sure the etcd user exists with
// the role of their department, then has issuer sign a client certificate whose Common Name is
// that user. Management only; the collaborator must be active. Errors: Unauthenticated,
// Forbidden, NotFound, Conflict (deactivated, solo mode), Unavailable.
func (s *Service) TeamIdentity(ctx context.Context, a *Actor, id uuid.UUID, issuer Issuer) (Identity, error) {
	if err := authorize(a, permissions.Team, permissions.Issue, "issue etcd identities"); err != nil {
		return Identity{}, err
	}
	rep, err := s.replicator()
	if err != nil {
		return Identity{}, err
	}
	u, err := viewOne(s, a, "read user", func(tx Tx) (User, error) { return tx.User(id) })
	if err != nil {
		return Identity{}, err
	}
	if !u.Active {
		return Identity{}, NewError(Conflict, CodeNoIdentityDeactivated, u.Email)
	}
	if err := rep.Grant(ctx, u); err != nil {
		return Identity{}, s.report(a, err)
	}
	name := EtcdUser(u.ID)
	certPEM, keyPEM, err := issuer.IssueClient(name)
	if err != nil {
		return Identity{}, s.report(a, InternalError("issue certificate", err))
	}
	return Identity{User: name, Department: u.Department, CertPEM: certPEM, KeyPEM: keyPEM}, nil
}

// Conflicts returns the conflicts waiting on this laptop that the actor may see: management
// all of them, others those of their own changes. Empty in solo mode.
func (s *Service) Conflicts(a *Actor) ([]SyncConflict, error) {
	if err := authorize(a, permissions.SyncConflict, permissions.List, "see sync conflicts"); err != nil {
		return nil, err
	}
	if s.rep == nil {
		return []SyncConflict{}, nil
	}
	cs, err := s.rep.Conflicts()
	if err != nil {
		return nil, s.report(a, err)
	}
	out := make([]SyncConflict, 0, len(cs))
	for _, c := range cs {
		if a.Can(permissions.SyncConflict, permissions.List) == all || c.ActorID == a.id {
			out = append(out, c)
		}
	}
	return out, nil
}

// ResolveConflict settles conflict id. KeepTheirs drops the local edit (the cluster's version
// is already the local one). KeepMine writes the local values over the current record as a
// new change, and KeepEdited writes edit (wire field names, see the Wire* constants) — both
// checked by every rule of §2 and §3 as any edit is, and pushed at the next sync. Errors:
// Unauthenticated, Forbidden, NotFound, Invalid, Conflict.
func (s *Service) ResolveConflict(a *Actor, id uuid.UUID, how Resolution, edit map[string]string) error {
	if err := authorize(a, permissions.SyncConflict, permissions.Resolve, "resolve sync conflicts"); err != nil {
		return err
	}
	rep, err := s.replicator()
	if err != nil {
		return err
	}
	cs, err := rep.Conflicts()
	if err != nil {
		return s.report(a, err)
	}
	var c *SyncConflict
	for i := range cs {
		if cs[i].ID == id {
			c = &cs[i]
		}
	}
	if c == nil || (a.Can(permissions.SyncConflict, permissions.Resolve) == own && c.ActorID != a.id) {
		return notFound("conflict")
	}
	var values map[string]string
	switch how {
	case KeepTheirs:
	case KeepMine:
		values = c.Mine
	case KeepEdited:
		if len(edit) == 0 {
			return FieldError("edit", CodeEditEmpty)
		}
		values = edit
	default:
		return FieldError("resolution", CodeResolutionInvalid, how)
	}
	if how != KeepTheirs {
		if err := s.applyResolution(a, c, values); err != nil {
			return err
		}
	}
	return s.report(a, rep.DropConflict(c.ID))
}

// applyResolution writes values over the conflict's record in one change: a record that is
// gone is created again from them (a conflict of kind deleted keeps the whole local record),
// and a conflict whose local side was a deletion deletes the record.
func (s *Service) applyResolution(a *Actor, c *SyncConflict, values map[string]string) error {
	if c.Kind == ConflictDeleted && len(values) == 0 {
		return s.deleteRecord(a, c.Record, c.RecordID)
	}
	return s.update(a, "resolve conflict", func(tx Tx) error {
		cur, found, err := wireOfRecord(tx, c.Record, c.RecordID)
		if err != nil {
			return err
		}
		next := Wire{Type: c.Record, ID: c.RecordID, Fields: map[string]string{}}
		if found {
			next = cur.Clone()
		}
		for k, v := range values {
			if _, known := next.Fields[k]; found && !known {
				return FieldError(k, CodeNotAField, c.Record)
			}
			next.Fields[k] = v
		}
		next.Fields[WireUpdatedAt] = wireTime(s.Now())
		if !found && next.Fields[WireCreatedAt] == "" {
			next.Fields[WireCreatedAt] = next.Fields[WireUpdatedAt]
		}
		fields := changedFields(cur, next, found)
		if len(fields) == 0 {
			return nil
		}
		if err := s.putResolved(tx, a, cur, found, next); err != nil {
			return err
		}
		act := ActionUpdate
		if !found {
			act = ActionCreate
		}
		return s.audit(tx, a, act, c.Record, c.RecordID, fields...)
	})
}

// changedFields names the fields that differ, updated_at aside.
func changedFields(cur, next Wire, found bool) []string {
	var out []string
	for k, v := range next.Fields {
		if k == WireUpdatedAt {
			continue
		}
		if old, ok := cur.Fields[k]; !found || !ok || old != v {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// wireOf reads the record id with get and returns its wire form.
func wireOf[T any, P interface {
	*T
	Wire() Wire
}](tx Tx, get func(Tx, uuid.UUID) (T, error), id uuid.UUID) (Wire, error) {
	v, err := get(tx, id)
	if err != nil {
		return Wire{}, err
	}
	return P(&v).Wire(), nil
}

// wireOfRecord returns a record's wire form; found false when it is gone.
func wireOfRecord(tx Tx, t RecordType, id uuid.UUID) (Wire, bool, error) {
	var w Wire
	var err error
	switch t {
	case UserRecord:
		w, err = wireOf(tx, Tx.User, id)
	case ClientRecord:
		w, err = wireOf(tx, Tx.Client, id)
	case ContractRecord:
		w, err = wireOf(tx, Tx.Contract, id)
	case EventRecord:
		w, err = wireOf(tx, Tx.Event, id)
	default:
		return Wire{}, false, NewError(Invalid, CodeUnknownRecordType, t)
	}
	if KindOf(err) == NotFound {
		return Wire{}, false, nil
	}
	return w, err == nil, err
}

// putResolved checks next by the rules of §2 and §3 for a, then stores it.
func (s *Service) putResolved(tx Tx, a *Actor, cur Wire, found bool, next Wire) error {
	act := permissions.Update
	if !found {
		act = permissions.Create
	}
	switch next.Type {
	case UserRecord:
		u, err := next.User()
		if err != nil {
			return err
		}
		if a.Can(resUser, act) != all {
			return NewError(Forbidden, CodeDepartmentForbidden, a.dept, fmt.Sprintf("%s collaborators", act))
		}
		in, err := validateUserInput(UserInput{Email: u.Email, FullName: u.FullName, Department: u.Department})
		if err != nil {
			return err
		}
		u.Email, u.FullName, u.Department = in.Email, in.FullName, in.Department
		return tx.PutUser(&u)
	case ClientRecord:
		c, err := next.Client()
		if err != nil {
			return err
		}
		if err := mayWrite(a, resClient, act, c.CommercialID); err != nil {
			return err
		}
		if c, err = ValidateClient(c); err != nil {
			return err
		}
		if err := requireActive(tx, c.CommercialID, Commercial, "commercial_contact_id"); err != nil {
			return err
		}
		return tx.PutClient(&c)
	case ContractRecord:
		k, err := next.Contract()
		if err != nil {
			return err
		}
		if err := mayWrite(a, resContract, act, k.CommercialID); err != nil {
			return err
		}
		if err := ValidateAmounts(k.Total, k.Due); err != nil {
			return err
		}
		if found {
			if from := ContractStatus(cur.Fields[WireStatus]); from != k.Status && !CanTransition(from, k.Status) {
				return NewError(Conflict, CodeStatusChange, from, k.Status)
			}
		}
		if _, err := tx.Client(k.ClientID); err != nil {
			return err
		}
		return tx.PutContract(&k)
	case EventRecord:
		e, err := next.Event()
		if err != nil {
			return err
		}
		owner := e.SupportID
		if !found {
			k, err := tx.Contract(e.ContractID)
			if err != nil {
				return err
			}
			owner = k.CommercialID
		}
		if err := mayWrite(a, resEvent, act, owner); err != nil {
			return err
		}
		if e, err = ValidateEvent(e); err != nil {
			return err
		}
		if e.SupportID != uuid.Nil {
			if err := requireActive(tx, e.SupportID, Support, "support_contact_id"); err != nil {
				return err
			}
		}
		return tx.PutEvent(&e)
	}
	return NewError(Invalid, CodeUnknownRecordType, next.Type)
}

// mayWrite checks a's right to act on a record of r whose owner (contact) is owner.
func mayWrite(a *Actor, r resource, act action, owner uuid.UUID) error {
	switch a.Can(r, act) {
	case all:
		return nil
	case own:
		if owner == a.id {
			return nil
		}
		return NewError(Forbidden, CodeNotOwnRecord, act, r)
	}
	return NewError(Forbidden, CodeDepartmentForbidden, a.dept, fmt.Sprintf("%s %ss", act, r))
}

// deleteRecord deletes a record through the service method of its type.
func (s *Service) deleteRecord(a *Actor, t RecordType, id uuid.UUID) error {
	var err error
	switch t {
	case UserRecord:
		err = s.DeleteUser(a, id)
	case ClientRecord:
		err = s.DeleteClient(a, id)
	case ContractRecord:
		err = s.DeleteContract(a, id)
	case EventRecord:
		err = s.DeleteEvent(a, id)
	default:
		return NewError(Invalid, CodeUnknownRecordType, t)
	}
	if KindOf(err) == NotFound {
		return nil
	}
	return err
}

// ValidateTeamConfig checks cfg: at least one endpoint, each an http(s) URL with a host; a
// certificate and its key go together. Errors: Invalid naming the option.
func ValidateTeamConfig(cfg TeamConfig) error {
	if len(cfg.Endpoints) == 0 {
		return FieldError("endpoints", CodeEndpointsRequired)
	}
	for _, e := range cfg.Endpoints {
		if !validEndpoint(e) {
			return FieldError("endpoints", CodeEndpointInvalid, e)
		}
	}
	if (cfg.Cert == "") != (cfg.Key == "") {
		return FieldError("cert", CodeCertNeedsKey)
	}
	if cfg.Password != "" && cfg.User == "" {
		return FieldError("etcd-user", CodeUserWithPassword)
	}
	return nil
}

// validEndpoint reports whether e is an http or https URL naming a host and nothing else.
func validEndpoint(e string) bool {
	u, err := url.Parse(e)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Hostname() != "" &&
		(u.Path == "" || u.Path == "/") && u.User == nil && u.RawQuery == ""
}
