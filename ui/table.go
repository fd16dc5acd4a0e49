package ui

import (
	"image/color"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// column declares one column of a table as data.
type column[T any] struct {
	Title string // already translated
	Width float32
	Value func(T) string
	Less  func(a, b T) bool // nil: not sortable
	Align fyne.TextAlign
}

// textColumn is a column showing a text field, sorted case-insensitively.
func textColumn[T any](title string, width float32, get func(T) string) column[T] {
	return column[T]{Title: title, Width: width, Value: get,
		Less: func(a, b T) bool { return lessFold(get(a), get(b)) }}
}

// rowTable is a header-less widget.Table that opens a row on double-click or Enter and moves a
// whole-row selection with the arrow keys.
type rowTable struct {
	widget.Table
	onOpen   func()
	onMove   func(delta int)
	onDelete func()
}

var (
	_ fyne.Tappable       = (*rowTable)(nil)
	_ fyne.DoubleTappable = (*rowTable)(nil)
	_ fyne.Focusable      = (*rowTable)(nil)
)

// Tapped selects the cell's row and gives the table the keyboard focus, so that Enter opens the
// row and the arrows move the selection. Fyne's Table.Tapped asks the canvas of the embedded
// *widget.Table, which the real driver does not know (it knows the *rowTable that extends it),
// and so never focused the table in the real window; the test driver has one canvas and hid it.
func (t *rowTable) Tapped(e *fyne.PointEvent) {
	t.Table.Tapped(e)
	if c := fyne.CurrentApp().Driver().CanvasForObject(t); c != nil && c.Focused() != t {
		c.Focus(t)
	}
}

// DoubleTapped selects the row under the pointer and opens it (a double-click delivers no
// single tap before it).
func (t *rowTable) DoubleTapped(e *fyne.PointEvent) {
	if e != nil {
		t.Tapped(e)
	}
	if t.onOpen != nil {
		t.onOpen()
	}
}

// TypedKey opens the selected row on Enter, moves the selection with Up and Down, and deletes
// it with Delete.
func (t *rowTable) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if t.onOpen != nil {
			t.onOpen()
		}
	case fyne.KeyUp:
		t.onMove(-1)
	case fyne.KeyDown:
		t.onMove(1)
	case fyne.KeyDelete:
		if t.onDelete != nil {
			t.onDelete()
		}
	default:
		t.Table.TypedKey(e)
	}
}

// dataTable is a sortable table of T with a header row, a whole-row selection and a separate
// header (widget.NewTableWithHeaders degrades with very many rows).
type dataTable[T any] struct {
	cols     []column[T]
	rows     []T
	selected int
	sortCol  int
	sortDesc bool
	headers  []*widget.Button
	table    *rowTable
	content  fyne.CanvasObject

	onOpen   func(T)
	onSelect func(T, bool) // the selected row, false when none
	onSort   func()        // asks the owner to re-sort (off the UI goroutine)
}

func newDataTable[T any](cols []column[T]) *dataTable[T] {
	d := &dataTable[T]{cols: cols, selected: -1, sortCol: -1}
	d.table = &rowTable{}
	d.table.Length = func() (int, int) { return len(d.rows), len(d.cols) }
	d.table.CreateCell = d.createCell
	d.table.UpdateCell = d.updateCell
	d.table.OnSelected = func(id widget.TableCellID) {
		d.table.Unselect(id) // the row background shows the selection, not the cell marker
		d.selectRow(id.Row)
	}
	d.table.onOpen = d.open
	d.table.onMove = func(delta int) { d.selectRow(min(max(d.selected+delta, 0), len(d.rows)-1)) }
	d.table.HideSeparators = true
	d.table.ExtendBaseWidget(d.table)
	header := container.New(&columnsLayout{widths: d.widths, table: d.table})
	for i, c := range cols {
		b := widget.NewButton(c.Title, func() { d.sortBy(i) })
		b.Alignment = widget.ButtonAlignLeading
		if c.Align == fyne.TextAlignTrailing {
			b.Alignment = widget.ButtonAlignTrailing
		}
		b.Importance = widget.LowImportance
		if c.Less == nil {
			b.Disable()
		}
		d.headers = append(d.headers, b)
		header.Add(b)
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	d.content = container.NewBorder(container.NewStack(bg, header), nil, nil, nil, d.table)
	return d
}

func (d *dataTable[T]) widths() []float32 {
	w := make([]float32, len(d.cols))
	for i, c := range d.cols {
		w[i] = c.Width
	}
	return w
}

type tableCell struct {
	widget.BaseWidget
	bg    *canvas.Rectangle
	label *widget.Label
}

func (c *tableCell) CreateRenderer() fyne.WidgetRenderer {
	return &tableCellRenderer{c: c}
}

// tableCellRenderer draws the row background over the padding between cells too, so that a
// row reads as one band rather than as separate boxes.
type tableCellRenderer struct{ c *tableCell }

func (r *tableCellRenderer) Layout(size fyne.Size) {
	p := theme.Padding()
	r.c.bg.Move(fyne.NewPos(-p/2, -p/2))
	r.c.bg.Resize(fyne.NewSize(size.Width+p, size.Height+p))
	r.c.label.Move(fyne.NewPos(0, 0))
	r.c.label.Resize(size)
}

func (r *tableCellRenderer) MinSize() fyne.Size { return r.c.label.MinSize() }

func (r *tableCellRenderer) Refresh() {
	r.c.bg.Refresh()
	r.c.label.Refresh()
}

func (r *tableCellRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.c.bg, r.c.label}
}

func (r *tableCellRenderer) Destroy() {}

func (d *dataTable[T]) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateClip
	c := &tableCell{bg: canvas.NewRectangle(color.Transparent), label: l}
	c.ExtendBaseWidget(c)
	return c
}

func (d *dataTable[T]) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*tableCell)
	if id.Row >= len(d.rows) || id.Col >= len(d.cols) {
		return
	}
	col := d.cols[id.Col]
	c.label.Alignment = col.Align
	c.label.SetText(col.Value(d.rows[id.Row]))
	var fill color.Color = color.Transparent
	if id.Row == d.selected {
		fill = theme.Color(theme.ColorNameSelection)
	} else if id.Row%2 == 1 {
		fill = theme.Color(theme.ColorNameInputBackground)
	}
	if c.bg.FillColor != fill {
		c.bg.FillColor = fill
		c.bg.Refresh()
	}
}

// setRows shows rows (already sorted) and keeps the selection on the same record if same(a, b).
func (d *dataTable[T]) setRows(rows []T, same func(a, b T) bool) {
	var keep T
	had := d.selected >= 0 && d.selected < len(d.rows)
	if had {
		keep = d.rows[d.selected]
	}
	d.rows = rows
	d.selected = -1
	if had {
		for i, r := range rows {
			if same(r, keep) {
				d.selected = i
				break
			}
		}
	}
	d.table.Refresh()
	d.notify()
}

func (d *dataTable[T]) selectRow(row int) {
	if row < 0 || row >= len(d.rows) {
		return
	}
	old := d.selected
	d.selected = row
	d.table.ScrollTo(widget.TableCellID{Row: row})
	for c := range d.cols {
		if old >= 0 {
			d.table.RefreshItem(widget.TableCellID{Row: old, Col: c})
		}
		d.table.RefreshItem(widget.TableCellID{Row: row, Col: c})
	}
	d.notify()
}

func (d *dataTable[T]) notify() {
	if d.onSelect == nil {
		return
	}
	if v, ok := d.current(); ok {
		d.onSelect(v, true)
		return
	}
	var zero T
	d.onSelect(zero, false)
}

// current returns the selected record.
func (d *dataTable[T]) current() (T, bool) {
	if d.selected >= 0 && d.selected < len(d.rows) {
		return d.rows[d.selected], true
	}
	var zero T
	return zero, false
}

func (d *dataTable[T]) open() {
	if v, ok := d.current(); ok && d.onOpen != nil {
		d.onOpen(v)
	}
}

// sortBy sorts on column i, reversing the order when it already sorts on it.
func (d *dataTable[T]) sortBy(i int) {
	if d.sortCol == i {
		d.sortDesc = !d.sortDesc
	} else {
		d.sortCol, d.sortDesc = i, false
	}
	for j, b := range d.headers {
		t := d.cols[j].Title
		if j == d.sortCol {
			if d.sortDesc {
				t += " ▼"
			} else {
				t += " ▲"
			}
		}
		b.SetText(t)
	}
	if d.onSort != nil {
		d.onSort()
	}
}

// sortRows sorts rows by the chosen column; it is safe to call off the UI goroutine with a
// column and direction read on it.
func sortRows[T any](rows []T, cols []column[T], col int, desc bool) {
	if col < 0 || col >= len(cols) || cols[col].Less == nil {
		return
	}
	less := cols[col].Less
	sort.SliceStable(rows, func(i, j int) bool {
		if desc {
			return less(rows[j], rows[i])
		}
		return less(rows[i], rows[j])
	})
}

// columnsLayout places the header buttons over the table's columns, and stretches the declared
// widths to fill the width so that the table needs no horizontal scrolling.
type columnsLayout struct {
	widths func() []float32
	table  *rowTable
	last   []float32
}

func (l *columnsLayout) scaled(width float32) []float32 {
	w := l.widths()
	pad := theme.Padding()
	var total float32
	for _, v := range w {
		total += v
	}
	avail := width - pad*float32(len(w)) - theme.ScrollBarSize()
	if total > 0 && avail > total {
		k := avail / total
		for i := range w {
			w[i] = float32(int(w[i] * k)) // whole units: no hairline between row bands
		}
	}
	return w
}

// Layout positions the headers and sets the matching column widths on the table.
func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := l.scaled(size.Width)
	var x float32
	for i, o := range objs {
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w[i]+theme.Padding(), size.Height))
		x += w[i] + theme.Padding()
	}
	changed := len(l.last) != len(w)
	for i := range w {
		if !changed && l.last[i] != w[i] {
			changed = true
		}
	}
	if changed {
		l.last = w
		for i, v := range w {
			l.table.SetColumnWidth(i, v)
		}
	}
}

// MinSize is the height of a header button and the declared widths.
func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	var w float32
	for _, v := range l.widths() {
		w += v + theme.Padding()
	}
	return fyne.NewSize(w, h)
}
