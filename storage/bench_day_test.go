package storage_test

// Benchmarks of issue #14 on the benchmark database (EPICEVENTS_BENCH_SCALE, default 100k):
// the home figures of each department (< 50 ms), the agenda's month (< 20 ms) and an import of
// 10,000 rows (< 5 s).

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

func homeRows(h core.Home, err error) (int, error) {
	if err == nil && h.Hidden > 0 {
		err = fmt.Errorf("%d damaged records hidden", h.Hidden)
	}
	return len(h.Events) + h.Drafts.Count + h.Unpaid.Count + len(h.Commercials), err
}

func BenchmarkHomeManagement(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return homeRows(w.svc.Home(w.admin)) })
}

func BenchmarkHomeCommercial(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return homeRows(w.svc.Home(w.commercial)) })
}

func BenchmarkHomeSupport(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return homeRows(w.svc.Home(w.support)) })
}

// benchMonth is the agenda of the month of benchNow (June 2026), every event.
var benchMonth = core.AgendaQuery{View: core.AgendaMonth, Day: benchNow, Loc: time.UTC}

// BenchmarkAgendaMonth is the agenda's month grid: names only, from the index by start.
func BenchmarkAgendaMonth(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) {
		ag, err := w.svc.Agenda(w.admin, benchMonth)
		return count(ag.Lines, ag.Hidden, err)
	})
}

// BenchmarkAgendaMonthEvents is the same month as whole events (the command line's --json).
func BenchmarkAgendaMonthEvents(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) {
		evs, hidden, _, err := w.svc.AgendaEvents(w.admin, benchMonth)
		return count(evs, hidden, err)
	})
}

// BenchmarkImport10k imports a file of 10,000 new clients (management, the commercial named
// by email on each line) in one durable transaction, on a copy of the database.
func BenchmarkImport10k(b *testing.B) {
	w := getWorld(b)
	svc, admin := openCopy(b, w)
	round := 0
	run(b, func() (int, error) {
		round++
		var buf bytes.Buffer
		buf.WriteString("\ufeffNom complet;Courriel;Téléphone;Société;Notes;Commercial\r\n")
		for i := range 10_000 {
			fmt.Fprintf(&buf, "Client Importé %d;import.%d.%d@bench.fr;01 23 45 67 89;Import SA;Salon %d;%s\r\n",
				i, round, i, i, w.commercial.Email())
		}
		rep, err := svc.ImportClients(admin, &buf, core.ImportOptions{})
		if err == nil && rep.Created != 10_000 {
			err = fmt.Errorf("created %d", rep.Created)
		}
		return rep.Created, err
	})
}
