package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// errHelp is returned once a command has printed its help: the run ends with exit code 0.
var errHelp = &cliError{code: exitOK, msg: "help shown"}

// flags is the flag set of one command. Flags are accepted as --flag value or --flag=value,
// before, between or after the positional arguments.
type flags struct {
	*flag.FlagSet
	r       *runner
	command string // the command words after "epicevents", for hints
	usage   string // the help text printed by --help
	set     map[string]bool
	counts  map[string]int  // how many times each flag was given
	multi   map[string]bool // flags that may be given more than once (--set F=V)
	needs   []string        // flags that must be given (need)
	oneOf   []string        // flags of which at least one must be given (needOne)
}

// newFlags starts the flag set of command, whose help is usage.
func (r *runner) newFlags(command, usage string) *flags {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{FlagSet: fs, r: r, command: command, usage: usage}
}

// need makes parse fail with a usage error naming the first of names that was not given.
func (f *flags) need(names ...string) *flags {
	f.needs = names
	return f
}

// needOne makes parse fail with a usage error ("nothing to change") unless at least one of
// names was given: the update commands.
func (f *flags) needOne(names ...string) *flags {
	f.oneOf = names
	return f
}

// parse reads args and returns the positional arguments, checked against names: each name is a
// required argument, a name ending in "?" an optional one, and a last name ending in "..." takes
// one or more words, returned joined by spaces. Then the flags of need and needOne are checked.
// --help prints the usage and returns errHelp.
func (f *flags) parse(args []string, names ...string) ([]string, error) {
	f.countFlags()
	var pos []string
	for {
		err := f.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(f.r.env.Stdout, f.usage)
			return nil, errHelp
		}
		if err != nil {
			return nil, usagef(f.command, "%s", flagMessage(err))
		}
		rest := f.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	f.set = map[string]bool{}
	f.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	for name, n := range f.counts {
		if n > 1 && !f.multi[name] {
			return nil, usagef(f.command, "flag --%s given %d times: give it once", name, n)
		}
	}
	out, err := f.positional(pos, names)
	if err != nil {
		return nil, err
	}
	if err := f.require(f.needs...); err != nil {
		return nil, err
	}
	if len(f.oneOf) > 0 {
		return out, f.requireOne(f.oneOf...)
	}
	return out, nil
}

// inSession parses args (the positional names as parse takes them), then runs fn in a session
// with the positional arguments: the whole of most commands.
func (f *flags) inSession(args []string, fn func(s *session, pos []string) error, names ...string) error {
	pos, err := f.parse(args, names...)
	if err != nil {
		return err
	}
	return f.r.withSession(func(s *session) error { return fn(s, pos) })
}

// searchCommand is "<record> search TEXT": list lists the records found by the text.
func searchCommand(command, usage string, list func(s *session, text string) error) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		return r.newFlags(command, usage).inSession(args, func(s *session, pos []string) error { return list(s, pos[0]) }, "TEXT...")
	}
}

// withRecord is inSession for a command whose first argument is a record of type t: fn gets
// its id, resolved, and the other positional arguments (names[1:]).
func (f *flags) withRecord(t core.RecordType, args []string, fn func(s *session, id uuid.UUID, rest []string) error, names ...string) error {
	return f.inSession(args, func(s *session, pos []string) error {
		id, err := s.resolve(t, pos[0])
		if err != nil {
			return err
		}
		return fn(s, id, pos[1:])
	}, names...)
}

// countFlags makes every flag count the times it is given: a repeated flag is a usage error,
// not "the last one wins".
func (f *flags) countFlags() {
	if f.counts != nil {
		return
	}
	f.counts = map[string]int{}
	f.VisitAll(func(fl *flag.Flag) { fl.Value = &countedValue{Value: fl.Value, name: fl.Name, counts: f.counts} })
}

// countedValue is a flag's value that counts how many times it is set.
type countedValue struct {
	flag.Value
	name   string
	counts map[string]int
}

// Set counts the flag and sets its value.
func (c *countedValue) Set(s string) error {
	c.counts[c.name]++
	return c.Value.Set(s)
}

// IsBoolFlag keeps a boolean flag usable without a value.
func (c *countedValue) IsBoolFlag() bool {
	b, ok := c.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func (f *flags) positional(pos, names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	for i, n := range names {
		switch {
		case strings.HasSuffix(n, "..."):
			if i >= len(pos) {
				return nil, usagef(f.command, "missing argument %s", strings.TrimSuffix(n, "..."))
			}
			return append(out, strings.Join(pos[i:], " ")), nil
		case i < len(pos):
			out = append(out, pos[i])
		case strings.HasSuffix(n, "?"):
			out = append(out, "")
		default:
			return nil, usagef(f.command, "missing argument %s", n)
		}
	}
	if len(pos) > len(names) {
		return nil, usagef(f.command, "unexpected argument %q", pos[len(names)])
	}
	return out, nil
}

// flagMessage rewrites the flag package's errors in the product's words.
func flagMessage(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "unknown flag " + dashes(name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return "flag " + dashes(name) + " needs a value"
	}
	return msg
}

// dashes writes a flag name the way the help does: --name.
func dashes(name string) string { return "--" + strings.TrimLeft(name, "-") }

// given reports whether the flag name was on the command line.
func (f *flags) given(name string) bool { return f.set[name] }

// opt returns p when the flag name was given, nil otherwise: the "change only what was given"
// of the update commands.
func (f *flags) opt(name string, p *string) *string {
	if f.given(name) {
		return p
	}
	return nil
}

// require (see need) fails with a usage error naming the first of names that was not given.
func (f *flags) require(names ...string) error {
	for _, n := range names {
		if !f.given(n) {
			return usagef(f.command, "missing flag --%s", n)
		}
	}
	return nil
}

// requireOne (see needOne) fails with a usage error unless at least one of names was given.
func (f *flags) requireOne(names ...string) error {
	for _, n := range names {
		if f.given(n) {
			return nil
		}
	}
	return usagef(f.command, "nothing to change: give at least one of --%s", strings.Join(names, ", --"))
}
