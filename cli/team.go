package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
	"github.com/epicevents/crm/replica/pki"
	"github.com/epicevents/crm/storage"
)

const teamUsage = `Team mode (PRODUCT.md §9): the company's data shared through an etcd cluster; every
laptop keeps the whole dataset and works offline.

  epicevents team create --endpoints URL[,URL…] [--cacert F] [--cert F --key F]
                         [--etcd-user U [--etcd-password-stdin]]
                                 publish this database to an empty cluster (management): sets
                                 up the department roles, turns etcd authentication on and
                                 gives every active collaborator an etcd user
  epicevents team join   --endpoints URL[,URL…] [same options]
                                 on a laptop with no database: copy the team's dataset, then
                                 log in with your usual email and password
  epicevents team leave          back to solo mode, keeping the local copy (management;
                                 refused while changes or conflicts wait)
  epicevents team identity USER --ca-cert F --ca-key F --out-cert F --out-key F
                                 issue USER's etcd identity (management): a client
                                 certificate of the team CA whose Common Name is their etcd
                                 user, holding the role of their department

  --endpoints     the cluster's client URLs, comma-separated (https://; http:// only in a lab)
  --cacert        the CA certificate that signed the members' server certificates
  --cert, --key   this laptop's client certificate and key (from 'team identity')
  --etcd-user     an etcd user with a password instead (root, for team create)
  --etcd-password-stdin  read that password from standard input (never stored)
  Exit code 8 when the cluster cannot be reached within 5 s.
`

const syncUsage = `Sync (team mode):

  epicevents sync [--json]              push the outbox, pull colleagues' changes; prints
                                        {"pushed","pulled","conflicts","revision"}
  epicevents sync status [--json]       mode, endpoints, connected, revision, outbox,
                                        conflicts, last_sync
  epicevents sync conflicts [--json]    the changes the cluster could not take as they were:
                                        id, record type and id, fields, mine, theirs
  epicevents sync resolve CONFLICT --mine|--theirs|--set FIELD=VALUE…
                                        keep the local values, keep the cluster's, or write
                                        the values given (field names as in the JSON output)

  CONFLICT is a conflict id or a unique prefix of at least 8 characters. A sync that cannot
  reach the cluster within 5 s exits with 8: local changes are kept and sent later.
`

// teamFlags are the connection options of team create and join.
type teamFlags struct {
	endpoints, cacert, cert, key, user string
	pwStdin                            *bool
}

// teamConfig parses the arguments of team create or join (command), the connection options,
// and reads, with --etcd-password-stdin, the password.
func (r *runner) teamConfig(command string, args []string) (core.TeamConfig, error) {
	f := r.newFlags(command, teamUsage).need("endpoints")
	tf := &teamFlags{}
	f.StringVar(&tf.endpoints, "endpoints", "", "")
	f.StringVar(&tf.cacert, "cacert", "", "")
	f.StringVar(&tf.cert, "cert", "", "")
	f.StringVar(&tf.key, "key", "", "")
	f.StringVar(&tf.user, "etcd-user", "", "")
	tf.pwStdin = f.Bool("etcd-password-stdin", false, "")
	if _, err := f.parse(args); err != nil {
		return core.TeamConfig{}, err
	}
	cfg := core.TeamConfig{CACert: tf.cacert, Cert: tf.cert, Key: tf.key, User: tf.user}
	for _, e := range strings.Split(tf.endpoints, ",") {
		if e = strings.TrimSpace(e); e != "" {
			cfg.Endpoints = append(cfg.Endpoints, e)
		}
	}
	if *tf.pwStdin {
		if tf.user == "" {
			return cfg, usagef(f.command, "--etcd-password-stdin needs --etcd-user")
		}
		pw, err := r.line("etcd password")
		if err != nil {
			return cfg, err
		}
		cfg.Password = pw
	}
	for _, e := range cfg.Endpoints {
		if strings.HasPrefix(e, "http://") {
			fmt.Fprintf(r.env.Stderr, "warning: %s is plain http: the company's data and credentials travel unencrypted; use https:// outside a lab\n", plain(e))
		}
	}
	return cfg, nil
}

func teamCtx() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// withTeam runs fn in a session of team mode (the replication engine runs) with a context
// that ends with it.
func (r *runner) withTeam(fn func(ctx context.Context, s *session) error) error {
	r.team = true
	return r.withSession(func(s *session) error {
		ctx, cancel := teamCtx()
		defer cancel()
		return fn(ctx, s)
	})
}

// inTeam parses args, which take no positional argument, and runs fn as withTeam does.
func (f *flags) inTeam(args []string, fn func(ctx context.Context, s *session) error) error {
	if _, err := f.parse(args); err != nil {
		return err
	}
	return f.r.withTeam(fn)
}

var teamCommands = map[string]func(*runner, []string) error{
	"create":   teamCreate,
	"join":     teamJoin,
	"leave":    teamLeave,
	"identity": teamIdentity,
}

func teamCreate(r *runner, args []string) error {
	cfg, err := r.teamConfig("team create", args)
	if err != nil {
		return err
	}
	return r.withTeam(func(ctx context.Context, s *session) error {
		if err := s.svc.TeamCreate(ctx, s.actor, cfg); err != nil {
			return err
		}
		return r.printStatus(ctx, s, "Team created: this database is published; colleagues join with 'epicevents team join'.")
	})
}

func teamJoin(r *runner, args []string) error {
	cfg, err := r.teamConfig("team join", args)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(r.dbPath())
	existed := !errors.Is(statErr, fs.ErrNotExist)
	r.team = true
	err = r.withDB(dbCreate, func(db *storage.DB, svc *core.Service) error {
		ctx, cancel := teamCtx()
		defer cancel()
		if err := svc.TeamJoin(ctx, cfg); err != nil {
			return err
		}
		st, err := r.engine.Status(ctx)
		if err != nil {
			return err
		}
		return r.show(statusOut(st), func(w io.Writer) {
			fmt.Fprintf(w, "Joined the team at revision %d: log in with 'epicevents login --email E'.\n", st.Revision)
		})
	})
	if err != nil && !existed {
		// Nothing half-joined stays behind: the laptop still has no database.
		_ = os.Remove(r.dbPath())
	}
	return err
}

func teamLeave(r *runner, args []string) error {
	return r.newFlags("team leave", teamUsage).inTeam(args, func(ctx context.Context, s *session) error {
		if err := s.svc.TeamLeave(ctx, s.actor); err != nil {
			return err
		}
		return r.done(map[string]string{"mode": core.ModeSolo}, "Back to solo mode; the local copy is kept.")
	})
}

// caIssuer issues client certificates of a team CA loaded from its files.
type caIssuer struct{ ca *pki.CA }

func (i caIssuer) IssueClient(user string) ([]byte, []byte, error) {
	c, err := i.ca.IssueClient(user)
	if err != nil {
		return nil, nil, err
	}
	key, err := c.KeyPEM()
	return c.CertPEM(), key, err
}

func teamIdentity(r *runner, args []string) error {
	f := r.newFlags("team identity", teamUsage).need("ca-cert", "ca-key", "out-cert", "out-key")
	caCert := f.String("ca-cert", "", "")
	caKey := f.String("ca-key", "", "")
	outCert := f.String("out-cert", "", "")
	outKey := f.String("out-key", "", "")
	pos, err := f.parse(args, "USER")
	if err != nil {
		return err
	}
	ca, err := pki.LoadCA(*caCert, *caKey)
	if err != nil {
		return core.FieldErrorf("ca-key", "the team CA cannot be loaded: %v", err)
	}
	return r.withTeam(func(ctx context.Context, s *session) error {
		id, err := s.resolveUser(pos[0])
		if err != nil {
			return err
		}
		ident, err := s.svc.TeamIdentity(ctx, s.actor, id, caIssuer{ca})
		if err != nil {
			return err
		}
		if err := datadir.WriteFileAtomic(*outKey, ident.KeyPEM, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", *outKey, err)
		}
		if err := datadir.WriteFileAtomic(*outCert, ident.CertPEM, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", *outCert, err)
		}
		return r.done(map[string]string{"etcd_user": ident.User, "department": string(ident.Department),
			"cert": *outCert, "key": *outKey},
			"Identity of %s (%s) written to %s and %s: give both to them, privately.", ident.User, string(ident.Department), *outCert, *outKey)
	})
}

// ---- sync

var syncCommands = map[string]func(*runner, []string) error{
	"status":    syncStatus,
	"conflicts": syncConflicts,
	"resolve":   syncResolve,
}

// runSync is `sync` and its sub-commands: a bare `sync` (or one with only flags) syncs.
func runSync(r *runner, args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, ok := syncCommands[args[0]]
		if !ok {
			return usagef("sync", "unknown sync command %q", args[0])
		}
		return sub(r, args[1:])
	}
	return r.newFlags("sync", syncUsage).inTeam(args, func(ctx context.Context, s *session) error {
		rep, err := s.svc.Sync(ctx, s.actor)
		if err != nil {
			return err
		}
		return r.done(rep, "Pushed %d changes, pulled %d, %d new conflicts; at revision %d.",
			rep.Pushed, rep.Pulled, rep.Conflicts, rep.Revision)
	})
}

type syncStatusOut struct {
	Mode      string   `json:"mode"`
	Endpoints []string `json:"endpoints"`
	Connected bool     `json:"connected"`
	Revision  int64    `json:"revision"`
	Outbox    int      `json:"outbox"`
	Conflicts int      `json:"conflicts"`
	LastSync  *jtime   `json:"last_sync"`
}

func statusOut(st core.SyncStatus) syncStatusOut {
	o := syncStatusOut{Mode: st.Mode, Endpoints: st.Endpoints, Connected: st.Connected, Revision: st.Revision,
		Outbox: st.Outbox, Conflicts: st.Conflicts}
	if o.Endpoints == nil {
		o.Endpoints = []string{}
	}
	if st.LastSync != nil {
		t := jtime(*st.LastSync)
		o.LastSync = &t
	}
	return o
}

func (r *runner) printStatus(ctx context.Context, s *session, headline string) error {
	st, err := s.svc.SyncStatus(ctx, s.actor)
	if err != nil {
		return err
	}
	o := statusOut(st)
	return r.show(o, func(w io.Writer) {
		if headline != "" {
			fmt.Fprintln(w, headline)
		}
		if o.Mode == core.ModeSolo {
			fmt.Fprintln(w, "Mode:       solo (not in a team)")
			return
		}
		last := "never"
		if o.LastSync != nil {
			last = o.LastSync.local()
		}
		conn := "no (offline)"
		if o.Connected {
			conn = "yes"
		}
		fmt.Fprintf(w, "Mode:       team\nEndpoints:  %s\nConnected:  %s\nRevision:   %d\nOutbox:     %d changes waiting\nConflicts:  %d\nLast sync:  %s\n",
			plain(strings.Join(o.Endpoints, ", ")), conn, o.Revision, o.Outbox, o.Conflicts, last)
	})
}

func syncStatus(r *runner, args []string) error {
	return r.newFlags("sync status", syncUsage).inTeam(args, func(ctx context.Context, s *session) error {
		return r.printStatus(ctx, s, "")
	})
}

type conflictOut struct {
	ID       string            `json:"id"`
	Record   string            `json:"record"`
	RecordID string            `json:"record_id"`
	Kind     string            `json:"kind"`
	Fields   []string          `json:"fields"`
	Mine     map[string]string `json:"mine"`
	Theirs   map[string]string `json:"theirs"`
	At       jtime             `json:"at"`
}

var conflictColumns = []column[conflictOut]{
	{title: "ID", cell: func(c conflictOut) string { return short(c.ID) }},
	{title: "RECORD", cell: func(c conflictOut) string { return c.Record + " " + short(c.RecordID) }},
	{title: "KIND", cell: func(c conflictOut) string { return c.Kind }},
	{title: "FIELDS", cell: func(c conflictOut) string { return orDash(strings.Join(c.Fields, ", ")) }},
	{title: "MINE", cell: func(c conflictOut) string { return values(c.Mine, c.Fields) }},
	{title: "THEIRS", cell: func(c conflictOut) string { return values(c.Theirs, c.Fields) }},
}

// values shows the values of fields in a conflict's side ("(deleted)" for none).
func values(m map[string]string, fields []string) string {
	if m == nil {
		return "(deleted)"
	}
	var parts []string
	for _, f := range fields {
		parts = append(parts, fmt.Sprintf("%q", m[f]))
	}
	return strings.Join(parts, ", ")
}

func toConflict(c core.SyncConflict) conflictOut {
	fields := c.Fields
	if fields == nil {
		fields = []string{}
	}
	sort.Strings(fields)
	return conflictOut{ID: c.ID.String(), Record: string(c.Record), RecordID: c.RecordID.String(), Kind: string(c.Kind),
		Fields: fields, Mine: c.Mine, Theirs: c.Theirs, At: jtime(c.At)}
}

func syncConflicts(r *runner, args []string) error {
	return r.newFlags("sync conflicts", syncUsage).inTeam(args, func(_ context.Context, s *session) error {
		cs, err := s.svc.Conflicts(s.actor)
		if err != nil {
			return err
		}
		return printList(r, each(cs, toConflict), conflictColumns, "conflicts")
	})
}

// setValues collects --set FIELD=VALUE flags.
type setValues map[string]string

func (s setValues) String() string { return "" }

func (s setValues) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("--set takes FIELD=VALUE")
	}
	s[strings.TrimSpace(k)] = val
	return nil
}

func syncResolve(r *runner, args []string) error {
	f := r.newFlags("sync resolve", syncUsage)
	mine := f.Bool("mine", false, "")
	theirs := f.Bool("theirs", false, "")
	set := setValues{}
	f.Var(set, "set", "")
	f.multi = map[string]bool{"set": true}
	pos, err := f.parse(args, "CONFLICT")
	if err != nil {
		return err
	}
	how := core.Resolution("")
	n := 0
	if *mine {
		how, n = core.KeepMine, n+1
	}
	if *theirs {
		how, n = core.KeepTheirs, n+1
	}
	if len(set) > 0 {
		how, n = core.KeepEdited, n+1
	}
	if n != 1 {
		return usagef("sync resolve", "give exactly one of --mine, --theirs or --set FIELD=VALUE")
	}
	return r.withTeam(func(_ context.Context, s *session) error {
		cs, err := s.svc.Conflicts(s.actor)
		if err != nil {
			return err
		}
		id, err := pickConflict(cs, pos[0])
		if err != nil {
			return err
		}
		if err := s.svc.ResolveConflict(s.actor, id, how, set); err != nil {
			return err
		}
		return r.done(map[string]string{"id": id.String(), "resolution": string(how)},
			"Conflict %s resolved (%s); run 'epicevents sync' to send the result.", short(id.String()), string(how))
	})
}

// pickConflict finds a conflict by id or unique prefix of at least 8 characters.
func pickConflict(cs []core.SyncConflict, ref string) (uuid.UUID, error) {
	ref = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(ref), "-", ""))
	if len(ref) < 8 {
		return uuid.Nil, core.FieldErrorf("conflict", "give the id or at least 8 characters of it")
	}
	var found []uuid.UUID
	for _, c := range cs {
		if strings.HasPrefix(strings.ReplaceAll(c.ID.String(), "-", ""), ref) {
			found = append(found, c.ID)
		}
	}
	switch len(found) {
	case 0:
		return uuid.Nil, core.Errorf(core.NotFound, "conflict not found")
	case 1:
		return found[0], nil
	}
	return uuid.Nil, core.Errorf(core.Conflict, "%d conflicts start with %s: give more of the id", len(found), ref)
}
