package expand

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// buildEnv makes test binaries static: each becomes a VM's /init.
var buildEnv = []string{"CGO_ENABLED=0"}

// noMatch finds the go command's warning for a pattern without packages.
var noMatch = regexp.MustCompile(`warning: "([^"]*)" matched no packages`)

// goPackage is the part of `go list -json` output listing needs.
type goPackage struct {
	ImportPath   string
	Dir          string
	TestGoFiles  []string
	XTestGoFiles []string
	Error        *struct{ Err string }
}

// findPackages resolves patterns with `go list -e -json` into packages
// with their directories, noting which have test files. A pattern that
// matches nothing is an error wrapping [ErrNoPackages].
func findPackages(ctx context.Context, goCmd, dir string, tags, patterns []string) ([]*Package, []bool, error) {
	var stdout, stderr bytes.Buffer
	args := append(append([]string{"list", "-e", "-json=ImportPath,Dir,TestGoFiles,XTestGoFiles,Error"}, tagArgs(tags)...), patterns...)
	cmd := command(ctx, dir, buildEnv, nil, goCmd, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := run(cmd)
	if ctx.Err() != nil {
		return nil, nil, fmt.Errorf("go list: %w", ctx.Err())
	}
	if m := noMatch.FindAllStringSubmatch(stderr.String(), -1); m != nil {
		return nil, nil, fmt.Errorf("pattern %s %w; check the path (e.g. ./... or ./pkg)", quoteGroups(m), ErrNoPackages)
	}
	gps, derr := decodeGoList(&stdout)
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("go list: %w: %s", err, firstLine(stderr.String()))
	}
	return resolvePackages(gps, patterns)
}

// unresolved reports a go list entry that stands for a pattern go could
// not turn into a package: it failed to load and kept the pattern's name,
// which for a local path (./x) always means it was never resolved.
func unresolved(gp goPackage, patterns []string) bool {
	if gp.Error == nil || !slices.Contains(patterns, gp.ImportPath) {
		return false
	}
	local := gp.ImportPath == "." || gp.ImportPath == ".." || strings.HasPrefix(gp.ImportPath, "./") ||
		strings.HasPrefix(gp.ImportPath, "../") || strings.HasPrefix(gp.ImportPath, "/")
	return local || gp.Dir == ""
}

func decodeGoList(r io.Reader) ([]goPackage, error) {
	var out []goPackage
	dec := json.NewDecoder(r)
	for {
		var gp goPackage
		if err := dec.Decode(&gp); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		out = append(out, gp)
	}
}

// resolvePackages turns go list's packages into ours. A pattern go could
// not resolve (a missing directory, one without Go files, an unknown
// import path) matches nothing.
func resolvePackages(gps []goPackage, patterns []string) ([]*Package, []bool, error) {
	var pkgs []*Package
	var hasTests []bool
	for _, gp := range gps {
		if unresolved(gp, patterns) {
			return nil, nil, fmt.Errorf("pattern %q %w: %s", gp.ImportPath, ErrNoPackages, firstLine(gp.Error.Err))
		}
		pkgs = append(pkgs, &Package{ImportPath: gp.ImportPath, Dir: gp.Dir})
		// A package with a load error goes on to `go test`, which says
		// what is wrong.
		hasTests = append(hasTests, gp.Error != nil || len(gp.TestGoFiles)+len(gp.XTestGoFiles) > 0)
	}
	return pkgs, hasTests, nil
}

// listTests runs `go test -list . -json -o BINARY` for p: one build gives
// both the test names and the static test binary the describe pass and
// the VMs reuse. Build and list failures set p.Err; only a cancelled ctx
// or a go command that cannot run is returned.
func listTests(ctx context.Context, goCmd, dir, binDir string, tags []string, p *Package) error {
	bin := filepath.Join(binDir, binaryName(p.ImportPath))
	var stdout, stderr bytes.Buffer
	args := append(append([]string{"test", "-list", ".", "-json", "-o", bin}, tagArgs(tags)...), p.ImportPath)
	cmd := command(ctx, dir, buildEnv, nil, goCmd, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := run(cmd)
	if ctx.Err() != nil {
		return fmt.Errorf("list %s: %w", p.ImportPath, ctx.Err())
	}
	listed, perr := ParseList(&stdout)
	if perr != nil {
		return fmt.Errorf("list %s: %w", p.ImportPath, perr)
	}
	i := slices.IndexFunc(listed, func(l *Package) bool { return l.ImportPath == p.ImportPath })
	if i < 0 {
		if err == nil {
			err = errors.New("no output")
		}
		return fmt.Errorf("go test -list %s: %w: %s", p.ImportPath, err, firstLine(stderr.String()))
	}
	p.Tests, p.Err = listed[i].Tests, listed[i].Err
	if p.Err == nil {
		p.Binary = bin
	}
	return nil
}

// tagArgs is the go command's -tags flag for tags, none for no tags.
func tagArgs(tags []string) []string {
	if len(tags) == 0 {
		return nil
	}
	return []string{"-tags", strings.Join(tags, ",")}
}

func quoteGroups(m [][]string) string {
	var qs []string
	for _, g := range m {
		qs = append(qs, fmt.Sprintf("%q", g[1]))
	}
	return strings.Join(qs, ", ")
}

// firstLine returns the first non-empty line of s.
func firstLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			return l
		}
	}
	return "(no output)"
}

// binaryName turns an import path into a unique file name: "/" becomes
// "_", other bytes outside [A-Za-z0-9.-] become %XX.
func binaryName(importPath string) string {
	var b strings.Builder
	for _, c := range []byte(importPath) {
		switch {
		case c == '/':
			b.WriteByte('_')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String() + ".test"
}
