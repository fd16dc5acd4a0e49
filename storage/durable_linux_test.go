//go:build linux

package storage

// The durability test of PRODUCT.md §6 ("writes are durable when the call returns, no NoSync").
//
// Why strace rather than a file system that drops unsynced writes on a simulated power cut: the
// kill test (crash_test.go) cannot see a missing sync, since a killed process's writes survive
// in the kernel's page cache. A power-cut layer would have to sit between bbolt and the disk, and
// bbolt offers no such seam: it writes with (*os.File).WriteAt and reads through mmap, its
// OpenFile hook must return an *os.File, and Go makes system calls directly (no libc to
// LD_PRELOAD). What remains is FUSE or a device-mapper target (dm-log-writes), both needing
// kernel modules and privileges a developer's machine or CI container does not give. strace
// (Debian's package, installed by "make test") watches the real system calls of a real writer
// process, unmodified: every acknowledgement must come after an fdatasync/fsync of the database
// file that completed after every write to that file. It checks what the program asks of the
// kernel; that the disk keeps its promise is the kernel's and the hardware's part.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// requireStraceEnv, when set (make test sets it), turns a missing or unusable strace into a
// failure instead of a skip.
const requireStraceEnv = "EPICEVENTS_REQUIRE_STRACE"

// straceLine is one line of "strace -f -y": pid, then a call ("name(args") that may be
// unfinished, or the rest of an unfinished call ("<... name resumed>...").
var (
	straceCall    = regexp.MustCompile(`^(\d+)\s+(\w+)\((.*)$`)
	straceResumed = regexp.MustCompile(`^(\d+)\s+<\.\.\. (\w+) resumed>(.*)$`)
	straceResult  = regexp.MustCompile(`\)\s+= (-?\d+)`)
)

// syncTrace follows the system calls of a traced writer and checks the order of database
// writes, database syncs and acknowledgements.
type syncTrace struct {
	dbFD    string            // "<path>" as strace -y prints the database's descriptors
	pending map[string]string // pid → the unfinished call's name and first argument
	syncAt  map[string]int    // pid → writes completed when its unfinished sync started

	writes, synced, acks, syncs int
	lastAckWrites               int
	errs                        []string
}

func newSyncTrace(dbPath string) *syncTrace {
	return &syncTrace{dbFD: "<" + dbPath + ">", pending: map[string]string{}, syncAt: map[string]int{}}
}

// line takes one line of the trace.
func (s *syncTrace) line(l string) {
	if m := straceResumed.FindStringSubmatch(l); m != nil {
		call := s.pending[m[1]]
		delete(s.pending, m[1])
		s.finish(m[1], m[2], call, m[3])
		return
	}
	m := straceCall.FindStringSubmatch(l)
	if m == nil {
		return
	}
	pid, name, rest := m[1], m[2], m[3]
	switch {
	case isSync(name) && s.onDB(rest):
		s.syncAt[pid] = s.writes // the sync covers the writes completed before it started
	case name == "write" && strings.HasPrefix(rest, "1<"):
		s.ack(rest)
	}
	if strings.HasSuffix(rest, "<unfinished ...>") {
		s.pending[pid] = rest
		return
	}
	s.finish(pid, name, rest, rest)
}

// finish settles a call that returned: args holds its arguments, tail the text with its result.
func (s *syncTrace) finish(pid, name, args, tail string) {
	r := straceResult.FindStringSubmatch(tail)
	ok := r != nil && !strings.HasPrefix(r[1], "-")
	switch {
	case isWrite(name) && s.onDB(args) && ok:
		s.writes++
	case isSync(name) && s.onDB(args) && ok:
		s.syncs++
		s.synced = max(s.synced, s.syncAt[pid])
	}
}

// ack checks the acknowledgement being written to standard output: every write to the database
// completed so far has been synced, and there was a write since the previous one.
func (s *syncTrace) ack(args string) {
	s.acks++
	text := args[strings.Index(args, ",")+1:]
	if s.synced < s.writes {
		s.errs = append(s.errs, fmt.Sprintf("acknowledgement %d (%s) with %d of %d database writes not synced",
			s.acks, strings.TrimSpace(text), s.writes-s.synced, s.writes))
	}
	if s.writes == s.lastAckWrites {
		s.errs = append(s.errs, fmt.Sprintf("acknowledgement %d (%s) without a database write since the previous one",
			s.acks, strings.TrimSpace(text)))
	}
	s.lastAckWrites = s.writes
}

// onDB reports whether a call's first argument is a descriptor of the database: "N<path>".
func (s *syncTrace) onDB(args string) bool {
	return strings.HasPrefix(strings.TrimLeft(args, "0123456789"), s.dbFD)
}

func isSync(name string) bool { return name == "fdatasync" || name == "fsync" }

func isWrite(name string) bool {
	switch name {
	case "write", "pwrite64", "writev", "pwritev", "pwritev2":
		return true
	}
	return false
}

// TestDurability_SyncBeforeAck runs the kill test's writer process (this test binary) under
// strace and checks that each of its acknowledgements — printed once Update has returned — is
// preceded by a completed fdatasync or fsync of the database file covering every write made to
// it. It fails if storage.Open sets NoSync.
func TestDurability_SyncBeforeAck(t *testing.T) {
	strace := findStrace(t)
	w := newCrashWorld(t, filepath.Join(t.TempDir(), "epicevents.db"))
	trace := filepath.Join(t.TempDir(), "strace.txt")
	cmd := exec.Command(strace, "-f", "--seccomp-bpf", "-qq", "-y", "-s", "48", "-o", trace, // seccomp: stop on traced calls only
		"-e", "trace=write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync",
		os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+w.path, crashTokenEnv+"="+w.token,
		crashCommercialEnv+"="+w.commercial.String(), crashRunEnv+"=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("traced writer: %v\n%s", err, stderrOf(err))
	}
	printed := strings.Count(string(out), "\n")
	if printed != crashMaxWrites+1 { // + the ready line
		t.Fatalf("the writer printed %d lines, want %d", printed, crashMaxWrites+1)
	}
	s := checkTrace(t, trace, w.path)
	t.Logf("%d acknowledgements, %d writes to the database, %d syncs of it", s.acks, s.writes, s.syncs)
	if s.acks != printed {
		t.Errorf("the trace shows %d acknowledgements, the writer printed %d", s.acks, printed)
	}
	for i, e := range s.errs {
		if i == 5 {
			t.Errorf("… and %d more", len(s.errs)-5)
			break
		}
		t.Error(e)
	}
}

// checkTrace reads a trace written by strace -f -y.
func checkTrace(t *testing.T, path, dbPath string) *syncTrace {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := newSyncTrace(dbPath)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		s.line(sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// findStrace returns strace's path and checks that it may trace a child here (ptrace can be
// forbidden in a container). It skips without strace unless $EPICEVENTS_REQUIRE_STRACE is set.
func findStrace(t *testing.T) string {
	t.Helper()
	unusable := t.Skipf
	if os.Getenv(requireStraceEnv) != "" {
		unusable = t.Fatalf
	}
	path, err := exec.LookPath("strace")
	if err != nil {
		unusable("strace is not installed (Debian package strace; make test installs it)")
	}
	if out, err := exec.Command(path, "-f", "--seccomp-bpf", "-qq", "-o", os.DevNull, "true").CombinedOutput(); err != nil {
		unusable("strace cannot trace here: %v\n%s", err, out)
	}
	return path
}

// TestSyncTrace checks the trace reader on hand-written traces, interleaved threads included.
func TestSyncTrace(t *testing.T) {
	const db = "/d/epicevents.db"
	w := func(pid string) string { return pid + ` pwrite64(3</d/epicevents.db>, "\0"..., 4096, 0) = 4096` }
	sync := func(pid string) string { return pid + " fdatasync(3</d/epicevents.db>) = 0" }
	ack := func(pid string) string { return pid + ` write(1<pipe:[9]>, "client x\n", 9) = 9` }
	for name, tc := range map[string]struct {
		lines []string
		errs  int
	}{
		"OK":                 {[]string{w("1"), sync("1"), ack("1"), w("2"), w("2"), sync("2"), ack("1")}, 0},
		"OKResumed":          {[]string{w("1"), "1 fdatasync(3</d/epicevents.db> <unfinished ...>", "2 --- SIGURG {} ---", "1 <... fdatasync resumed>)          = 0", ack("1")}, 0},
		"ErrNoSync":          {[]string{w("1"), ack("1")}, 1},
		"ErrOtherFile":       {[]string{w("1"), "1 fdatasync(4</d/other.db>) = 0", ack("1")}, 1},
		"ErrFailedSync":      {[]string{w("1"), "1 fdatasync(3</d/epicevents.db>) = -1 EIO (Input/output error)", ack("1")}, 1},
		"ErrSyncTooEarly":    {[]string{"1 pwrite64(3</d/epicevents.db>, \"\"..., 4096, 0 <unfinished ...>", "2 fdatasync(3</d/epicevents.db> <unfinished ...>", "1 <... pwrite64 resumed>) = 4096", "2 <... fdatasync resumed>) = 0", ack("1")}, 1},
		"ErrAckWithoutWrite": {[]string{w("1"), sync("1"), ack("1"), ack("1")}, 1},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSyncTrace(db)
			for _, l := range tc.lines {
				s.line(l)
			}
			if len(s.errs) != tc.errs {
				t.Errorf("%d errors, want %d: %q", len(s.errs), tc.errs, s.errs)
			}
		})
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
