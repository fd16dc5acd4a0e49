package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rsrcBase is the RVA at which the test resource sections start.
const rsrcBase = 0x5000

// buildRsrc lays out a resource section as linkers do: the type directory, for each type a
// name directory and a language directory with one entry, the data entries, then the data.
func buildRsrc(types []uint32, data map[uint32][]byte) []byte {
	le := binary.LittleEndian
	n := uint32(len(types))
	dirSize := func(entries uint32) uint32 { return 16 + 8*entries }
	nameDirs := dirSize(n)
	langDirs := nameDirs + n*dirSize(1)
	dataEntries := langDirs + n*dirSize(1)
	payload := dataEntries + 16*n
	var b bytes.Buffer
	dir := func(entries uint32) {
		b.Write(make([]byte, 12))
		_ = binary.Write(&b, le, [2]uint16{0, uint16(entries)})
	}
	ent := func(id, to uint32) { _ = binary.Write(&b, le, [2]uint32{id, to}) }
	dir(n)
	for i, t := range types {
		ent(t, 1<<31|(nameDirs+uint32(i)*dirSize(1)))
	}
	for i := range types {
		dir(1)
		ent(1, 1<<31|(langDirs+uint32(i)*dirSize(1)))
	}
	for i := range types {
		dir(1)
		ent(0x409, dataEntries+uint32(i)*16)
	}
	off := payload
	for _, t := range types {
		_ = binary.Write(&b, le, [4]uint32{rsrcBase + off, uint32(len(data[t])), 0, 0})
		off += uint32(len(data[t]))
	}
	for _, t := range types {
		b.Write(data[t])
	}
	return b.Bytes()
}

// versionInfo is the start of an RT_VERSION resource: a header, the key, padding, then
// VS_FIXEDFILEINFO with file version 1.0.0.1.
func versionInfo() []byte {
	v := make([]byte, 40)
	copy(v[6:], "V\x00S\x00")
	le := binary.LittleEndian
	fixed := make([]byte, 52)
	le.PutUint32(fixed[0:], vsFixedFileInfoSignature)
	le.PutUint32(fixed[8:], 0x0001_0000)  // 1.0
	le.PutUint32(fixed[12:], 0x0000_0001) // .0.1
	return append(v, fixed...)
}

// groupIcon is an RT_GROUP_ICON with a 256×256 (written 0×0) and a 48×48 image.
func groupIcon() []byte {
	g := []byte{0, 0, 1, 0, 2, 0}
	g = append(g, 0, 0, 0, 0, 1, 0, 32, 0, 0, 1, 0, 0, 1, 0)
	return append(g, 48, 48, 0, 0, 1, 0, 32, 0, 0, 1, 0, 0, 2, 0)
}

func parse(t *testing.T, rsrc []byte) (map[uint32][][]byte, error) {
	t.Helper()
	return parseResources(rsrc, func(rva, size uint32) ([]byte, error) { return sliceRVA(rsrc, rsrcBase, rva, size) })
}

func TestParseResources(t *testing.T) {
	all := map[uint32][]byte{rtIcon: []byte("PNG…"), rtGroupIcon: groupIcon(), rtVersion: versionInfo(), rtManifest: []byte("<assembly/>")}
	t.Run("OK", func(t *testing.T) {
		res, err := parse(t, buildRsrc([]uint32{rtIcon, rtGroupIcon, rtVersion, rtManifest}, all))
		if err != nil {
			t.Fatal(err)
		}
		for ty, want := range all {
			if len(res[ty]) != 1 || !bytes.Equal(res[ty][0], want) {
				t.Errorf("type %d: %q, want one %q", ty, res[ty], want)
			}
		}
		if got := fixedFileVersion(res[rtVersion][0]); got != "1.0.0.1" {
			t.Errorf("version %q, want 1.0.0.1", got)
		}
		if got := iconSizes(res[rtGroupIcon][0]); !slices.Equal(got, []string{"256x256", "48x48"}) {
			t.Errorf("icon sizes %q", got)
		}
	})
	t.Run("ErrTruncated", func(t *testing.T) {
		rsrc := buildRsrc([]uint32{rtIcon, rtVersion}, all)
		for _, n := range []int{8, 30, 70, len(rsrc) - 10} {
			if _, err := parse(t, rsrc[:n]); err == nil {
				t.Errorf("a resource section cut at %d of %d bytes was read", n, len(rsrc))
			}
		}
	})
}

func TestReport_Check(t *testing.T) {
	ok := report{Machine: 0x8664, Subsystem: subsystemGUI, Version: "1.0.0.1",
		Resources: map[uint32]int{rtIcon: 1, rtGroupIcon: 1, rtVersion: 1, rtManifest: 1}}
	t.Run("OK", func(t *testing.T) {
		if err := ok.check("1.0.0.1"); err != nil {
			t.Error(err)
		}
	})
	for name, c := range map[string]struct {
		edit func(r *report)
		want string
	}{
		"ErrConsole":     {func(r *report) { r.Subsystem = 3 }, "subsystem 3"},
		"ErrNoIcon":      {func(r *report) { delete(r.Resources, rtGroupIcon) }, "no RT_GROUP_ICON"},
		"ErrNoManifest":  {func(r *report) { delete(r.Resources, rtManifest) }, "no RT_MANIFEST"},
		"ErrOldVersion":  {func(r *report) { r.Version = "0.9.0.1" }, `file version "0.9.0.1"`},
		"ErrNotAMD64":    {func(r *report) { r.Machine = 0xaa64 }, "want amd64"},
		"ErrNoResources": {func(r *report) { r.Resources = map[uint32]int{} }, "no RT_ICON"},
	} {
		t.Run(name, func(t *testing.T) {
			r := ok
			r.Resources = map[uint32]int{rtIcon: 1, rtGroupIcon: 1, rtVersion: 1, rtManifest: 1}
			c.edit(&r)
			if err := r.check("1.0.0.1"); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("check: %v, want an error with %q", err, c.want)
			}
		})
	}
}

// TestInspect_Subsystem builds a small Windows program with and without -H windowsgui and reads
// its subsystem back.
func TestInspect_Subsystem(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Windows programs")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		ldflags string
		want    uint16
	}{{"OKGUI", "-H=windowsgui", subsystemGUI}, {"OKConsole", "", 3}} {
		t.Run(c.name, func(t *testing.T) {
			exe := filepath.Join(dir, c.name+".exe")
			cmd := exec.Command("go", "build", "-ldflags", c.ldflags, "-o", exe, src)
			cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			rep, err := inspect(exe)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Subsystem != c.want || rep.Machine != 0x8664 {
				t.Errorf("subsystem %d, machine %#x; want %d, 0x8664", rep.Subsystem, rep.Machine, c.want)
			}
		})
	}
}
