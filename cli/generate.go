package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/permissions"
)

const generateUsage = `Generate test data (management):

  epicevents generate --clients N --contracts N --events N
        --clients N        clients to add, with one commercial per 1,000 clients
        --contracts N      contracts to add to those clients (needs --clients)
        --events N         events to add to the signed ones of those contracts (needs
                           --contracts), with one support person per 2,000 events

  Fills the database fast with realistic records — French names and companies, unique
  emails, phone numbers, amounts, mixed contract statuses, events from two years ago to next
  year, some without support — written in bulk transactions, each record with its indexes and
  its audit entry. The collaborators added all get one new password, shown once.
  Prints the counts and the time taken. --json prints them as JSON.
`

// generateOut is the answer of generate.
type generateOut struct {
	Users        int    `json:"users"`
	Clients      int    `json:"clients"`
	Contracts    int    `json:"contracts"`
	Events       int    `json:"events"`
	AuditEntries int    `json:"audit_entries"`
	ElapsedMS    int64  `json:"elapsed_ms"`
	Password     string `json:"password,omitempty"`
}

func runGenerate(r *runner, args []string) error {
	f := r.newFlags("generate", generateUsage)
	clients := f.Int("clients", 0, "")
	contracts := f.Int("contracts", 0, "")
	events := f.Int("events", 0, "")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *clients < 0 || *contracts < 0 || *events < 0 {
		return usagef("generate", "counts must not be negative")
	}
	if *clients+*contracts+*events == 0 {
		return usagef("generate", "give --clients, --contracts or --events")
	}
	opts := core.GenerateOptions{Clients: *clients, Contracts: *contracts, Events: *events}
	if err := opts.Validate(); err != nil {
		return err
	}
	return r.withSession(func(s *session) error {
		// said before the first collaborator is made; Generate enforces it
		if err := core.AuthorizeAdmin(s.actor, permissions.Generate); err != nil {
			return err
		}
		start := time.Now()
		var out generateOut
		if *clients > 0 || *events > 0 { // collaborators will be added
			var err error
			if opts.PasswordHash, out.Password, err = s.staffPassword(); err != nil {
				return err
			}
			out.Users, out.AuditEntries = 1, 1
		}
		res, err := s.svc.Generate(s.actor, opts)
		if err != nil {
			return err
		}
		out.Users += res.Users
		out.AuditEntries += res.AuditEntries
		out.Clients, out.Contracts, out.Events = res.Clients, res.Contracts, res.Events
		out.ElapsedMS = time.Since(start).Milliseconds()
		return r.show(out, func(w io.Writer) { printGenerated(w, out) })
	})
}

// staffPassword creates, through core, the first collaborator of the generated staff with a
// random password, and returns the hash the others share with it, and the password.
func (s *session) staffPassword() (hash, password string, err error) {
	if password, err = core.RandomPassword(); err != nil {
		return "", "", fmt.Errorf("generate: %w", err)
	}
	email := fmt.Sprintf("generated.%d@epicevents.com", time.Now().UnixNano())
	u, err := s.svc.CreateUser(s.actor, core.UserInput{FullName: "Équipe Générée", Email: email,
		Department: core.Commercial}, password)
	if err != nil {
		return "", "", err
	}
	return u.PasswordHash, password, nil
}

func printGenerated(w io.Writer, out generateOut) {
	fmt.Fprintf(w, "Generated %d collaborators, %d clients, %d contracts, %d events (%d audit entries) in %s.\n",
		out.Users, out.Clients, out.Contracts, out.Events, out.AuditEntries,
		(time.Duration(out.ElapsedMS) * time.Millisecond).String())
	if out.Password != "" {
		fmt.Fprintf(w, "The generated collaborators sign in with this password — note it now, it is not shown again: %s\n", out.Password)
	}
}
