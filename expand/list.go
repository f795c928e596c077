package expand

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// Package is one Go package the planner looked at.
type Package struct {
	// ImportPath is the package's import path.
	ImportPath string
	// Dir is the package's source directory; its tests run there.
	Dir string
	// Tests are the top-level tests, fuzz targets and examples `go test
	// -list` printed, in its order (benchmarks are left out).
	Tests []string
	// Binary is the static test binary built for the package; empty until
	// built, and for packages without tests.
	Binary string
	// Descriptions are what the describe pass reported: one per test that
	// called gauntlet.Run.
	Descriptions []spec.Description
	// DescribeOutput is the -test.v output of the describe pass, which
	// also ran the package's plain host tests (in short mode).
	DescribeOutput []byte
	// DescribeFailed reports that a plain host test failed in the describe
	// pass (see DescribeOutput); it does not stop planning.
	DescribeFailed bool
	// Err is why the package cannot be planned; nil when it can.
	Err *PackageError
}

// Plain returns the package's plain host tests: listed tests no
// description names (neither the test nor one of its subtests).
func (p *Package) Plain() []string {
	described := map[string]bool{}
	for _, d := range p.Descriptions {
		described[topLevel(d.Test)] = true
	}
	var out []string
	for _, t := range p.Tests {
		if !described[t] {
			out = append(out, t)
		}
	}
	return out
}

func topLevel(name string) string {
	top, _, _ := strings.Cut(name, "/")
	return top
}

// listEvent is the subset of a test2json event (and of the go command's
// build events, which carry ImportPath) that listing needs.
type listEvent struct {
	ImportPath  string
	Action      string
	Package     string
	Output      string
	FailedBuild string
}

// ParseList reads the output of `go test -list . -json PATTERNS` and
// returns one [Package] per package it names, in order of first mention.
// A package that failed to build gets an Err wrapping [ErrBuild] with the
// compiler's output as Detail, one the go command could not load (its
// ImportPath is then the pattern) [ErrSetup], one whose test binary failed
// while listing [ErrList]. Only unreadable input is an error.
func ParseList(r io.Reader) ([]*Package, error) {
	l := lister{byPath: map[string]*Package{}, buildOut: map[string]*strings.Builder{}, output: map[string]*strings.Builder{}, setup: map[string]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var ev listEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil, fmt.Errorf("go test -list output line %d: %w", n, err)
		}
		l.event(ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read go test -list output: %w", err)
	}
	return l.pkgs, nil
}

type lister struct {
	pkgs     []*Package
	byPath   map[string]*Package
	buildOut map[string]*strings.Builder // by build ImportPath ("p [p.test]")
	output   map[string]*strings.Builder // non-test-name output by package
	setup    map[string]bool             // packages go could not load
}

func (l *lister) pkg(path string) *Package {
	p := l.byPath[path]
	if p == nil {
		p = &Package{ImportPath: path}
		l.byPath[path] = p
		l.pkgs = append(l.pkgs, p)
	}
	return p
}

func (l *lister) event(ev listEvent) {
	switch {
	case ev.Action == "build-output":
		appendTo(l.buildOut, ev.ImportPath, ev.Output)
	case ev.Package == "":
		// Other build events (build-fail) carry nothing new.
	case ev.Action == "output":
		p := l.pkg(ev.Package)
		if name := strings.TrimSuffix(ev.Output, "\n"); isTestName(name) {
			p.Tests = append(p.Tests, name)
		} else if strings.HasSuffix(ev.Output, " [setup failed]\n") {
			l.setup[ev.Package] = true
		} else if !isStatusLine(ev.Output) {
			appendTo(l.output, ev.Package, ev.Output)
		}
	case ev.Action == "fail":
		l.fail(l.pkg(ev.Package), ev.FailedBuild)
	default:
		l.pkg(ev.Package)
	}
}

func (l *lister) fail(p *Package, failedBuild string) {
	if failedBuild == "" {
		p.Err = &PackageError{ImportPath: p.ImportPath, Err: ErrList, Detail: builderString(l.output[p.ImportPath])}
		return
	}
	p.Tests = nil
	err := ErrBuild
	if l.setup[p.ImportPath] {
		err = ErrSetup
	}
	p.Err = &PackageError{ImportPath: p.ImportPath, Err: err, Detail: buildDetail(builderString(l.buildOut[failedBuild]))}
}

// buildDetail drops the "# pkg [pkg.test]" header lines go prints before
// the compiler's messages.
func buildDetail(out string) string {
	var keep []string
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if !strings.HasPrefix(line, "# ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// isTestName reports whether s is a name -list prints for something
// `go test` runs: a test, fuzz target or example. Benchmarks do not run.
func isTestName(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t/") {
		return false
	}
	for _, prefix := range []string{"Test", "Fuzz", "Example"} {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// isStatusLine reports the go command's per-package summary lines.
func isStatusLine(s string) bool {
	for _, prefix := range []string{"ok  \t", "?   \t", "FAIL\t", "FAIL\n", "PASS\n"} {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func appendTo(m map[string]*strings.Builder, key, s string) {
	b := m[key]
	if b == nil {
		b = &strings.Builder{}
		m[key] = b
	}
	b.WriteString(s)
}

func builderString(b *strings.Builder) string {
	if b == nil {
		return ""
	}
	return strings.TrimRight(b.String(), "\n")
}
