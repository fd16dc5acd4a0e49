package ui

import (
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// names maps collaborator ids to their names, for the contact columns.
type names map[uuid.UUID]core.Contact

// loadNames reads every collaborator's public face; call it off the UI goroutine.
func (g *GUI) loadNames() (names, error) {
	cs, err := g.svc.Contacts(g.actor)
	if err != nil {
		return nil, err
	}
	n := make(names, len(cs))
	for _, c := range cs {
		n[c.ID] = c
	}
	return n, nil
}

// name returns the collaborator's full name, "" for uuid.Nil.
func (n names) name(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	if c, ok := n[id]; ok {
		return c.FullName
	}
	return "?"
}

// lessFold compares strings ignoring case.
func lessFold(a, b string) bool { return strings.ToLower(a) < strings.ToLower(b) }
