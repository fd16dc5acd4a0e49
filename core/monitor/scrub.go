package monitor

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Replacements the scrubber writes in place of what it removes.
const (
	redacted  = "[redacted]"
	maskEmail = "[email]"
	maskPhone = "[phone]"
	maskToken = "[token]"
	maskHash  = "[hash]"
	maskData  = "[data]"
	maskHome  = "~"
	maskHost  = "[host]"
)

var (
	reJWT      = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}`)
	reArgon2   = regexp.MustCompile(`\$argon2(?:id|i|d)\$[A-Za-z0-9+/=,$.-]*`)
	reSecretKV = regexp.MustCompile(`(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|authorization)[\w-]*["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&)}\]]+)`)
	reEmail    = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}`)
	rePhone    = regexp.MustCompile(`\+?\(?\d[\d\s.\-()]{4,}\d`)
	reISODate  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)
	reIPv4     = regexp.MustCompile(`^\d{1,3}(?:\.\d{1,3}){3}$`)
	reUUID     = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	// reSecretKey matches map keys whose values are dropped whole.
	reSecretKey = regexp.MustCompile(`(?i)password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie|e-?mail|phone|hash|full_?name|user_?name`)
)

// secretHint carries, in an EventHint, exact strings to remove from that event (the actor's
// email, name and token).
type secretHint []string

// scrubber removes personal data and secrets from events: the data directory and home directory
// paths, the host name, e-mail addresses, phone numbers, JWTs, argon2 hashes and password-like
// values, everywhere a string can hide.
type scrubber struct {
	paths []replacement // longest first
	host  *regexp.Regexp
}

type replacement struct{ old, new string }

func newScrubber(dataDir string) *scrubber {
	s := &scrubber{}
	home, _ := os.UserHomeDir()
	for _, p := range pathForms(dataDir) {
		s.paths = append(s.paths, replacement{p, maskData})
	}
	for _, p := range pathForms(home) {
		s.paths = append(s.paths, replacement{p, maskHome})
	}
	sort.SliceStable(s.paths, func(i, j int) bool { return len(s.paths[i].old) > len(s.paths[j].old) })
	if h, err := os.Hostname(); err == nil {
		s.host = hostPattern(h)
	}
	return s
}

// pathForms returns the spellings under which a directory may appear: as given, cleaned,
// absolute, with symbolic links resolved, with forward slashes. The root alone is never listed.
func pathForms(dir string) []string {
	if dir == "" {
		return nil
	}
	forms := []string{dir, filepath.Clean(dir)}
	if abs, err := filepath.Abs(dir); err == nil {
		forms = append(forms, abs)
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		forms = append(forms, real)
	}
	var out []string
	for _, f := range forms {
		for _, v := range []string{f, filepath.ToSlash(f)} {
			v = strings.TrimRight(v, `/\`)
			if len(v) > 1 && !strings.HasSuffix(v, ":") && !contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// hostPattern matches the host name (and its first label) as a whole word.
func hostPattern(h string) *regexp.Regexp {
	names := []string{}
	for _, n := range []string{h, strings.SplitN(h, ".", 2)[0]} {
		if len(n) >= 2 && !contains(names, n) {
			names = append(names, regexp.QuoteMeta(n))
		}
	}
	if len(names) == 0 {
		return nil
	}
	return regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_-])(?:` + strings.Join(names, "|") + `)($|[^\p{L}\p{N}_-])`)
}

// text scrubs one string. secrets are exact strings removed first.
func (s *scrubber) text(v string, secrets []string) string {
	if v == "" {
		return v
	}
	for _, sec := range secrets {
		if len(sec) >= 3 {
			v = strings.ReplaceAll(v, sec, redacted)
		}
	}
	v = s.path(v)
	v = reJWT.ReplaceAllString(v, maskToken)
	v = reArgon2.ReplaceAllString(v, maskHash)
	v = reSecretKV.ReplaceAllString(v, "${1}"+redacted)
	v = reEmail.ReplaceAllString(v, maskEmail)
	v = scrubPhones(v)
	return s.hostname(v)
}

// path replaces the data and home directories, and the host name, in a file path.
func (s *scrubber) path(v string) string {
	for _, r := range s.paths {
		v = strings.ReplaceAll(v, r.old, r.new)
	}
	return v
}

func (s *scrubber) hostname(v string) string {
	if s.host == nil {
		return v
	}
	// Twice, because adjacent matches share their separator.
	for range 2 {
		v = s.host.ReplaceAllString(v, "${1}"+maskHost+"${2}")
	}
	return v
}

// scrubPhones masks runs of 6 to 20 digits written like a phone number, except ISO dates,
// IPv4 addresses, parts of UUIDs and digits glued to letters or other identifiers (hex ids,
// versions).
func scrubPhones(v string) string {
	locs := rePhone.FindAllStringIndex(v, -1)
	if locs == nil {
		return v
	}
	uuids := reUUID.FindAllStringIndex(v, -1)
	var b strings.Builder
	last := 0
	for _, l := range locs {
		m := v[l[0]:l[1]]
		if overlaps(l, uuids) || !isPhone(v, l[0], l[1], m) {
			continue
		}
		b.WriteString(v[last:l[0]])
		b.WriteString(maskPhone)
		last = l[1]
	}
	b.WriteString(v[last:])
	return b.String()
}

func isPhone(v string, start, end int, m string) bool {
	digits := 0
	for _, r := range m {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 6 || digits > 20 || reISODate.MatchString(m) || reIPv4.MatchString(m) {
		return false
	}
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(v[:start])
		if isWordRune(r) || strings.ContainsRune("-.:/_#", r) {
			return false
		}
	}
	if end < len(v) {
		r, _ := utf8.DecodeRuneInString(v[end:])
		if isWordRune(r) {
			return false
		}
	}
	return true
}

func overlaps(span []int, spans [][]int) bool {
	for _, s := range spans {
		if span[0] < s[1] && s[0] < span[1] {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// value scrubs any value found in extras, contexts and breadcrumb data. Values of unknown types
// are turned into their JSON form first, so nothing escapes by being a struct.
func (s *scrubber) value(v any, secrets []string) any {
	switch x := v.(type) {
	case nil, bool, json.Number:
		return x
	case string:
		return s.text(x, secrets)
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = s.text(e, secrets)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = s.value(e, secrets)
		}
		return out
	case map[string]string:
		return s.stringMap(x, secrets)
	case map[string]any:
		return s.anyMap(x, secrets)
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return redacted
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return redacted
	}
	return s.value(generic, secrets)
}

func (s *scrubber) anyMap(m map[string]any, secrets []string) map[string]any {
	return scrubMap(s, m, secrets, any(redacted), s.value)
}

func (s *scrubber) stringMap(m map[string]string, secrets []string) map[string]string {
	return scrubMap(s, m, secrets, redacted, s.text)
}

// scrubMap scrubs a map: the value of a key that names a secret becomes hidden, other keys are
// scrubbed as text and their values with val.
func scrubMap[V any](s *scrubber, m map[string]V, secrets []string, hidden V, val func(V, []string) V) map[string]V {
	if m == nil {
		return nil
	}
	out := make(map[string]V, len(m))
	for k, v := range m {
		if reSecretKey.MatchString(k) {
			out[k] = hidden
			continue
		}
		out[s.text(k, secrets)] = val(v, secrets)
	}
	return out
}
