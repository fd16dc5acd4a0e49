// Command epicevents is Epic Events CRM: with no argument it opens the desktop application; with
// a command (see "epicevents --help") it runs that command headless, on the same database.
//
// This file is the only place that knows the concrete wiring: the data directory, the database,
// monitoring and the Fyne app.
package main

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2/app"

	"github.com/epicevents/crm/cli"
	"github.com/epicevents/crm/cli/console"
	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/monitor"
	"github.com/epicevents/crm/replica"
	"github.com/epicevents/crm/storage"
	"github.com/epicevents/crm/ui"
	// Imported first of our packages so that it runs before Fyne reads the locale.
	"github.com/epicevents/crm/core/datadir"
	_ "github.com/epicevents/crm/ui/locale"
)

// version is the product version, also the Sentry release. Release builds may set it with
// -ldflags "-X main.version=…".
var version = "1.0.0"

func main() {
	// On Windows, a command prints in the console it was typed in (this is a GUI-subsystem
	// program there). Nothing to report a failure on: there is no console then.
	_ = console.Attach(os.Args[1:])
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	dir, err := datadir.Home()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	mon, closeMonitor := setupMonitoring(dir)
	defer closeMonitor()
	if len(args) == 0 {
		return runWindow(dir, mon)
	}
	return cli.Main(args, cli.Env{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		DataDir: dir,
		Monitor: mon,
		Version: version,
	})
}

// setupMonitoring starts Sentry when SENTRY_DSN is set (PRODUCT.md §5) and returns the monitor
// with a function that flushes it at exit.
func setupMonitoring(dir string) (core.Monitor, func()) {
	mon, closeMonitor, err := monitor.FromEnv(dir, "epicevents@"+version)
	if err != nil {
		fmt.Fprintln(os.Stderr, "warning: monitoring is off:", err)
	}
	return mon, closeMonitor
}

// runWindow opens the desktop application. A panic in a window callback (they run on this
// goroutine, inside a.Run) is reported and ends the program with a message, not silently.
func runWindow(dir string, mon core.Monitor) (code int) {
	defer func() {
		if r := recover(); r != nil {
			mon.Error(fmt.Errorf("panic: %v", r), nil)
			fmt.Fprintln(os.Stderr, "error: internal error: the window stopped after an unexpected error; it has been reported")
			code = 1
		}
	}()
	a := app.NewWithID("com.epicevents.crm")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ui.Fail(a, err)
	}
	// The lock wait is storage.DefaultTimeout, PRODUCT.md §6's 2 s: the message that another
	// program holds the database comes within it, and a command that holds the database for a
	// moment is waited for rather than reported.
	db, err := storage.Open(datadir.Database(dir), storage.Options{})
	if err != nil {
		return ui.Fail(a, err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
	}()
	// The sync engine does nothing in solo mode (it touches the network only once the laptop
	// is in a team); in team mode the window runs it in the background while it is open.
	eng := replica.New(db)
	defer func() { _ = eng.Close() }()
	svc := core.NewService(db, core.Options{Monitor: mon, Replicator: eng, Refetcher: eng})
	g := ui.Run(a, ui.Options{Service: svc, DataDir: dir, Version: version, Monitor: mon, Syncer: eng})
	a.Run()
	g.Stop() // the background sync ends before the engine and the database close
	return 0
}
