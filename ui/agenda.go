package ui

import (
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// agendaTab shows the events in a month grid or a week list (issue #14): previous/next, today,
// jump to a date, a "mine" toggle (on by default for support), today highlighted, month and day
// names in the window's language. Double-clicking an event opens its form. The events are read
// by core.Service.Agenda (names only, from the index by start) off the UI goroutine.
type agendaTab struct {
	m      *mainScreen
	span   core.AgendaView
	day    time.Time // a day of the span shown, local midnight
	mine   *widget.Check
	mode   *widget.RadioGroup
	title  *widget.Label
	jump   *widget.Entry
	body   *fyne.Container
	status *widget.Label
	box    fyne.CanvasObject
	gen    int
	// lines are the events shown (tests read them); items their widgets by event.
	lines []core.EventLine
	items map[uuid.UUID]*agendaItem
	today *canvas.Rectangle // the highlight of today's cell or header (nil when not shown)
}

func newAgendaTab(m *mainScreen) *agendaTab {
	t := &agendaTab{m: m, span: core.AgendaMonth, status: widget.NewLabel(""), items: map[uuid.UUID]*agendaItem{}}
	t.day = dayOf(m.g.svc.Now().In(time.Local))
	t.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.title.Truncation = fyne.TextTruncateEllipsis
	t.mine = widget.NewCheck(tr("Mine"), func(bool) { t.refresh() })
	t.mine.Checked = core.AgendaMineByDefault(m.g.actor)
	t.mode = widget.NewRadioGroup([]string{tr("Month"), tr("Week")}, func(s string) {
		if s == tr("Week") {
			t.span = core.AgendaWeek
		} else {
			t.span = core.AgendaMonth
		}
		t.refresh()
	})
	t.mode.Horizontal = true
	t.mode.Required = true
	t.mode.Selected = tr("Month")
	t.jump = widget.NewEntry()
	t.jump.SetPlaceHolder(dateHint())
	t.jump.OnSubmitted = func(string) { t.jumpTo() }
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { t.move(-1) })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { t.move(1) })
	today := widget.NewButton(tr("Today"), func() { t.day = dayOf(m.g.svc.Now().In(time.Local)); t.refresh() })
	goBtn := widget.NewButton(tr("Go"), t.jumpTo)
	// The title's width is fixed: it changes with the span, the toolbar must not move.
	title := container.NewGridWrap(fyne.NewSize(340, t.title.MinSize().Height), t.title)
	bar := container.NewHBox(prev, today, next, title, widget.NewSeparator(), t.mode, t.mine, widget.NewSeparator(),
		container.NewGridWrap(fyne.NewSize(130, t.jump.MinSize().Height), t.jump), goBtn)
	t.body = container.NewStack()
	t.box = container.NewBorder(container.NewVBox(bar, widget.NewSeparator()), t.status, nil, nil, t.body)
	return t
}

func (t *agendaTab) view() fyne.CanvasObject { return t.box }
func (t *agendaTab) focusSearch()            { t.m.g.win.Canvas().Focus(t.jump) }
func (t *agendaTab) newRecord()              {}
func (t *agendaTab) deleteSelected()         {}
func (t *agendaTab) exportCSV()              {}

func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// move goes to the previous or next month or week.
func (t *agendaTab) move(dir int) {
	if t.span == core.AgendaMonth {
		y, m, _ := t.day.Date()
		t.day = time.Date(y, m+time.Month(dir), 1, 0, 0, 0, 0, time.Local)
	} else {
		y, m, d := t.day.Date()
		t.day = time.Date(y, m, d+7*dir, 0, 0, 0, 0, time.Local)
	}
	t.refresh()
}

// jumpTo shows the day typed in the entry.
func (t *agendaTab) jumpTo() {
	d, ok := parseDay(t.jump.Text)
	if !ok {
		t.status.SetText(tr("Type a date such as {{.Example}}", map[string]any{"Example": dateHint()}))
		return
	}
	t.day = d
	t.refresh()
}

// dateHint is an example of a typed date, in the locale's layout (the one the tables show).
func dateHint() string {
	return fmtDate(time.Date(2026, 12, 31, 0, 0, 0, 0, time.Local))
}

// parseDay reads a day in the locale's layout (with or without leading zeros) or as YYYY-MM-DD.
func parseDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	l := dateLayout()
	unpadded := strings.NewReplacer("02", "2", "01", "1").Replace(l)
	for _, l := range []string{l, unpadded, "2006-01-02"} {
		if d, err := time.ParseInLocation(l, s, time.Local); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// refresh loads the span in the background and redraws.
func (t *agendaTab) refresh() {
	g := t.m.g
	q := core.AgendaQuery{View: t.span, Day: t.day, Mine: t.mine.Checked, Loc: time.Local}
	loadLatest(g, &t.gen, t.status, func() (core.Agenda, error) { return g.svc.Agenda(g.actor, q) }, t.show)
}

var frMonthNames = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}
var frDayNames = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// monthName is the month's name in the window's language.
func monthName(m time.Month) string {
	if french {
		return frMonthNames[m-1]
	}
	return m.String()
}

// dayName is the day's name in the window's language.
func dayName(d time.Weekday) string {
	if french {
		return frDayNames[d]
	}
	return d.String()
}

// shortDayName is the first three letters of the day's name.
func shortDayName(d time.Weekday) string {
	n := []rune(dayName(d))
	return string(n[:3])
}

// longDate is "Thursday 22 October 2026" or "jeudi 22 octobre 2026".
func longDate(d time.Time) string {
	return dayName(d.Weekday()) + " " + strconv.Itoa(d.Day()) + " " + monthName(d.Month()) + " " + strconv.Itoa(d.Year())
}

func (t *agendaTab) show(ag core.Agenda) {
	t.lines = ag.Lines
	t.items = map[uuid.UUID]*agendaItem{}
	t.today = nil
	byDay := map[time.Time][]core.EventLine{}
	for _, l := range ag.Lines {
		d := dayOf(l.Start.In(time.Local))
		byDay[d] = append(byDay[d], l)
	}
	now := dayOf(t.m.g.svc.Now().In(time.Local))
	var content fyne.CanvasObject
	if t.span == core.AgendaMonth {
		t.title.SetText(capitalize(monthName(ag.From.Month())) + " " + strconv.Itoa(ag.From.Year()))
		content = t.monthGrid(ag, byDay, now)
	} else {
		last := ag.To.AddDate(0, 0, -1)
		t.title.SetText(tr("Week of {{.From}} to {{.To}}", map[string]any{"From": fmtDate(ag.From), "To": fmtDate(last)}))
		content = t.weekList(ag, byDay, now)
	}
	status := tr("{{.Count}} events", map[string]any{"Count": fmtInt(len(ag.Lines))})
	if msg := hiddenText(ag.Hidden); msg != "" {
		status += " — " + msg
	}
	t.status.SetText(status)
	t.body.Objects = []fyne.CanvasObject{content}
	t.body.Refresh()
}

// highlight is the background of today.
func (t *agendaTab) highlight() *canvas.Rectangle {
	c := theme.Color(theme.ColorNamePrimary)
	r, g, b, _ := c.RGBA()
	rect := canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x40})
	rect.CornerRadius = 4
	t.today = rect
	return rect
}

// maxPerCell is how many events a cell of the month grid names; "+N more" says the rest.
const maxPerCell = 3

func (t *agendaTab) monthGrid(ag core.Agenda, byDay map[time.Time][]core.EventLine, today time.Time) fyne.CanvasObject {
	var head, cells []fyne.CanvasObject
	for i := range 7 {
		wd := time.Weekday((i + 1) % 7) // Monday first
		head = append(head, widget.NewLabelWithStyle(capitalize(shortDayName(wd)), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	}
	first := ag.From
	lead := (int(first.Weekday()) + 6) % 7 // days of the week before the 1st (Monday first)
	start := time.Date(first.Year(), first.Month(), 1-lead, 0, 0, 0, 0, time.Local)
	for i := range 42 {
		d := time.Date(start.Year(), start.Month(), start.Day()+i, 0, 0, 0, 0, time.Local)
		if i%7 == 0 && i > 0 && !d.Before(ag.To) {
			break
		}
		cells = append(cells, t.dayCell(d, d.Month() == first.Month(), byDay[d], today))
	}
	return container.NewBorder(container.NewGridWithColumns(7, head...), nil, nil, nil,
		container.NewVScroll(container.NewGridWithColumns(7, cells...)))
}

func (t *agendaTab) dayCell(d time.Time, inMonth bool, lines []core.EventLine, today time.Time) fyne.CanvasObject {
	num := widget.NewLabel(strconv.Itoa(d.Day()))
	if !inMonth {
		num.Importance = widget.LowImportance
	}
	box := container.NewVBox(num)
	for i, l := range lines {
		if i == maxPerCell {
			more := widget.NewLabel(tr("+{{.Count}} more", map[string]any{"Count": fmtInt(len(lines) - maxPerCell)}))
			more.Importance = widget.LowImportance
			box.Add(more)
			break
		}
		box.Add(t.item(l, l.Start.In(time.Local).Format(timeLayout)+" "+l.Name))
	}
	var bg fyne.CanvasObject = canvas.NewRectangle(color.Transparent)
	if d.Equal(today) {
		bg = t.highlight()
		num.TextStyle.Bold = true
	}
	border := canvas.NewRectangle(color.Transparent)
	border.StrokeColor = theme.Color(theme.ColorNameSeparator)
	border.StrokeWidth = 1
	return container.NewStack(bg, border, container.NewGridWrap(fyne.NewSize(150, 118), box))
}

func (t *agendaTab) weekList(ag core.Agenda, byDay map[time.Time][]core.EventLine, today time.Time) fyne.CanvasObject {
	list := container.NewVBox()
	for d := ag.From; d.Before(ag.To); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, time.Local) {
		head := widget.NewLabelWithStyle(capitalize(longDate(d)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		if d.Equal(today) {
			list.Add(container.NewStack(t.highlight(), head))
		} else {
			list.Add(head)
		}
		lines := byDay[d]
		if len(lines) == 0 {
			none := widget.NewLabel("    " + tr("No events"))
			none.Importance = widget.LowImportance
			list.Add(none)
		}
		for _, l := range lines {
			text := "    " + l.Start.In(time.Local).Format(timeLayout) + "–" + l.End.In(time.Local).Format(timeLayout) + "  " + l.Name + " — " + l.Location
			list.Add(t.item(l, text))
		}
	}
	return container.NewVScroll(list)
}

func (t *agendaTab) item(l core.EventLine, text string) *agendaItem {
	it := newAgendaItem(text, func() { showEventByID(t.m, l.ID) })
	t.items[l.ID] = it
	return it
}

// agendaItem is an event's name in the agenda: double-click opens it.
type agendaItem struct {
	widget.Label
	onOpen func()
}

func newAgendaItem(text string, open func()) *agendaItem {
	it := &agendaItem{onOpen: open}
	it.Text = text
	it.Truncation = fyne.TextTruncateEllipsis
	it.ExtendBaseWidget(it)
	return it
}

// DoubleTapped opens the event.
func (it *agendaItem) DoubleTapped(*fyne.PointEvent) {
	if it.onOpen != nil {
		it.onOpen()
	}
}

// Tapped does nothing: a single click only selects the window.
func (it *agendaItem) Tapped(*fyne.PointEvent) {}
