package core

// A patch names the fields to change (a nil pointer leaves a field as it is); an update audits
// the names of the fields whose values changed. setIf and changedFields are those two steps once
// for every record.

// setIf sets *dst to *v when the patch gives a value.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// fieldDiff is a field's audit name and whether its value stayed the same.
type fieldDiff struct {
	name string
	same bool
}

// changedNames returns, in order, the names of the fields whose values changed.
func changedNames(fs ...fieldDiff) []string {
	var out []string
	for _, f := range fs {
		if !f.same {
			out = append(out, f.name)
		}
	}
	return out
}
