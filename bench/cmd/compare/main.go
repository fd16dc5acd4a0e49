// Command compare runs the benchmarks of the product's store (go test -bench in ../storage) and
// the same queries on SQLite, on the same records, and prints a side-by-side table: our
// median, SQLite's, the ratio, the goal of issue 6 and whether it is met.
//
//	cd bench && go run ./cmd/compare -scale 100k -count 5
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func main() {
	scale := flag.String("scale", "100k", "database size: 10k, 100k or 1m")
	count := flag.Int("count", 5, "runs of each benchmark; the table shows medians")
	benchtime := flag.String("benchtime", "1s", "go test -benchtime of each run")
	root := flag.String("root", "..", "the repository of the product")
	only := flag.String("run", "", "regular expression: only the benchmarks whose names match")
	flag.Parse()
	if err := run(*scale, *count, *benchtime, *root, *only); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(scale string, count int, benchtime, root, only string) error {
	scale = strings.ToLower(scale)
	qs := queries
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			return err
		}
		qs = slices.DeleteFunc(slices.Clone(qs), func(q query) bool { return !re.MatchString(q.name) })
	}
	if _, err := os.Stat(benchPath(scale)); err != nil {
		// The first benchmark run generates the database of the scale, which SQLite copies.
		if _, err := runOurs(root, scale, "1x", []query{{name: "GetClientByID"}}); err != nil {
			return err
		}
	}
	f, err := openFixture(scale)
	if err != nil {
		return err
	}
	defer f.close()
	testing.Init()
	if err := flag.Set("test.benchtime", benchtime); err != nil {
		return err
	}
	if _, err := f.copyForWrites(); err != nil {
		return err
	}
	// Rounds alternate between the two sides, so that a machine busy with other work for a
	// while slows both rather than one.
	oursRuns, theirsRuns := make(map[string][]result), make(map[string][]result)
	for round := 1; round <= count; round++ {
		fmt.Fprintf(os.Stderr, "round %d of %d\n", round, count)
		runs, err := runOurs(root, scale, benchtime, qs)
		if err != nil {
			return err
		}
		for name, r := range runs {
			oursRuns[name] = append(oursRuns[name], r...)
		}
		for _, q := range qs {
			r, err := measure(f, q)
			if err != nil {
				return fmt.Errorf("sqlite %s: %w", q.name, err)
			}
			theirsRuns[q.name] = append(theirsRuns[q.name], r)
			fmt.Fprintf(os.Stderr, "sqlite %-22s %12s %8d rows\n", q.name, fmtDur(r.ns), r.rows)
		}
	}
	ours, theirs := medians(oursRuns), medians(theirsRuns)
	printTable(os.Stdout, scale, count, qs, ours, theirs)
	return nil
}

// result is the median time of a benchmark and the rows each run returned.
type result struct {
	ns   float64
	rows int
}

var benchLine = regexp.MustCompile(`^Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) rows/op)?`)

// runOurs runs the benchmarks of storage/bench_test.go once and returns their results.
func runOurs(root, scale, benchtime string, qs []query) (map[string][]result, error) {
	names := make([]string, len(qs))
	for i, q := range qs {
		names[i] = q.name
	}
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "^Benchmark("+strings.Join(names, "|")+")$",
		"-count", "1", "-benchtime", benchtime, "-timeout", "2h", "./storage/")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "EPICEVENTS_BENCH_SCALE="+scale, "CGO_ENABLED=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, os.Stderr), os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test -bench: %w", err)
	}
	runs := make(map[string][]result)
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, _ := strconv.ParseFloat(m[2], 64)
		rows, _ := strconv.ParseFloat(m[3], 64)
		runs[m[1]] = append(runs[m[1]], result{ns: ns, rows: int(rows)})
	}
	return runs, nil
}

func medians(runs map[string][]result) map[string]result {
	med := make(map[string]result)
	for name, rs := range runs {
		med[name] = median(rs)
	}
	return med
}

func median(rs []result) result {
	slices.SortFunc(rs, func(a, b result) int {
		switch {
		case a.ns < b.ns:
			return -1
		case a.ns > b.ns:
			return 1
		}
		return 0
	})
	return rs[len(rs)/2]
}

// measure runs one SQLite query with testing.Benchmark.
func measure(f *fixture, q query) (result, error) {
	var rows int
	var err error
	br := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if rows, err = q.sqlite(f); err != nil {
				b.Fatal(err)
			}
		}
	})
	if err != nil {
		return result{}, err
	}
	if br.N == 0 {
		return result{}, fmt.Errorf("benchmark failed")
	}
	return result{ns: float64(br.T.Nanoseconds()) / float64(br.N), rows: rows}, nil
}

func printTable(w io.Writer, scale string, count int, qs []query, ours, theirs map[string]result) {
	fmt.Fprintf(w, "\nScale %s — medians of %d runs — %s, %d CPUs, %s\n\n", scale, count, cpuModel(), runtime.NumCPU(), runtime.Version())
	fmt.Fprintln(w, "| query | rows | ours | SQLite | ours/SQLite | goal | met |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---|---|")
	for _, q := range qs {
		o, ok := ours[q.name]
		t := theirs[q.name]
		if !ok {
			fmt.Fprintf(w, "| %s | | (missing) | %s | | %s | |\n", q.label, fmtDur(t.ns), q.goal.text(o.rows))
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %.2f | %s | %s |\n", q.label, o.rows, fmtDur(o.ns), fmtDur(t.ns),
			o.ns/t.ns, q.goal.text(o.rows), q.goal.met(o, t))
	}
}

func fmtDur(ns float64) string {
	d := time.Duration(ns)
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
}

// cpuModel reads the processor's name from /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// benchPath is the cached bbolt database storage/bench_test.go builds for a scale.
func benchPath(scale string) string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("epicevents-bench-v1-%s.db", scale))
}

// sqlitePath is the SQLite copy of it.
func sqlitePath(scale string) string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("epicevents-bench-v1-%s.sqlite", scale))
}
