package ui

import (
	"errors"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// Fail shows why the application cannot start (the database is in use by another program,
// damaged, or cannot be created) in a small window, prints it on standard error, runs a until
// the window is closed and returns the exit code 1.
func Fail(a fyne.App, err error) int {
	if lerr := LoadTranslations(); lerr != nil {
		fyne.LogError("loading translations", lerr)
	}
	msg := tr("The database cannot be opened: {{.Error}}", map[string]any{"Error": err.Error()})
	if e, ok := codedError(err); ok {
		msg = tr("The database cannot be opened: {{.Error}}", map[string]any{"Error": coreMessage(e)})
	}
	if core.CodeOf(err) == core.CodeInUse {
		msg = tr("The database is in use by another program (another Epic Events CRM window or a command). Close it and start again.")
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	w := a.NewWindow(appTitle())
	w.SetContent(container.NewCenter(widget.NewIcon(theme.ErrorIcon())))
	w.Resize(fyne.NewSize(560, 260))
	w.SetMaster()
	d := dialog.NewError(errors.New(msg), w)
	d.SetDismissText(tr("Quit"))
	d.SetOnClosed(a.Quit)
	w.Show()
	d.Show()
	a.Run()
	return 1
}
