// Package cli is the command line of PRODUCT.md §8: every command runs headless, on the same
// database as the window, as thin over core as the window is. Main is its only entry point.
package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
	"github.com/epicevents/crm/replica"
)

// Env is what the command line needs from its process: the standard streams, the data
// directory (PRODUCT.md §6), the monitor and the product version.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	DataDir        string
	Monitor        core.Monitor
	Version        string
}

// Exit codes of PRODUCT.md §8.
const (
	exitOK              = 0
	exitInternal        = 1
	exitUsage           = 2
	exitUnauthenticated = 3
	exitForbidden       = 4
	exitInvalid         = 5
	exitNotFound        = 6
	exitConflict        = 7
	exitUnavailable     = 8
)

// dbFile and sessionFile are the names of the database and the session token in the data
// directory.
const (
	dbFile      = datadir.DatabaseFile
	sessionFile = datadir.SessionFile
)

// runner carries one run of the command line: its environment, the global --json flag, the
// actor once a session is resumed (for panic reports) and the reader of standard input.
type runner struct {
	env   Env
	out   *outWriter // env.Stdout, its first write error kept
	json  bool
	actor *core.Actor
	in    *bufio.Reader
	// readOnly is set for the commands of readOnlyCommands.
	readOnly bool
	// team gives the service the sync engine (the team and sync commands); engine is it
	// while the database is open.
	team   bool
	engine *replica.Engine
}

// Main runs the command named by args (os.Args[1:]) and returns the process exit code. It never
// panics: a panic is reported to env.Monitor and shown as one "error: internal error" line.
func Main(args []string, env Env) (code int) {
	if env.Monitor == nil {
		env.Monitor = core.NopMonitor{}
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	r := &runner{env: env, out: &outWriter{w: env.Stdout}}
	r.env.Stdout = r.out
	defer func() {
		if p := recover(); p != nil {
			env.Monitor.Error(fmt.Errorf("cli: panic: %v\n%s", p, debug.Stack()), r.actor)
			fmt.Fprintf(env.Stderr, "error: internal error: %s\n", plain(fmt.Sprint(p)))
			code = exitInternal
		}
	}()
	args, r.json = extractJSON(args)
	return r.finish(r.dispatch(args))
}

// finish prints err as one line on standard error and returns its exit code. A command whose
// output could not be written (a full disk, a closed file) fails with exit code 1 even when
// what it did succeeded.
func (r *runner) finish(err error) int {
	var ce *cliError
	if r.out.err != nil && (err == nil || errors.As(err, &ce) && ce.code == exitOK || errors.Is(err, r.out.err)) {
		err = &cliError{code: exitInternal, msg: "cannot write the output: " + r.out.err.Error()}
	}
	if err == nil || (errors.As(err, &ce) && ce.code == exitOK) {
		return exitOK
	}
	fmt.Fprintln(r.env.Stderr, "error: "+plain(messageOf(err)))
	return exitCode(err)
}

// outWriter is standard output with its first write error kept: every command's output is
// checked once, at the end, rather than at each of its writes.
type outWriter struct {
	w   io.Writer
	err error
}

// Write writes p, or fails at once after a first failure.
func (o *outWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
	}
	return n, err
}

// cliError is an error of the command line itself rather than of core: a usage error, a
// database that cannot be opened, a password that cannot be read.
type cliError struct {
	code int
	msg  string
}

func (e *cliError) Error() string { return e.msg }

// usagef returns a usage error (exit code 2) whose message ends with a hint to the help of
// command (the words after "epicevents", "" for the top level).
func usagef(command, format string, args ...any) error {
	hint := "epicevents --help"
	if command != "" {
		hint = "epicevents " + command + " --help"
	}
	return &cliError{code: exitUsage, msg: fmt.Sprintf(format, args...) + "; see '" + hint + "'"}
}

// exitCode maps an error to the exit codes of PRODUCT.md §8: command-line errors carry their
// code, core kinds map one-to-one, anything else is internal.
func exitCode(err error) int {
	var ce *cliError
	if errors.As(err, &ce) {
		return ce.code
	}
	switch core.KindOf(err) {
	case "":
		return exitOK
	case core.Unauthenticated:
		return exitUnauthenticated
	case core.Forbidden:
		return exitForbidden
	case core.Invalid:
		return exitInvalid
	case core.NotFound:
		return exitNotFound
	case core.Conflict:
		return exitConflict
	case core.Unavailable:
		return exitUnavailable
	}
	return exitInternal
}

// messageOf returns the one-line message shown for err.
func messageOf(err error) string {
	var ce *cliError
	if errors.As(err, &ce) {
		return ce.msg
	}
	return core.MessageOf(err)
}

// extractJSON removes every --json flag (accepted anywhere before a "--") from args.
func extractJSON(args []string) ([]string, bool) {
	out := make([]string, 0, len(args))
	on := false
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...), on
		}
		switch a {
		case "--json", "-json", "--json=true", "-json=true":
			on = true
		case "--json=false", "-json=false":
			on = false
		default:
			out = append(out, a)
		}
	}
	return out, on
}

// dbPath is the database file in the data directory.
func (r *runner) dbPath() string { return datadir.Database(r.env.DataDir) }

// sessionPath is the session token file in the data directory.
func (r *runner) sessionPath() string { return datadir.Session(r.env.DataDir) }

// Usage is the top-level help of the command line.
const Usage = `Epic Events CRM — clients, contracts and events of Epic Events.

Usage:
  epicevents                      open the desktop application
  epicevents COMMAND [ARGS]       run a command headless (flags may come before or after ARGS)

Set-up and session (epicevents login --help):
  init [--admin-email E --admin-name N --password-stdin] [--demo]
  login --email E [--password-stdin]  |  logout  |  status  |  whoami

Collaborators (epicevents user --help):
  user list [--department D] | view U | search TEXT
       create --email E --name N --department D [--password-stdin]
       update U [--email E] [--name N] [--department D]
       deactivate U | reactivate U | delete U | password [U] [--password-stdin]

Clients (epicevents client --help):
  client list [--mine] | view C | search TEXT | assign C U | delete C
         create --name N --email E --phone P --company C [--commercial U] [--notes T]
         update C [--name N] [--email E] [--phone P] [--company C] [--notes T]

Contracts (epicevents contract --help):
  contract list [--mine] [--unsigned] [--unpaid] | mine | unsigned | unpaid | view K
           create CLIENT --total X [--due Y] | update K [--total X] [--due Y]
           sign K | cancel K | delete K | search TEXT

Events (epicevents event --help):
  event list [--mine] [--unassigned] [--upcoming [--days N]] | mine | unassigned
        upcoming [--days N] | view V | search TEXT | assign V U | unassign V | delete V
        create CONTRACT --name N --start T --end T --location L --attendees N [--notes T]
        update V [--name N] [--start T] [--end T] [--location L] [--attendees N] [--notes T]
        agenda [--week|--month] [--from DATE] [--mine]

Administration (epicevents audit --help):
  audit [RECORD] | backup FILE | restore FILE | check | reindex | repair [--from BACKUP]
  export clients|contracts|events --csv FILE
  import clients --csv FILE [--dry-run]   (epicevents import --help)
  generate --clients N --contracts N --events N   (fill a database with test records)

Team mode (epicevents team --help, epicevents sync --help):
  team create --endpoints URL[,URL…] [--cacert F] [--cert F --key F] [--etcd-user U [--etcd-password-stdin]]
  team join --endpoints URL[,URL…] [same options] | team leave | team identity USER …
  sync | sync status | sync conflicts | sync resolve CONFLICT --mine|--theirs|--set F=V

Everywhere:
  --json          print the result as JSON (an object for one record, an array for a list)
  -h, --help      show help; "epicevents COMMAND --help" describes a command and its flags
  --version       print the version

Records are named by their full id or a unique prefix of at least 8 characters; a user also
by email. Times are RFC 3339 or "YYYY-MM-DD HH:MM" (local time). Amounts such as 1500.50.
Passwords are never flags: --password-stdin reads them from standard input, otherwise they
are typed at the terminal without echo.

Data: $EPICEVENTS_HOME, else <user config dir>/epicevents (database epicevents.db, session file).
Commands that only read (list, view, search, status, whoami, audit, check) share the database
with each other; a command that writes waits up to 2 s for them, then says it is in use.
Passwords are asked before the database is opened.
Exit codes: 0 ok, 1 internal error, 2 usage, 3 not authenticated, 4 forbidden, 5 invalid input,
6 not found, 7 conflict, 8 team cluster unreachable (local changes are kept).
`

// command is a top-level command: a leaf that parses its own arguments, or a group of
// sub-commands.
type command struct {
	usage string
	run   func(*runner, []string) error
	subs  map[string]func(*runner, []string) error
}

var commands = map[string]command{
	"init":     {usage: authUsage, run: runInit},
	"login":    {usage: authUsage, run: runLogin},
	"logout":   {usage: authUsage, run: runLogout},
	"status":   {usage: authUsage, run: runStatus},
	"whoami":   {usage: authUsage, run: runWhoami},
	"user":     {usage: userUsage, subs: userCommands},
	"client":   {usage: clientUsage, subs: clientCommands},
	"contract": {usage: contractUsage, subs: contractCommands},
	"event":    {usage: eventUsage, subs: eventCommands},
	"audit":    {usage: adminUsage, run: runAudit},
	"backup":   {usage: adminUsage, run: runBackup},
	"export":   {usage: adminUsage, run: runExport},
	"check":    {usage: adminUsage, run: runCheck},
	"reindex":  {usage: adminUsage, run: runReindex},
	"repair":   {usage: adminUsage, run: runRepair},
	"generate": {usage: generateUsage, run: runGenerate},
	"import":   {usage: importUsage, subs: importCommands},
	"restore":  {usage: restoreUsage, run: runRestore},
	"team":     {usage: teamUsage, subs: teamCommands},
	"sync":     {usage: syncUsage, run: runSync},
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" || a == "help" }

// dispatch runs the command named by args.
func (r *runner) dispatch(args []string) error {
	if len(args) == 0 {
		return usagef("", "missing command")
	}
	name, rest := args[0], args[1:]
	switch {
	case isHelp(name):
		return r.help(rest)
	case name == "--version" || name == "-version" || name == "version":
		fmt.Fprintf(r.env.Stdout, "epicevents %s\n", r.env.Version)
		return nil
	}
	cmd, ok := commands[name]
	switch {
	case !ok && len(name) > 0 && name[0] == '-':
		return usagef("", "unknown flag %s", name)
	case !ok:
		return usagef("", "unknown command %q", name)
	case cmd.subs == nil:
		r.readOnly = readOnlyCommands[name]
		return cmd.run(r, rest)
	case len(rest) == 0:
		return usagef(name, "missing %s command", name)
	case isHelp(rest[0]):
		fmt.Fprint(r.env.Stdout, cmd.usage)
		return nil
	}
	sub, ok := cmd.subs[rest[0]]
	if !ok {
		return usagef(name, "unknown %s command %q", name, rest[0])
	}
	r.readOnly = readOnlyCommands[name+" "+rest[0]]
	return sub(r, rest[1:])
}

// help prints the top-level help, or the help of the command named.
func (r *runner) help(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(r.env.Stdout, Usage)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return usagef("", "unknown command %q", args[0])
	}
	fmt.Fprint(r.env.Stdout, cmd.usage)
	return nil
}
