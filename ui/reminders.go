package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/epicevents/crm/core"
)

// Reminders (issue #14): a desktop notification when one of my events starts within 24 hours and
// again one hour before, and a summary after login. core decides what is due and remembers, in
// this laptop's database, what was shown; the window asks every minute. A preference turns them
// off (it holds a yes/no, nothing secret).

// prefReminders is the preference key of the reminders (default on).
const prefReminders = "reminders.enabled"

// reminderPeriod is how often the window asks core for due reminders.
const reminderPeriod = time.Minute

func (g *GUI) remindersOn() bool { return g.app.Preferences().BoolWithFallback(prefReminders, true) }

func (g *GUI) setRemindersOn(on bool) { g.app.Preferences().SetBool(prefReminders, on) }

// sendNotification shows a desktop notification (tests replace it).
func (g *GUI) sendNotification(n *fyne.Notification) {
	if g.notify != nil {
		g.notify(n)
		return
	}
	g.app.SendNotification(n)
}

// startReminders shows the login summary and the reminders due, then asks again every minute
// until stopReminders.
func (m *mainScreen) startReminders() {
	g := m.g
	if g.remindersOn() {
		background(g, func() (core.LoginSummary, error) { return g.svc.LoginSummary(g.actor) },
			func(s core.LoginSummary, err error) {
				if err == nil && s.Next != nil && g.main == m {
					g.sendNotification(fyne.NewNotification(tr("Your events"), summaryText(s)))
				}
			})
	}
	m.checkReminders()
	stop := make(chan struct{})
	m.stopTicker = func() { close(stop) }
	go func() {
		tick := time.NewTicker(reminderPeriod)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				onUI(m.checkReminders)
			}
		}
	}()
}

// stopReminders ends the minute ticker (at logout).
func (m *mainScreen) stopReminders() {
	if m.stopTicker != nil {
		m.stopTicker()
		m.stopTicker = nil
	}
}

// checkReminders notifies the reminders core says are due (each once).
func (m *mainScreen) checkReminders() {
	g := m.g
	if !g.remindersOn() || g.main != m {
		return
	}
	background(g, func() ([]core.Reminder, error) { return g.svc.DueReminders(g.actor) },
		func(rs []core.Reminder, err error) {
			if err != nil {
				return // reminders are best effort; the lists show the same events
			}
			for _, r := range rs {
				g.sendNotification(reminderNotification(r))
			}
		})
}

func reminderNotification(r core.Reminder) *fyne.Notification {
	title := tr("Event tomorrow: {{.Name}}", map[string]any{"Name": r.Event.Name})
	if r.Moment == core.RemindHourBefore {
		title = tr("Event in less than an hour: {{.Name}}", map[string]any{"Name": r.Event.Name})
	}
	return fyne.NewNotification(title, fmtDateTime(r.Event.Start)+" — "+r.Event.Location)
}

func summaryText(s core.LoginSummary) string {
	return tr("{{.Day}} events in the next 24 hours, {{.Week}} in the next 7 days. Next: {{.Name}}, {{.When}}, {{.Where}}.",
		map[string]any{"Day": fmtInt(s.Day), "Week": fmtInt(s.Week), "Name": s.Next.Name,
			"When": fmtDateTime(s.Next.Start), "Where": s.Next.Location})
}
