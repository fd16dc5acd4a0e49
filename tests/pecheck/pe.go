package main

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Resource types (winuser.h) and the subsystem that pecheck looks for.
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
	rtManifest  = 24

	subsystemGUI = 2 // IMAGE_SUBSYSTEM_WINDOWS_GUI

	vsFixedFileInfoSignature = 0xFEEF04BD
)

var typeNames = map[uint32]string{rtIcon: "RT_ICON", rtGroupIcon: "RT_GROUP_ICON", rtVersion: "RT_VERSION", rtManifest: "RT_MANIFEST"}

// report is what pecheck found in an executable.
type report struct {
	Machine   uint16
	Subsystem uint16
	Resources map[uint32]int // resource type -> number of resources
	Icons     []string       // sizes of the icon group, "256x256"
	Version   string         // the fixed file version, "1.0.0.1"; "" without version information
}

func (r report) String() string {
	var b strings.Builder
	sub := "console"
	if r.Subsystem == subsystemGUI {
		sub = "Windows GUI"
	}
	fmt.Fprintf(&b, "machine: %#x, subsystem: %d (%s)\n", r.Machine, r.Subsystem, sub)
	types := make([]uint32, 0, len(r.Resources))
	for t := range r.Resources {
		types = append(types, t)
	}
	slices.Sort(types)
	var parts []string
	for _, t := range types {
		name := typeNames[t]
		if name == "" {
			name = fmt.Sprintf("type %d", t)
		}
		parts = append(parts, fmt.Sprintf("%s x%d", name, r.Resources[t]))
	}
	fmt.Fprintf(&b, "resources: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(&b, "icon sizes: %s\n", strings.Join(r.Icons, " "))
	fmt.Fprintf(&b, "file version: %s\n", r.Version)
	return b.String()
}

// check returns an error naming what differs from a packaged executable of version (any
// version when "").
func (r report) check(version string) error {
	var errs []error
	if r.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		errs = append(errs, fmt.Errorf("machine %#x, want amd64", r.Machine))
	}
	if r.Subsystem != subsystemGUI {
		errs = append(errs, fmt.Errorf("subsystem %d, want %d (GUI): build with -ldflags -H=windowsgui", r.Subsystem, subsystemGUI))
	}
	for _, t := range []uint32{rtIcon, rtGroupIcon, rtVersion, rtManifest} {
		if r.Resources[t] == 0 {
			errs = append(errs, fmt.Errorf("no %s resource", typeNames[t]))
		}
	}
	if version != "" && r.Version != version {
		errs = append(errs, fmt.Errorf("file version %q, want %q", r.Version, version))
	}
	return errors.Join(errs...)
}

// inspect reads the header and the resource section of the PE file at path.
func inspect(path string) (report, error) {
	f, err := pe.Open(path)
	if err != nil {
		return report{}, err
	}
	defer f.Close()
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return report{}, fmt.Errorf("%s: not a 64-bit PE", path)
	}
	rep := report{Machine: f.Machine, Subsystem: oh.Subsystem, Resources: map[uint32]int{}}
	dir := oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_RESOURCE]
	if dir.VirtualAddress == 0 {
		return rep, nil
	}
	sec := sectionOf(f, dir.VirtualAddress)
	if sec == nil {
		return rep, fmt.Errorf("%s: no section holds the resource directory", path)
	}
	data, err := sec.Data()
	if err != nil {
		return rep, fmt.Errorf("%s: read %s: %w", path, sec.Name, err)
	}
	res, err := parseResources(data[dir.VirtualAddress-sec.VirtualAddress:], func(rva, size uint32) ([]byte, error) {
		return sliceRVA(data, sec.VirtualAddress, rva, size)
	})
	if err != nil {
		return rep, fmt.Errorf("%s: %w", path, err)
	}
	for t, list := range res {
		rep.Resources[t] = len(list)
	}
	if g := res[rtGroupIcon]; len(g) > 0 {
		rep.Icons = iconSizes(g[0])
	}
	if v := res[rtVersion]; len(v) > 0 {
		rep.Version = fixedFileVersion(v[0])
	}
	return rep, nil
}

func sectionOf(f *pe.File, rva uint32) *pe.Section {
	for _, s := range f.Sections {
		if rva >= s.VirtualAddress && rva < s.VirtualAddress+max(s.VirtualSize, s.Size) {
			return s
		}
	}
	return nil
}

func sliceRVA(data []byte, base, rva, size uint32) ([]byte, error) {
	if rva < base || uint64(rva-base)+uint64(size) > uint64(len(data)) {
		return nil, fmt.Errorf("resource data at %#x+%d is outside its section", rva, size)
	}
	return data[rva-base : rva-base+size], nil
}

// parseResources walks the three levels of a resource directory (type, name, language) in
// rsrc and returns the data of every resource by type. read returns the bytes at an RVA (data
// entries point with RVAs).
func parseResources(rsrc []byte, read func(rva, size uint32) ([]byte, error)) (map[uint32][][]byte, error) {
	out := map[uint32][][]byte{}
	types, err := dirEntries(rsrc, 0)
	if err != nil {
		return nil, err
	}
	for _, t := range types {
		leaves, err := leavesUnder(rsrc, t, 2)
		if err != nil {
			return nil, err
		}
		for _, off := range leaves {
			if uint64(off)+16 > uint64(len(rsrc)) {
				return nil, fmt.Errorf("resource data entry at %#x is outside the directory", off)
			}
			b, err := read(binary.LittleEndian.Uint32(rsrc[off:]), binary.LittleEndian.Uint32(rsrc[off+4:]))
			if err != nil {
				return nil, err
			}
			out[t.id] = append(out[t.id], b)
		}
	}
	return out, nil
}

// entry is one entry of a resource directory: its id (or name offset) and where it points.
type entry struct {
	id     uint32
	offset uint32 // of a subdirectory when dir, else of a data entry
	dir    bool
}

// dirEntries reads the entries of the IMAGE_RESOURCE_DIRECTORY at off.
func dirEntries(rsrc []byte, off uint32) ([]entry, error) {
	if uint64(off)+16 > uint64(len(rsrc)) {
		return nil, fmt.Errorf("resource directory at %#x is outside the section", off)
	}
	n := uint32(binary.LittleEndian.Uint16(rsrc[off+12:])) + uint32(binary.LittleEndian.Uint16(rsrc[off+14:]))
	if uint64(off)+16+8*uint64(n) > uint64(len(rsrc)) {
		return nil, fmt.Errorf("resource directory at %#x: %d entries overflow the section", off, n)
	}
	list := make([]entry, n)
	for i := range list {
		e := rsrc[off+16+8*uint32(i):]
		to := binary.LittleEndian.Uint32(e[4:])
		list[i] = entry{id: binary.LittleEndian.Uint32(e), offset: to &^ (1 << 31), dir: to&(1<<31) != 0}
	}
	return list, nil
}

// leavesUnder returns the offsets of the data entries below e, depth levels down.
func leavesUnder(rsrc []byte, e entry, depth int) ([]uint32, error) {
	if !e.dir {
		return []uint32{e.offset}, nil
	}
	if depth == 0 {
		return nil, fmt.Errorf("resource directory at %#x is nested too deep", e.offset)
	}
	sub, err := dirEntries(rsrc, e.offset)
	if err != nil {
		return nil, err
	}
	var out []uint32
	for _, s := range sub {
		l, err := leavesUnder(rsrc, s, depth-1)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, nil
}

// iconSizes lists the sizes in an RT_GROUP_ICON (GRPICONDIR: 6 bytes, then 14 per icon; a
// width or height of 0 means 256).
func iconSizes(g []byte) []string {
	if len(g) < 6 {
		return nil
	}
	var out []string
	for i := range int(binary.LittleEndian.Uint16(g[4:])) {
		e := 6 + 14*i
		if e+14 > len(g) {
			break
		}
		w, h := int(g[e]), int(g[e+1])
		if w == 0 {
			w = 256
		}
		if h == 0 {
			h = 256
		}
		out = append(out, fmt.Sprintf("%dx%d", w, h))
	}
	return out
}

// fixedFileVersion returns dwFileVersionMS/LS of the VS_FIXEDFILEINFO in an RT_VERSION
// resource as "a.b.c.d", "" when there is none.
func fixedFileVersion(v []byte) string {
	for i := 0; i+16 <= len(v); i += 4 { // the structure is 32-bit aligned
		if binary.LittleEndian.Uint32(v[i:]) == vsFixedFileInfoSignature {
			ms, ls := binary.LittleEndian.Uint32(v[i+8:]), binary.LittleEndian.Uint32(v[i+12:])
			return fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff)
		}
	}
	return ""
}
