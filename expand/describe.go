package expand

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// DefaultDescribeTimeout bounds one package's describe pass.
const DefaultDescribeTimeout = 5 * time.Minute

// roleEnv are the variables that would make a test binary play another
// role than the describe pass; they are removed from its environment.
var roleEnv = []string{spec.EnvGuest, spec.EnvWorker, spec.EnvVariant, spec.EnvDescribe}

// ParseDescriptions reads describe-pass output: one JSON [spec.Description]
// per line. Every line must be one, with a test name; blank lines are
// skipped. Errors name the line.
func ParseDescriptions(r io.Reader) ([]spec.Description, error) {
	var out []spec.Description
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var d spec.Description
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("line %d is not a test description (%w): %.60q", n, err, line)
		}
		if d.Test == "" {
			return nil, fmt.Errorf("line %d has no test name: %.60q", n, line)
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read descriptions: %w", err)
	}
	return out, nil
}

// checkDescriptions rejects descriptions of tests the listing did not
// show and tests described twice.
func checkDescriptions(ds []spec.Description, tests []string) error {
	listed := map[string]bool{}
	for _, t := range tests {
		listed[t] = true
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if !listed[topLevel(d.Test)] {
			return fmt.Errorf("describes test %q, which go test -list did not list", d.Test)
		}
		if seen[d.Test] {
			return fmt.Errorf("describes test %q twice", d.Test)
		}
		seen[d.Test] = true
	}
	return nil
}

// runPattern returns the -test.run pattern for exactly tests.
func runPattern(tests []string) string {
	qs := make([]string, len(tests))
	for i, t := range tests {
		qs[i] = regexp.QuoteMeta(t)
	}
	return "^(" + strings.Join(qs, "|") + ")$"
}

// describe runs p's test binary in describe mode: every listed test, in
// short mode, verbose, with GAUNTLET_DESCRIBE set. Tests that call
// gauntlet.Run record their Spec and skip; plain tests run. A crash, a
// timeout or garbage in the describe file sets p.Err (wrapping
// [ErrDescribe]); only a cancelled ctx or a host failure is returned.
func describe(ctx context.Context, p *Package, tmpDir string, timeout time.Duration) error {
	file := filepath.Join(tmpDir, strings.TrimSuffix(filepath.Base(p.Binary), ".test")+".describe")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		return fmt.Errorf("describe %s: %w", p.ImportPath, err)
	}
	defer os.Remove(file)
	rctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := command(rctx, p.Dir, []string{spec.EnvDescribe + "=" + file}, roleEnv, p.Binary,
		"-test.run", runPattern(p.Tests), "-test.short", "-test.v", "-test.timeout", timeout.String())
	cmd.Stdout, cmd.Stderr = &out, &out
	err := run(cmd)
	if ctx.Err() != nil {
		return fmt.Errorf("describe %s: %w", p.ImportPath, ctx.Err())
	}
	p.DescribeOutput = out.Bytes()
	failed, cerr := classifyExit(err, out.Bytes())
	if cerr != nil {
		p.Err = &PackageError{ImportPath: p.ImportPath, Err: fmt.Errorf("%w: test binary %v; see its output with: go test -short -v %s", ErrDescribe, cerr, p.ImportPath)}
		return nil
	}
	p.DescribeFailed = failed
	return readDescriptions(p, file)
}

func readDescriptions(p *Package, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("describe %s: %w", p.ImportPath, err)
	}
	defer f.Close()
	ds, err := ParseDescriptions(f)
	if err == nil {
		err = checkDescriptions(ds, p.Tests)
	}
	if err != nil {
		p.Err = &PackageError{ImportPath: p.ImportPath, Err: fmt.Errorf("%w: %s: %w", ErrDescribe, spec.EnvDescribe, err)}
		return nil
	}
	p.Descriptions = ds
	return nil
}

// classifyExit tells a test binary that ran its tests (exit 0, or exit 1
// after its final "FAIL" line: a plain test failed) from one that crashed
// (panic, timeout, signal, os.Exit). The crash error is one line.
func classifyExit(err error, out []byte) (testsFailed bool, crash error) {
	if err == nil {
		return false, nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false, err
	}
	last := lastLine(string(out))
	if ee.ExitCode() == 1 && last == "FAIL" {
		return true, nil
	}
	if p := panicLine(string(out)); p != "" {
		return false, fmt.Errorf("crashed (%v): %s", err, p)
	}
	return false, fmt.Errorf("crashed (%v); last output: %s", err, last)
}

func panicLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "panic: ") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return "(none)"
}
