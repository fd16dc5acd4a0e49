package ui

import (
	"embed"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

//go:embed translations
var translations embed.FS

// french is true when the system locale asks for French; amounts, dates and counts follow it.
var french bool

// LoadTranslations registers the English and French translations and picks the language of the
// system locale (LANG, LC_ALL, LANGUAGE). Run calls it; tests call it again after changing LANG.
func LoadTranslations() error {
	err := lang.AddTranslationsFS(translations, "translations")
	french = strings.HasPrefix(string(lang.SystemLocale()), "fr")
	return err
}

// tr translates an English sentence (the key is the English text itself).
func tr(s string, data ...any) string { return lang.L(s, data...) }

// trLater marks an English text that is translated where it is used, by tr (a table of names
// below): it returns s as it is, and TestTranslations_Complete finds the texts it marks.
func trLater(s string) string { return s }

// trName is the translation of the name a table gives k, or otherwise when it gives none.
func trName[K comparable](names map[K]string, k K, otherwise string) string {
	if s, ok := names[k]; ok {
		return tr(s)
	}
	return otherwise
}

// fmtInt writes n with the thousands separator of the locale: 1,200 or 1 200.
func fmtInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if french {
		sep = "\u00a0"
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// fmtMoney writes an amount the way the locale does: €15,000.00 or 15 000,00 €.
func fmtMoney(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, cents, _ := strings.Cut(s, ".")
	n, _ := strconv.Atoi(whole)
	sign := ""
	if neg {
		sign = "-"
	}
	if french {
		return sign + fmtInt(n) + "," + cents + "\u00a0€"
	}
	return sign + "€" + fmtInt(n) + "." + cents
}

// moneyInput writes an amount for an entry field: 15000.00 or 15000,00.
func moneyInput(d decimal.Decimal) string {
	s := d.StringFixed(2)
	if french {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// regionDateLayouts copies the regions of Fyne's widget/locale.go (v2.7) whose DateEntry
// writes a day other than 02/01/2006. Fyne keeps its table unexported; TestDateLayout_AsDateEntry
// checks this copy against the real widget, region by region, so an upgrade that changes one fails.
var regionDateLayouts = map[string]string{"DE": "02.01.2006", "SE": "2006-01-02", "US": "01/02/2006"}

// timeLayout is the clock of every moment the window writes or reads: 24 hours, 09:30.
const timeLayout = "15:04"

// dateLayout is the system locale's layout of a day: the one the event form's date field shows
// and reads, so a table, a label and a form write the same day alike (CSV and JSON keep RFC 3339).
// It reads the locale on every use, as the date field does: BenchmarkDateLayout gives 0.7–1.1 µs,
// nothing beside a table cell's drawing.
func dateLayout() string {
	_, region, _ := strings.Cut(lang.SystemLocale().LanguageString(), "-")
	if l, ok := regionDateLayouts[region]; ok {
		return l
	}
	return "02/01/2006"
}

// fmtDate writes a day in local time in the locale's layout: 03/23/2026, 23/03/2026, 23.03.2026.
func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(dateLayout())
}

// fmtDateTime writes a moment in local time in the locale's day layout and a 24-hour clock, the
// two parts the event form edits.
func fmtDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtDate(t) + " " + t.Local().Format(timeLayout)
}

// deptName is the translated name of a department.
func deptName(d core.Department) string {
	return tr(string(d)) // the translations have "commercial", "support" and "management"
}

// statusName is the translated name of a contract status.
func statusName(s core.ContractStatus) string { return trName(statusNames, s, string(s)) }

var statusNames = map[core.ContractStatus]string{
	core.Draft: trLater("draft"), core.Signed: trLater("signed"), core.Cancelled: trLater("cancelled"),
}

// fieldName is the translated label of a field named by a core error.
func fieldName(f string) string { return trName(fieldNames, f, f) }

var fieldNames = map[string]string{
	"full_name": trLater("Full name"), "email": trLater("Email"), "phone": trLater("Phone"),
	"company_name": trLater("Company"), "notes": trLater("Notes"), "commercial_contact": trLater("Commercial"),
	"total_amount": trLater("Total amount"), "amount_due": trLater("Amount due"), "name": trLater("Name"),
	"start": trLater("Start"), "end": trLater("End"), "location": trLater("Location"),
	"attendees": trLater("Attendees"), "support_contact": trLater("Support"), "password": trLater("Password"),
	"current_password": trLater("Current password"), "department": trLater("Department"), "days": trLater("Days"),
}

// errText is the message of a core error for people, translated where core's message is known.
func errText(err error) string {
	if err == nil {
		return ""
	}
	var e *core.Error
	if errors.As(err, &e) && e.Kind == core.Damaged {
		return damagedText(e)
	}
	if errors.As(err, &e) && (e.Kind != core.Internal || e.Code != "") {
		msg := coreMessage(e)
		if e.Field != "" {
			return fieldName(e.Field) + ": " + msg
		}
		return msg
	}
	return core.MessageOf(err)
}

// appTitle is the product name shown in window titles.
func appTitle() string { return tr("Epic Events CRM") }

// damagedText is the window's sentence for a Damaged error: the record type and id it names.
func damagedText(e *core.Error) string {
	rec := recordName(e.Record)
	switch {
	case e.ID != uuid.Nil:
		return tr("the stored {{.Record}} {{.ID}} is damaged and is not shown; run a database check",
			map[string]any{"Record": rec, "ID": e.ID.String()})
	case e.Code == core.CodeIndexDamaged:
		return tr("an index entry of the {{.Record}} records is damaged; run a database check",
			map[string]any{"Record": rec})
	}
	return tr("a damaged {{.Record}} record prevents this change; run a database check",
		map[string]any{"Record": rec})
}

// hiddenText is what a status line adds when n damaged records were left out of a list: the
// window's words for core.HiddenMessage; "" when n is 0.
func hiddenText(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return tr("1 damaged record hidden — run Check")
	}
	return tr("{{.Count}} damaged records hidden — run Check", map[string]any{"Count": fmtInt(n)})
}
