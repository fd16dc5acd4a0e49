package replica

import (
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica/access"
)

// metaKeyFormat marks a cluster that holds a team dataset; its value is the format version.
const metaKeyFormat = access.MetaPrefix + "format"

// datasetFormat is the version of the cluster layout this engine writes.
const datasetFormat = "1"

// changeKey is the key of a published change: its audit entries, and the mark that makes a
// replay recognisable (it is created once, in the change's own transaction).
func changeKey(id uuid.UUID) string { return access.AuditPrefix + id.String() }

// recordPrefix is the key prefix of the records of type t.
func recordPrefix(t core.RecordType) string {
	switch t {
	case core.UserRecord:
		return access.UsersPrefix
	case core.ClientRecord:
		return access.ClientsPrefix
	case core.ContractRecord:
		return access.ContractsPrefix
	case core.EventRecord:
		return access.EventsPrefix
	}
	return ""
}

// recordKey is the key of a record.
func recordKey(t core.RecordType, id uuid.UUID) string { return recordPrefix(t) + id.String() }

// parseRecordKey returns the record a key names; ok false for any other key.
func parseRecordKey(k string) (core.RecordType, uuid.UUID, bool) {
	for _, t := range core.RecordTypes {
		p := recordPrefix(t)
		if strings.HasPrefix(k, p) {
			id, err := uuid.Parse(k[len(p):])
			return t, id, err == nil
		}
	}
	return "", uuid.Nil, false
}

// uniqueKeys returns the index keys of the unique values a record version holds.
func uniqueKeys(w *core.Wire) []string {
	if w == nil {
		return nil
	}
	switch w.Type {
	case core.UserRecord:
		var out []string
		if v := w.Fields[core.WireEmail]; v != "" {
			out = append(out, access.UserEmailKey(v))
		}
		if v := w.Fields[core.WireEmployeeNumber]; v != "" {
			out = append(out, access.EmployeeNumberKey(v))
		}
		return out
	case core.ClientRecord:
		if v := w.Fields[core.WireEmail]; v != "" {
			return []string{access.ClientEmailKey(v)}
		}
	}
	return nil
}

// uniqueField names the field a unique key indexes.
func uniqueField(k string) string {
	if strings.HasPrefix(k, access.EmployeeNumberPrefix) {
		return core.WireEmployeeNumber
	}
	return core.WireEmail
}

// parent returns the reference key that ties a record version to its parent and the parent's
// record key ("" for records without a parent).
func parent(w *core.Wire) (ref, parentKey string) {
	if w == nil {
		return "", ""
	}
	switch w.Type {
	case core.ContractRecord:
		c := w.Fields[core.WireClientID]
		return access.ClientContractKey(c, w.ID.String()), access.ClientKey(c)
	case core.EventRecord:
		k := w.Fields[core.WireContractID]
		return access.ContractEventKey(k, w.ID.String()), access.ContractKey(k)
	}
	return "", ""
}

// childrenOf returns the prefix of the references to a record's children ("" for none).
func childrenOf(t core.RecordType, id uuid.UUID) string {
	switch t {
	case core.ClientRecord:
		return access.ClientContractsOf(id.String())
	case core.ContractRecord:
		return access.ContractEventsOf(id.String())
	}
	return ""
}
