package ui

import (
	"sort"
	"strconv"
	"strings"

	"github.com/epicevents/crm/core"
)

// auditRow is an entry of the audit trail with the name of who made the change.
type auditRow struct {
	core.AuditEntry
	Who string
}

func auditColumns() []column[auditRow] {
	return []column[auditRow]{
		{Title: tr("When"), Width: 150, Value: func(r auditRow) string { return fmtDateTime(r.At) },
			Less: func(a, b auditRow) bool { return a.Seq < b.Seq }},
		textColumn(tr("Who"), 160, func(r auditRow) string { return r.Who }),
		{Title: tr("Action"), Width: 140, Value: func(r auditRow) string { return actionName(r.Action) },
			Less: func(a, b auditRow) bool { return a.Action < b.Action }},
		{Title: tr("Record"), Width: 110, Value: func(r auditRow) string { return recordName(r.Record) },
			Less: func(a, b auditRow) bool { return a.Record < b.Record }},
		{Title: tr("Record id"), Width: 100, Value: func(r auditRow) string { return r.RecordID.String()[:8] },
			Less: func(a, b auditRow) bool { return a.RecordID.String() < b.RecordID.String() }},
		{Title: tr("Fields"), Width: 260, Value: auditDetail},
	}
}

func actionName(a string) string { return trName(actionNames, a, a) }

var actionNames = map[string]string{
	core.ActionCreate: trLater("created"), core.ActionUpdate: trLater("updated"), core.ActionDelete: trLater("deleted"),
	core.ActionDeactivate: trLater("deactivated"), core.ActionReactivate: trLater("reactivated"),
	core.ActionPassword: trLater("password changed"), core.ActionPasswordReset: trLater("password reset"),
	core.ActionPasswordHash: trLater("password re-hashed"), core.ActionLogout: trLater("logged out"),
	core.ActionReassign: trLater("reassigned"), core.ActionSign: trLater("signed"), core.ActionCancel: trLater("cancelled"),
	core.ActionAssign: trLater("support assigned"), core.ActionUnassign: trLater("support unassigned"),
	core.ActionBackup: trLater("backed up"), core.ActionRestore: trLater("restored"), core.ActionExport: trLater("exported"),
	core.ActionLogin: trLater("logged in"), core.ActionLoginFailed: trLater("login failed"),
}

func recordName(r core.RecordType) string { return trName(recordNames, r, string(r)) }

var recordNames = map[core.RecordType]string{
	core.UserRecord: trLater("collaborator"), core.ClientRecord: trLater("client"),
	core.ContractRecord: trLater("contract"), core.EventRecord: trLater("event"),
	core.DatabaseRecord: trLater("database"), core.AuditRecord: trLater("activity"),
}

// auditDetail is the fields of an entry and, for a backup, restore or export, how many records
// it held.
func auditDetail(r auditRow) string {
	s := strings.Join(r.Fields, ", ")
	if r.Count > 0 {
		if s != "" {
			s += " "
		}
		s += tr("({{.Count}} records)", map[string]any{"Count": fmtInt(r.Count)})
	}
	return s
}

func newActivityTab(m *mainScreen) *listTab[auditRow] {
	g := m.g
	spec := tabSpec[auditRow]{
		name:    "activity",
		record:  core.AuditRecord,
		columns: auditColumns(),
		load: func(q query) ([]auditRow, int, error) {
			n, err := g.loadNames()
			if err != nil {
				return nil, 0, err
			}
			es, hidden, err := g.svc.Audit(g.actor, core.AuditQuery{})
			search := strings.ToLower(strings.TrimSpace(q.search))
			rows := make([]auditRow, 0, len(es))
			for _, e := range es {
				who := n.name(e.ActorID)
				switch {
				case e.ActorID == [16]byte{} && e.Action == core.ActionLoginFailed:
					who = "-" // an attempt for an email no account has: nobody to name
				case e.ActorID == [16]byte{}:
					who = tr("system")
				}
				r := auditRow{AuditEntry: e, Who: who}
				if search == "" || strings.Contains(strings.ToLower(who+" "+actionName(e.Action)+" "+recordName(e.Record)+" "+e.RecordID.String()), search) {
					rows = append(rows, r)
				}
			}
			sort.Slice(rows, func(i, j int) bool { return rows[i].Seq > rows[j].Seq })
			return rows, hidden, err
		},
		same: func(x, y auditRow) bool { return x.Seq == y.Seq },
		csv: func(rows []auditRow, _ core.ExportLookup) [][]string {
			out := [][]string{{"seq", "at", "who", "action", "record", "record_id", "fields", "count"}}
			for _, r := range rows {
				out = append(out, []string{fmtInt64(r.Seq), core.CSVTime(r.At), r.Who, r.Action, string(r.Record),
					r.RecordID.String(), strings.Join(r.Fields, " "), strconv.Itoa(r.Count)})
			}
			return out
		},
	}
	return newListTab(g, spec)
}
