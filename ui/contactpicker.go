package ui

import (
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// contactPicker is the collaborator row the client form (commercial contact) and the event form
// (support contact) share: a picker among the contacts core says may be chosen when the actor
// may choose (core.CanChooseCommercial, core.CanAssignSupport), the name alone otherwise. Its
// choices arrive with fill, once the contacts are read.
type contactPicker struct {
	sel      *widget.Select // nil when the actor may not choose
	label    *widget.Label  // the name, when the actor may not choose
	eligible func([]core.Contact) []core.Contact
	choices  []core.Contact // the picker's options, after none when there is one
	none     string         // the first option meaning no one; "" when someone must be chosen
	current  uuid.UUID
	nobody   string // what the label shows for uuid.Nil
}

// addContactPicker adds the row named label to v for the field name (core's field name).
// eligible is core's rule for who may be picked; current is the contact now set; nobody is
// what a read-only row shows when current is uuid.Nil; none, when not "", is a first option
// for no one (otherwise a choice is required and placeholder is shown until one is made).
func addContactPicker(v *formView, label, name string, canPick bool, eligible func([]core.Contact) []core.Contact,
	current uuid.UUID, nobody, none, placeholder string) *contactPicker {
	p := &contactPicker{eligible: eligible, none: none, current: current, nobody: nobody}
	if !canPick {
		p.label = widget.NewLabel("")
		v.addRow(label, p.label)
		return p
	}
	p.sel = widget.NewSelect(nil, nil)
	p.sel.PlaceHolder = placeholder
	var check func() error
	if none == "" {
		check = func() error {
			if p.picked() == uuid.Nil {
				return core.FieldError(name, core.CodeRequired)
			}
			return nil
		}
	}
	v.add(label, newField(name, p.sel, check))
	return p
}

// fill shows the contacts cs: the current contact's name, or the eligible ones as choices.
func (p *contactPicker) fill(cs []core.Contact) {
	if p.sel == nil {
		n := names{}
		for _, c := range cs {
			n[c.ID] = c
		}
		name := n.name(p.current)
		if name == "" {
			name = p.nobody
		}
		p.label.SetText(name)
		return
	}
	p.choices = p.eligible(cs)
	var opts []string
	if p.none != "" {
		opts = append(opts, p.none)
	}
	for _, c := range p.choices {
		opts = append(opts, c.FullName+" <"+c.Email+">")
	}
	p.sel.SetOptions(opts)
	if p.none != "" {
		p.sel.SetSelectedIndex(0)
	}
	for i, c := range p.choices {
		if c.ID == p.current {
			p.sel.SetSelectedIndex(i + p.offset())
		}
	}
}

func (p *contactPicker) offset() int {
	if p.none != "" {
		return 1
	}
	return 0
}

// picked is the contact chosen, uuid.Nil for none (or when the actor may not choose).
func (p *contactPicker) picked() uuid.UUID {
	if p.sel == nil {
		return uuid.Nil
	}
	i := p.sel.SelectedIndex() - p.offset()
	if i < 0 || i >= len(p.choices) {
		return uuid.Nil
	}
	return p.choices[i].ID
}
