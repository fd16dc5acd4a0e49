package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/permissions"
)

// tabView is what the main window needs from each of its tabs.
type tabView interface {
	refresh()
	focusSearch()
	newRecord()
	deleteSelected()
	exportCSV()
	view() fyne.CanvasObject
}

func (t *listTab[T]) view() fyne.CanvasObject { return t.content }

// mainScreen is the main window's content: one tab per kind of record.
type mainScreen struct {
	g         *GUI
	tabs      *container.AppTabs
	views     []tabView
	clients   *listTab[clientRow]
	contracts *listTab[contractRow]
	events    *listTab[eventRow]
	users     *listTab[userRow]
	activity  *listTab[auditRow]
	content   fyne.CanvasObject
	shortcuts []fyne.Shortcut
	// form is the record form opened last (tests reach it through here).
	form any
	// saveDialog is the file dialog of the last export or backup (tests reach it here).
	saveDialog *dialog.FileDialog
	home       *homeTab
	agenda     *agendaTab
	// importing is the last import preview (tests reach it here).
	importing *importPreview
	// stopTicker ends the reminders' ticker.
	stopTicker func()
	// remindersItem is the Account menu's switch of the reminders.
	remindersItem *fyne.MenuItem
	// sync is team mode's background sync and status line item (sync.go).
	sync *teamSync
	// check is the dialog of the last check or repair (tests reach it here).
	check *checkDialog
}

func newMainScreen(g *GUI) *mainScreen {
	m := &mainScreen{g: g}
	m.clients = newClientsTab(m)
	m.contracts = newContractsTab(m)
	m.events = newEventsTab(m)
	m.home = newHomeTab(m)
	m.agenda = newAgendaTab(m)
	m.tabs = container.NewAppTabs(
		container.NewTabItem(tr("Home"), m.home.view()),
		container.NewTabItem(tr("Agenda"), m.agenda.view()),
		container.NewTabItem(tr("Clients"), m.clients.view()),
		container.NewTabItem(tr("Contracts"), m.contracts.view()),
		container.NewTabItem(tr("Events"), m.events.view()),
	)
	m.views = []tabView{m.home, m.agenda, m.clients, m.contracts, m.events}
	if core.CanListUsers(g.actor) {
		m.users = newUsersTab(m)
		m.tabs.Append(container.NewTabItem(tr("Collaborators"), m.users.view()))
		m.views = append(m.views, m.users)
	}
	if core.CanReadAudit(g.actor) {
		m.activity = newActivityTab(m)
		m.tabs.Append(container.NewTabItem(tr("Activity"), m.activity.view()))
		m.views = append(m.views, m.activity)
	}
	m.tabs.OnSelected = func(*container.TabItem) {
		// The keyboard follows the tab shown: a hidden tab's table must not keep the focus,
		// or Enter would open a record nobody sees.
		if f, ok := m.current().(interface{ focusTable() }); ok {
			f.focusTable()
		} else {
			m.g.win.Canvas().Unfocus()
		}
		switch cur := m.current(); {
		case m.activity != nil && cur == tabView(m.activity):
			m.activity.refresh() // the trail grows with every change made meanwhile
		case cur == tabView(m.home), cur == tabView(m.agenda):
			cur.refresh() // the figures and the agenda follow the changes made in the lists
		}
	}
	m.content = m.tabs
	return m
}

// reloadAll loads every tab.
func (m *mainScreen) reloadAll() {
	for _, v := range m.views {
		v.refresh()
	}
}

// current is the tab on screen.
func (m *mainScreen) current() tabView {
	i := m.tabs.SelectedIndex()
	if i < 0 || i >= len(m.views) {
		return m.views[0]
	}
	return m.views[i]
}

func (m *mainScreen) menu() *fyne.MainMenu {
	file := fyne.NewMenu(tr("File"),
		fyne.NewMenuItem(tr("Export CSV…"), func() { m.current().exportCSV() }))
	if core.CanCreateClient(m.g.actor) {
		file.Items = append(file.Items, fyne.NewMenuItem(tr("Import clients…"), m.importClients))
	}
	if core.CanAdminister(m.g.actor, permissions.Backup) {
		file.Items = append(file.Items, fyne.NewMenuItem(tr("Backup…"), m.backup))
	}
	if core.CanAdminister(m.g.actor, permissions.Check) {
		file.Items = append(file.Items, fyne.NewMenuItem(tr("Check database…"), m.checkDatabase))
	}
	file.Items = append(file.Items, fyne.NewMenuItem(tr("Team…"), m.g.guard(m.showTeam)))
	file.Items = append(file.Items, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(tr("Log out"), func() { m.g.endSession(true) }))
	quit := fyne.NewMenuItem(tr("Quit"), func() { m.g.app.Quit() })
	quit.IsQuit = true
	file.Items = append(file.Items, quit)
	m.remindersItem = fyne.NewMenuItem(tr("Event reminders"), nil)
	m.remindersItem.Checked = m.g.remindersOn()
	m.remindersItem.Action = func() { m.toggleReminders() }
	account := fyne.NewMenu(tr("Account"),
		fyne.NewMenuItem(tr("Change password…"), func() { showChangePassword(m.g) }), m.remindersItem)
	help := fyne.NewMenu(tr("Help"), fyne.NewMenuItem(tr("About"), m.about))
	return fyne.NewMainMenu(file, account, help)
}

// toggleReminders turns the event reminders on or off (a preference of this laptop).
func (m *mainScreen) toggleReminders() {
	on := !m.g.remindersOn()
	m.g.setRemindersOn(on)
	m.remindersItem.Checked = on
	if mm := m.g.win.MainMenu(); mm != nil {
		mm.Refresh()
	}
	if on {
		m.checkReminders()
	}
}

func (m *mainScreen) about() {
	text := widget.NewLabel(tr("Epic Events CRM") + "\n" + tr("Version {{.Version}}", map[string]any{"Version": m.g.opt.Version}) +
		"\n\n" + tr("Clients, contracts and events of Epic Events."))
	dialog.ShowCustom(tr("About"), tr("Close"), text, m.g.win)
}

// addShortcuts installs the keyboard shortcuts of PRODUCT.md §7.
func (m *mainScreen) addShortcuts() {
	c := m.g.win.Canvas()
	add := func(k fyne.KeyName, fn func()) {
		s := &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
		m.shortcuts = append(m.shortcuts, s)
		c.AddShortcut(s, func(fyne.Shortcut) { fn() })
	}
	keys := []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7, fyne.Key8, fyne.Key9}
	for i := range m.views {
		add(keys[i], func() { m.tabs.SelectIndex(i) })
	}
	add(fyne.KeyN, func() { m.current().newRecord() })
	add(fyne.KeyF, func() { m.current().focusSearch() })
	add(fyne.KeyR, func() { m.current().refresh() })
	add(fyne.KeyQ, m.g.app.Quit)
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyDelete && m.g.main == m {
			m.current().deleteSelected()
		}
	})
}

// removeShortcuts removes them when the user logs out.
func (m *mainScreen) removeShortcuts() {
	c := m.g.win.Canvas()
	for _, s := range m.shortcuts {
		c.RemoveShortcut(s)
	}
	c.SetOnTypedKey(nil)
}

// backup writes a copy of the database to a file the user picks, through core (management
// only; core refuses the database's own files and records the backup).
func (m *mainScreen) backup() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		name := w.URI().Path()
		background(m.g, func() (int, error) {
			n := 0
			err := m.g.writeTo(w, func(dst core.Destination) error {
				var err error
				n, err = m.g.svc.Backup(m.g.actor, dst)
				return err
			})
			return n, err
		}, func(n int, err error) {
			if err != nil {
				m.g.showError(err)
				return
			}
			dialog.ShowInformation(tr("Backup"), tr("The database was saved to {{.Path}}.", map[string]any{"Path": name}), m.g.win)
		})
	}, m.g.win)
	d.SetFileName("epicevents-backup.db")
	m.saveDialog = d
	d.Show()
}
