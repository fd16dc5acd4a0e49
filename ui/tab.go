package ui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// query is what a tab's toolbar asks for: the toggled filters, the number of days of the
// upcoming filter, and the search text.
type query struct {
	flags  map[string]bool
	days   int
	search string
}

// filtered reports whether the query narrows the list at all.
func (q query) filtered() bool {
	if strings.TrimSpace(q.search) != "" {
		return true
	}
	for _, v := range q.flags {
		if v {
			return true
		}
	}
	return false
}

// filterDef is one toggle of a tab's toolbar.
type filterDef struct {
	key, label string
}

// tabSpec declares a tab: its columns, how it loads, and what its buttons do. Nil actions are
// not shown; can* say whether they are enabled for the selected row.
type tabSpec[T any] struct {
	name     string          // for CSV file names
	record   core.RecordType // what an export holds, for the audit trail
	columns  []column[T]
	filters  []filterDef
	days     bool                                            // show the number of days of the "upcoming" filter
	load     func(q query) (rows []T, hidden int, err error) // hidden: damaged records left out
	same     func(a, b T) bool
	open     func(T)
	create   func()
	remove   func(T)
	canNew   bool
	canOpen  func(T) bool
	canerase func(T) bool
	csv      func(rows []T, l core.ExportLookup) [][]string
	extra    []fyne.CanvasObject // more toolbar buttons
}

// loadLatest reads in the background for a tab whose loads are counted by gen, with
// "Loading…" in its status line meanwhile, and shows what was read on the UI goroutine — or the
// error in a dialog — unless a newer load started since. Call it on the UI goroutine.
func loadLatest[T any](g *GUI, gen *int, status *widget.Label, read func() (T, error), show func(T)) {
	*gen++
	mine := *gen
	status.SetText(tr("Loading…"))
	background(g, read, func(v T, err error) {
		if mine != *gen {
			return
		}
		status.SetText("")
		if err != nil {
			g.showError(err)
			return
		}
		show(v)
	})
}

// recordsCSV is a tab's csv for rows that each hold one core record: the records, in the
// rows' order, through core's CSV columns of that record.
func recordsCSV[R, T any](record func(R) T, columns func([]T, core.ExportLookup) [][]string) func([]R, core.ExportLookup) [][]string {
	return func(rows []R, l core.ExportLookup) [][]string {
		list := make([]T, len(rows))
		for i, r := range rows {
			list[i] = record(r)
		}
		return columns(list, l)
	}
}

// listTab is a tab of the main window: toolbar, sortable table and status line.
type listTab[T any] struct {
	g       *GUI
	spec    tabSpec[T]
	table   *dataTable[T]
	search  *widget.Entry
	checks  map[string]*widget.Check
	days    *widget.Entry
	status  *widget.Label
	empty   *widget.Label // shown over an empty table
	newBtn  *widget.Button
	openBtn *widget.Button
	delBtn  *widget.Button
	content fyne.CanvasObject

	debounce *debouncer
	gen      int // generation of the latest load; older results are dropped
	total    int // rows without any filter (-1: unknown)
	all      []T // the rows as loaded, before sorting by a header
	hidden   int // damaged records the last load left out
}

func newListTab[T any](g *GUI, spec tabSpec[T]) *listTab[T] {
	t := &listTab[T]{g: g, spec: spec, checks: map[string]*widget.Check{}, total: -1,
		debounce: &debouncer{g: g, delay: 250 * time.Millisecond}}
	t.table = newDataTable(spec.columns)
	t.table.onOpen = func(v T) {
		if spec.open != nil {
			defer g.recoverOnUI()
			spec.open(v)
		}
	}
	t.table.onSelect = func(T, bool) { t.updateButtons() }
	t.table.onSort = t.resort
	t.table.table.onDelete = t.deleteSelected
	t.buildUI()
	return t
}

func (t *listTab[T]) buildUI() {
	var left []fyne.CanvasObject
	if t.spec.create != nil {
		t.newBtn = widget.NewButtonWithIcon(tr("New"), theme.ContentAddIcon(), t.g.guard(func() { t.spec.create() }))
		left = append(left, t.newBtn)
		if !t.spec.canNew {
			t.newBtn.Disable()
		}
	}
	if t.spec.open != nil {
		t.openBtn = widget.NewButtonWithIcon(tr("Open"), theme.DocumentIcon(), t.table.open)
		left = append(left, t.openBtn)
	}
	if t.spec.remove != nil {
		t.delBtn = widget.NewButtonWithIcon(tr("Delete"), theme.DeleteIcon(), t.g.guard(t.onDelete))
		left = append(left, t.delBtn)
	}
	left = append(left, t.spec.extra...)
	if len(t.spec.filters) > 0 {
		left = append(left, widget.NewSeparator())
	}
	for _, f := range t.spec.filters {
		c := widget.NewCheck(f.label, func(bool) { t.reload() })
		t.checks[f.key] = c
		left = append(left, c)
		if f.key == "upcoming" && t.spec.days {
			t.days = widget.NewEntry()
			t.days.SetText("30")
			t.days.OnChanged = func(s string) {
				if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 && n <= 36500 && t.checks["upcoming"].Checked {
					t.debounce.call(t.reload)
				}
			}
			left = append(left, container.NewGridWrap(fyne.NewSize(64, t.days.MinSize().Height), t.days),
				widget.NewLabel(tr("days")))
		}
	}
	t.search = widget.NewEntry()
	t.search.SetPlaceHolder(tr("Search…"))
	t.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	t.search.OnChanged = func(string) { t.debounce.call(t.reload) }
	refresh := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), t.refresh)
	export := widget.NewButtonWithIcon(tr("Export CSV"), theme.DownloadIcon(), t.g.guard(t.exportCSV))
	right := container.NewHBox(refresh, export)
	bar := container.NewBorder(nil, nil, container.NewHBox(left...), right, t.search)
	t.status = widget.NewLabel("")
	t.empty = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	t.empty.Importance = widget.LowImportance
	t.empty.Hide()
	body := container.NewStack(t.table.content, container.NewCenter(t.empty))
	t.content = container.NewBorder(container.NewVBox(bar, widget.NewSeparator()), t.status, nil, nil, body)
	t.updateButtons()
}

func (t *listTab[T]) updateButtons() {
	v, ok := t.table.current()
	setEnabled(t.openBtn, ok && (t.spec.canOpen == nil || t.spec.canOpen(v)))
	setEnabled(t.delBtn, ok && t.spec.canerase != nil && t.spec.canerase(v))
}

func setEnabled(b *widget.Button, on bool) {
	if b == nil {
		return
	}
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// currentQuery reads the toolbar.
func (t *listTab[T]) currentQuery() query {
	q := query{flags: map[string]bool{}, search: t.search.Text}
	for k, c := range t.checks {
		q.flags[k] = c.Checked
	}
	if t.days != nil {
		q.days, _ = strconv.Atoi(strings.TrimSpace(t.days.Text))
	}
	return q
}

// refresh reloads and recounts the unfiltered total.
func (t *listTab[T]) refresh() {
	t.total = -1
	t.reload()
}

// reload runs the tab's query off the UI goroutine and shows its result.
func (t *listTab[T]) reload() {
	t.status.SetText(tr("Loading…"))
	t.load()
}

// load runs the tab's query off the UI goroutine and shows its result in place.
func (t *listTab[T]) load() {
	t.gen++
	gen, q := t.gen, t.currentQuery()
	col, desc := t.table.sortCol, t.table.sortDesc
	needTotal := t.total < 0 && q.filtered()
	type result struct {
		rows, sorted []T
		total        int
		hidden       int
	}
	background(t.g, func() (result, error) {
		rows, hidden, err := t.spec.load(q)
		if err != nil {
			return result{}, err
		}
		r := result{rows: rows, total: -1, hidden: hidden}
		if !q.filtered() {
			r.total = len(rows)
		} else if needTotal {
			if all, _, err := t.spec.load(query{flags: map[string]bool{}}); err == nil {
				r.total = len(all)
			}
		}
		// In core's order (no header sort) the table shows the loaded slice itself; a copy is
		// made only to sort it, so that t.all keeps core's order for later sorts.
		r.sorted = rows
		if col >= 0 {
			r.sorted = append([]T(nil), rows...)
			sortRows(r.sorted, t.spec.columns, col, desc)
		}
		return r, nil
	}, func(r result, err error) {
		if gen != t.gen {
			return
		}
		if err != nil {
			t.status.SetText("")
			t.g.showError(err)
			return
		}
		if r.total >= 0 {
			t.total = r.total
		}
		t.all, t.hidden = r.rows, r.hidden
		t.table.setRows(r.sorted, t.spec.same)
		t.updateStatus()
	})
}

// resort sorts the loaded rows by the header's column, off the UI goroutine.
func (t *listTab[T]) resort() {
	t.gen++
	gen := t.gen
	rows := append([]T(nil), t.all...)
	col, desc := t.table.sortCol, t.table.sortDesc
	background(t.g, func() ([]T, error) {
		sortRows(rows, t.spec.columns, col, desc)
		return rows, nil
	}, func(rows []T, _ error) {
		if gen == t.gen {
			t.table.setRows(rows, t.spec.same)
		}
	})
}

func (t *listTab[T]) updateStatus() {
	total := t.total
	if total < 0 {
		total = len(t.table.rows)
	}
	switch {
	case len(t.table.rows) > 0:
		t.empty.Hide()
	case total > 0:
		t.empty.SetText(tr("Nothing matches the filters and the search."))
		t.empty.Show()
	default:
		t.empty.SetText(tr("Nothing here yet."))
		t.empty.Show()
	}
	status := tr("{{.Shown}} of {{.Total}} shown", map[string]any{
		"Shown": fmtInt(len(t.table.rows)), "Total": fmtInt(total)})
	if msg := hiddenText(t.hidden); msg != "" {
		status += " — " + msg
	}
	t.status.SetText(status)
}

// changed reloads after a change made through a form, recounting the total.
func (t *listTab[T]) changed() {
	t.refresh()
	t.g.nudgeSync() // team mode: push the change now
}

func (t *listTab[T]) onDelete() {
	v, ok := t.table.current()
	if !ok || t.spec.remove == nil {
		return
	}
	dialog.ShowConfirm(tr("Delete"), tr("Delete this record? This cannot be undone."), func(yes bool) {
		if yes {
			t.spec.remove(v)
		}
	}, t.g.win)
}

// focusSearch puts the keyboard in the search box (Ctrl+F).
func (t *listTab[T]) focusSearch() { t.g.win.Canvas().Focus(t.search) }

// focusTable gives the table the keyboard focus: Enter opens the selected row, the arrows move.
func (t *listTab[T]) focusTable() { t.g.win.Canvas().Focus(t.table.table) }

// newRecord runs the New action when it is allowed (Ctrl+N).
func (t *listTab[T]) newRecord() {
	if t.newBtn != nil && !t.newBtn.Disabled() {
		t.spec.create()
	}
}

// deleteSelected runs Delete when allowed (the Delete key).
func (t *listTab[T]) deleteSelected() {
	if t.delBtn != nil && !t.delBtn.Disabled() {
		t.onDelete()
	}
}
