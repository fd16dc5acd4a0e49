package ui

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

// conflictsDialog lists the sync conflicts the person may settle (PRODUCT.md §9): per
// conflict the record, the fields, their values on this laptop and in the cluster, and the
// buttons Keep mine, Keep theirs and Edit.
type conflictsDialog struct {
	s      *teamSync
	d      *dialog.CustomDialog
	box    *fyne.Container
	cards  []*conflictCard
	open   bool
	people map[string]string // collaborators' names by id
}

// conflictCard is one conflict in the dialog.
type conflictCard struct {
	c      core.SyncConflict
	title  *widget.Label
	mine   *widget.Button
	theirs *widget.Button
	edit   *widget.Button
	// editor is the Edit form while it is open (tests reach it here).
	editor *conflictEditor
}

// showConflicts opens the dialog from the badge.
func (s *teamSync) showConflicts() {
	if s.dialog == nil {
		cd := &conflictsDialog{s: s, box: container.NewVBox()}
		cd.d = dialog.NewCustomWithoutButtons(tr("Sync conflicts"), container.NewVScroll(cd.box), s.g.win)
		closeBtn := widget.NewButtonWithIcon(tr("Close"), theme.CancelIcon(), cd.d.Hide)
		cd.d.SetButtons([]fyne.CanvasObject{closeBtn})
		cd.d.SetOnClosed(func() { cd.open = false })
		s.dialog = cd
	}
	s.dialog.update(s.snap.conflicts, s.snap.people)
	s.dialog.open = true
	s.dialog.d.Resize(fyne.NewSize(820, 560))
	s.dialog.d.Show()
}

// update shows cs; people names collaborators by id (UI goroutine).
func (cd *conflictsDialog) update(cs []core.SyncConflict, people map[string]string) {
	cd.people = people
	cd.box.RemoveAll()
	cd.cards = nil
	if len(cs) == 0 {
		cd.box.Add(widget.NewLabel(tr("No conflicts: every change of this laptop reached the cluster.")))
		return
	}
	intro := widget.NewLabel(conflictsIntro(cs))
	intro.Wrapping = fyne.TextWrapWord
	cd.box.Add(intro)
	for _, c := range cs {
		card := cd.card(c)
		cd.cards = append(cd.cards, card)
	}
	cd.box.Refresh()
}

// card builds one conflict's block.
func (cd *conflictsDialog) card(c core.SyncConflict) *conflictCard {
	k := &conflictCard{c: c}
	k.title = widget.NewLabelWithStyle(conflictTitle(c, ""), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	k.title.Wrapping = fyne.TextWrapWord
	grid := container.NewGridWithColumns(3,
		widget.NewLabelWithStyle(tr("Field"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(tr("Mine (this laptop)"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(tr("Theirs (the cluster)"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, f := range conflictFields(c) {
		grid.Add(widget.NewLabel(wireFieldName(f)))
		grid.Add(cd.valueLabel(c.Mine, f))
		grid.Add(cd.valueLabel(c.Theirs, f))
	}
	s := cd.s
	k.mine = widget.NewButton(tr("Keep mine"), s.g.guard(func() { cd.resolve(k, core.KeepMine, nil) }))
	k.theirs = widget.NewButton(tr("Keep theirs"), s.g.guard(func() { cd.resolve(k, core.KeepTheirs, nil) }))
	k.edit = widget.NewButtonWithIcon(tr("Edit…"), theme.DocumentCreateIcon(), s.g.guard(func() { cd.showEditor(k) }))
	if c.Kind == core.ConflictDeleted && len(c.Mine) == 0 {
		k.edit.Disable() // the local side deleted the record: there are no values to edit
	}
	cd.box.Add(container.NewVBox(widget.NewSeparator(), k.title, grid,
		container.NewHBox(k.mine, k.theirs, k.edit)))
	// The record's name is read off the UI goroutine.
	a := s.actor
	background(s.g, func() (string, error) {
		return recordLabel(s.g.svc, a, c.Record, c.RecordID), nil
	}, func(name string, _ error) { k.title.SetText(conflictTitle(c, name)) })
	return k
}

// resolve settles a conflict through core, then reads the conflicts again.
func (cd *conflictsDialog) resolve(k *conflictCard, how core.Resolution, edit map[string]string) {
	s := cd.s
	a := s.actor
	k.mine.Disable()
	k.theirs.Disable()
	background(s.g, func() (struct{}, error) {
		return struct{}{}, s.g.svc.ResolveConflict(a, k.c.ID, how, edit)
	}, func(_ struct{}, err error) {
		k.mine.Enable()
		k.theirs.Enable()
		if err != nil {
			if k.editor != nil {
				k.editor.view.showFieldError(err)
			}
			s.g.showError(err)
			return
		}
		if k.editor != nil {
			k.editor.d.Hide()
			k.editor = nil
		}
		if s.g.main != nil && how != core.KeepTheirs {
			s.g.main.liveRefresh() // the record changed here
		}
		s.nudge() // push a kept or edited value; read the conflicts again
	})
}

// conflictEditor lets the person type the values to keep.
type conflictEditor struct {
	d      *dialog.CustomDialog
	view   *formView
	fields map[string]*field
	save   *widget.Button
}

func (cd *conflictsDialog) showEditor(k *conflictCard) {
	e := &conflictEditor{view: newFormView(), fields: map[string]*field{}}
	for _, f := range conflictFields(k.c) {
		v, ok := k.c.Mine[f]
		if !ok {
			v = k.c.Theirs[f]
		}
		e.fields[f] = e.view.add(wireFieldName(f), newEntryField(f, v, nil))
	}
	note := widget.NewLabel(tr("Type the values to keep; they replace both versions and reach the cluster at the next sync."))
	note.Wrapping = fyne.TextWrapWord
	e.d = dialog.NewCustomWithoutButtons(tr("Edit the values to keep"), container.NewVBox(note, e.view.form), cd.s.g.win)
	e.save = widget.NewButtonWithIcon(tr("Keep these values"), theme.ConfirmIcon(), cd.s.g.guard(func() {
		vals := map[string]string{}
		for name, f := range e.fields {
			vals[name] = f.entry.Text
		}
		cd.resolve(k, core.KeepEdited, vals)
	}))
	e.save.Importance = widget.HighImportance
	e.d.SetButtons([]fyne.CanvasObject{widget.NewButton(tr("Cancel"), e.d.Hide), e.save})
	k.editor = e
	e.d.Resize(fyne.NewSize(560, 360))
	e.d.Show()
}

// conflictFields are the fields to show: those in conflict, else every field of either side.
// A password hash is never shown nor typed: it is left out.
func conflictFields(c core.SyncConflict) []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if !seen[k] && k != core.WireUpdatedAt && k != core.WirePasswordHash && k != core.WirePasswordChangedAt {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, k := range c.Fields {
		add(k)
	}
	if len(c.Fields) == 0 {
		for _, m := range []map[string]string{c.Mine, c.Theirs} {
			for k := range m {
				add(k)
			}
		}
		sort.Strings(out)
	}
	return out
}

// valueLabel shows one side's value of a field, a collaborator by name; a side without the
// record says so.
func (cd *conflictsDialog) valueLabel(m map[string]string, f string) *widget.Label {
	var l *widget.Label
	switch v, ok := m[f]; {
	case m == nil:
		l = widget.NewLabel(tr("(deleted)"))
		l.Importance = widget.LowImportance
	case !ok || v == "":
		l = widget.NewLabel(tr("(empty)"))
		l.Importance = widget.LowImportance
	case (f == core.WireCommercialID || f == core.WireSupportID) && cd.people[v] != "":
		l = widget.NewLabel(cd.people[v])
	default:
		l = widget.NewLabel(wireValueText(f, v))
	}
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return l
}

// conflictsIntro explains, for each kind of conflict in the list, what happened and which
// version is in force until the user chooses.
func conflictsIntro(cs []core.SyncConflict) string {
	seen := map[core.ConflictKind]bool{}
	var out []string
	for _, c := range cs {
		if seen[c.Kind] {
			continue
		}
		seen[c.Kind] = true
		switch c.Kind {
		case core.ConflictField:
			out = append(out, tr("These changes of yours met a colleague's change to the same field. The colleague's version is in force until you choose."))
		case core.ConflictDeleted:
			out = append(out, tr("A record was deleted on one side and changed on the other. The cluster's side is in force until you choose: keep yours to bring your version back."))
		case core.ConflictUnique:
			out = append(out, tr("A value that must be unique, such as an email address, was taken by a colleague meanwhile. Your change is not in force: edit it to a free value, or keep theirs."))
		default:
			out = append(out, tr("The cluster refused a change of yours, or merging it with a colleague's broke a rule. The cluster's version is in force until you choose."))
		}
	}
	return strings.Join(out, "\n")
}

// wireValueText writes a field's value of a record's wire form the way the window writes it
// elsewhere: amounts, moments, counts, statuses and departments in the user's language.
func wireValueText(f, v string) string {
	switch f {
	case core.WireTotalAmount, core.WireAmountDue:
		if d, err := decimal.NewFromString(v); err == nil {
			return fmtMoney(d)
		}
	case core.WireStart, core.WireEnd, core.WireSignedAt, core.WireCreatedAt, core.WireUpdatedAt, core.WirePasswordChangedAt:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return fmtDateTime(t)
		}
	case core.WireAttendees:
		if n, err := strconv.Atoi(v); err == nil {
			return fmtInt(n)
		}
	case core.WireStatus:
		return statusName(core.ContractStatus(v))
	case core.WireDepartment:
		return deptName(core.Department(v))
	case core.WireActive:
		if b, err := strconv.ParseBool(v); err == nil {
			return map[bool]string{true: tr("yes"), false: tr("no")}[b]
		}
	}
	return v
}

// conflictTitle is a conflict's heading: the record, and why.
func conflictTitle(c core.SyncConflict, name string) string {
	rec := recordName(c.Record)
	if name == "" {
		name = c.RecordID.String()[:8]
	}
	var why string
	switch c.Kind {
	case core.ConflictField:
		why = tr("changed on both sides")
	case core.ConflictDeleted:
		why = tr("deleted on one side, changed on the other")
	case core.ConflictUnique:
		why = tr("a unique value was taken meanwhile")
	default:
		why = tr("the merged record breaks a rule")
	}
	return tr("{{.Record}} {{.Name}} — {{.Why}} ({{.When}})", map[string]any{
		"Record": capitalize(rec), "Name": name, "Why": why, "When": fmtDateTime(c.At)})
}

// capitalize puts the first letter in upper case.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// recordLabel is the name people know a record by; "" when it cannot be read (deleted).
func recordLabel(svc *core.Service, a *core.Actor, t core.RecordType, id uuid.UUID) string {
	switch t {
	case core.ClientRecord:
		if c, err := svc.GetClient(a, id); err == nil {
			return c.FullName
		}
	case core.ContractRecord:
		if k, err := svc.GetContract(a, id); err == nil {
			if c, err := svc.GetClient(a, k.ClientID); err == nil {
				return tr("of {{.Client}}", map[string]any{"Client": c.FullName})
			}
		}
	case core.EventRecord:
		if e, err := svc.GetEvent(a, id); err == nil {
			return e.Name
		}
	case core.UserRecord:
		if u, err := svc.GetUser(a, id); err == nil {
			return u.FullName
		}
	}
	return ""
}

// wireFieldName is the label of a field of a record's wire form.
func wireFieldName(f string) string { return trName(wireFieldNames, f, fieldName(f)) }

var wireFieldNames = map[string]string{
	core.WireCommercialID: trLater("Commercial"), core.WireSupportID: trLater("Support"),
	core.WireClientID: trLater("Client"), core.WireContractID: trLater("Contract"),
	core.WireStatus: trLater("Status"), core.WireActive: trLater("Active"),
	core.WireEmployeeNumber: trLater("Employee number"),
}
