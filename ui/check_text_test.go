package ui

import (
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
)

// A repair in team mode that took a record from a backup says that the next sync copies the
// team's data again; a repair that did not, says nothing of it. In English and French.
func TestRepairText_Recopy(t *testing.T) {
	res := core.RepairResult{Restored: []core.Restored{{Record: core.RecordRef{Type: core.ClientRecord}, Source: "backup b.db"}}, Recopy: true}
	if got := repairText(res); !strings.Contains(got, "The next sync copies the team's data again from the cluster") {
		t.Errorf("team repair from a backup:\n%s", got)
	}
	res.Recopy = false
	if got := repairText(res); strings.Contains(got, "next sync") {
		t.Errorf("solo repair mentions a sync:\n%s", got)
	}
	inFrench(t)
	res.Recopy = true
	if got := repairText(res); !strings.Contains(got, "La prochaine synchronisation recopie les données de l'équipe") {
		t.Errorf("French team repair:\n%s", got)
	}
}
