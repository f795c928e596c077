package elfdeps

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrNotELF means a file is not an ELF object.
var ErrNotELF = errors.New("not an ELF file")

// Object is what the resolver needs to know of one ELF file.
type Object struct {
	Class   elf.Class
	Machine elf.Machine
	// Interp is the PT_INTERP path, empty for static programs and
	// libraries.
	Interp string
	// Needed lists the DT_NEEDED entries in order.
	Needed []string
	// RPath and RunPath are the directories of DT_RPATH and DT_RUNPATH,
	// split at colons, unexpanded ($ORIGIN is left as is).
	RPath, RunPath []string
	// Soname is DT_SONAME, empty when absent.
	Soname string
}

// maxInterp bounds the PT_INTERP string read from a file.
const maxInterp = 4096

// Inspect reads r's ELF headers and dynamic section. A file that is not
// ELF gives an error wrapping [ErrNotELF].
func Inspect(r io.ReaderAt) (Object, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		var fe *elf.FormatError
		if errors.As(err, &fe) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return Object{}, fmt.Errorf("%w: %v", ErrNotELF, err)
		}
		return Object{}, err
	}
	defer f.Close()
	o := Object{Class: f.Class, Machine: f.Machine}
	if o.Interp, err = interp(f); err != nil {
		return Object{}, err
	}
	if o.Needed, err = f.DynString(elf.DT_NEEDED); err != nil {
		return Object{}, fmt.Errorf("dynamic section: %w", err)
	}
	rpath, err := f.DynString(elf.DT_RPATH)
	if err != nil {
		return Object{}, fmt.Errorf("dynamic section: %w", err)
	}
	runpath, err := f.DynString(elf.DT_RUNPATH)
	if err != nil {
		return Object{}, fmt.Errorf("dynamic section: %w", err)
	}
	o.RPath, o.RunPath = splitPath(rpath), splitPath(runpath)
	if sn, _ := f.DynString(elf.DT_SONAME); len(sn) > 0 {
		o.Soname = sn[0]
	}
	return o, nil
}

// interp returns the PT_INTERP path, without its terminating NUL.
func interp(f *elf.File) (string, error) {
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(p.Open(), maxInterp))
		if err != nil {
			return "", fmt.Errorf("read PT_INTERP: %w", err)
		}
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		return string(b), nil
	}
	return "", nil
}

// splitPath splits DT_RPATH/DT_RUNPATH strings (and LD_LIBRARY_PATH) into
// directories; the loader accepts colons and, for LD_LIBRARY_PATH,
// semicolons. Empty entries are dropped.
func splitPath(lists []string) []string {
	var dirs []string
	for _, l := range lists {
		for _, d := range strings.FieldsFunc(l, func(r rune) bool { return r == ':' || r == ';' }) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// SplitLibraryPath splits an LD_LIBRARY_PATH value into directories.
func SplitLibraryPath(s string) []string { return splitPath([]string{s}) }
