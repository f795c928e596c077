package expand

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// binDir holds the fixture test binaries of this test run; TestMain
// removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "expand-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var fixtureOnce struct {
	sync.Once
	pkgs map[string]*Package
	err  error
}

// fixtures loads every fixture package once per test run (building their
// binaries is the slow part) and returns them by last path element.
func fixtures(t *testing.T) map[string]*Package {
	t.Helper()
	fixtureOnce.Do(func() {
		pkgs, err := Load(context.Background(), LoadOptions{
			Patterns: []string{"./testdata/fixture/...", "./testdata/bad/broken", "./testdata/bad/crash",
				"./testdata/bad/garbage", "./testdata/bad/badspec", "./testdata/bad/listcrash"},
			BinDir: binDir,
		})
		fixtureOnce.err = err
		fixtureOnce.pkgs = map[string]*Package{}
		for _, p := range pkgs {
			fixtureOnce.pkgs[filepath.Base(p.ImportPath)] = p
		}
	})
	if fixtureOnce.err != nil {
		t.Fatalf("load fixtures: %v", fixtureOnce.err)
	}
	return fixtureOnce.pkgs
}

func TestLoadDescribes(t *testing.T) {
	p := fixtures(t)["sched"]
	if p == nil || p.Err != nil {
		t.Fatalf("sched: %+v", p)
	}
	var described []string
	for _, d := range p.Descriptions {
		described = append(described, d.Test)
	}
	if got := strings.Join(described, ","); got != "TestSteady,TestSMTOnly,TestFlags" {
		t.Errorf("described %s", got)
	}
	if got := strings.Join(p.Plain(), ","); got != "TestHostOnly" {
		t.Errorf("plain tests %s", got)
	}
	if !strings.Contains(string(p.DescribeOutput), "--- PASS: TestHostOnly") || p.DescribeFailed {
		t.Errorf("describe output lacks the plain test's pass:\n%s", p.DescribeOutput)
	}
	fi, err := os.Stat(p.Binary)
	if err != nil || fi.Mode()&0o111 == 0 || filepath.Dir(p.Binary) != binDir {
		t.Errorf("binary %s: %v", p.Binary, err)
	}
	if p.Dir == "" || !strings.HasSuffix(p.Dir, filepath.Join("testdata", "fixture", "sched")) {
		t.Errorf("dir = %q", p.Dir)
	}
	s := p.Descriptions[2].Spec
	if s.Scheduler == nil || len(s.Scheduler.Flags) != 3 || s.RequiredFlags[0] != "llc" {
		t.Errorf("TestFlags spec did not round-trip: %+v", s)
	}
}

func TestLoadPlainPackage(t *testing.T) {
	p := fixtures(t)["plain"]
	if p.Err != nil || len(p.Descriptions) != 0 || len(p.Plain()) != 5 {
		t.Fatalf("plain: err %v, %d descriptions, plain %v", p.Err, len(p.Descriptions), p.Plain())
	}
	// A plain test failing in short mode is a result, not a crash.
	if !p.DescribeFailed || !strings.Contains(string(p.DescribeOutput), "--- FAIL: TestFailsInShort") {
		t.Errorf("DescribeFailed %v, output:\n%s", p.DescribeFailed, p.DescribeOutput)
	}
	if !strings.Contains(string(p.DescribeOutput), "--- SKIP: TestLongOnly") {
		t.Errorf("describe pass did not run in short mode:\n%s", p.DescribeOutput)
	}
}

func TestLoadEmptyPackage(t *testing.T) {
	p := fixtures(t)["empty"]
	if p == nil || p.Err != nil || len(p.Tests) != 0 || p.Binary != "" {
		t.Fatalf("empty: %+v", p)
	}
}

func TestLoadFailures(t *testing.T) {
	pkgs := fixtures(t)
	tests := []struct {
		pkg    string
		is     error
		msg    string // in Error()
		detail string // in Detail
	}{
		{"broken", ErrBuild, "build failed", `cannot use "not an int"`},
		{"crash", ErrDescribe, "panic: assignment to entry in nil map", ""},
		{"garbage", ErrDescribe, "line 1 is not a test description", ""},
		{"listcrash", ErrList, "list failed", "cannot open /nonexistent/config"},
	}
	for _, tt := range tests {
		p := pkgs[tt.pkg]
		if p == nil || p.Err == nil {
			t.Errorf("%s: no error: %+v", tt.pkg, p)
			continue
		}
		if !errors.Is(p.Err, tt.is) || !strings.Contains(p.Err.Error(), tt.msg) || !strings.Contains(p.Err.Detail, tt.detail) {
			t.Errorf("%s: error %q (detail %q), want %v with %q / %q", tt.pkg, p.Err, p.Err.Detail, tt.is, tt.msg, tt.detail)
		}
		if tt.pkg == "crash" && !strings.Contains(string(p.DescribeOutput), "TestPanics") {
			t.Errorf("crash: describe output not kept: %q", p.DescribeOutput)
		}
		if strings.Contains(p.Err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", tt.pkg, p.Err)
		}
	}
}

func TestLoadMatch(t *testing.T) {
	m, _ := NewMatcher("TestSteady|TestHostOnly", "")
	pkgs, err := Load(context.Background(), LoadOptions{Patterns: []string{"./testdata/fixture/sched"}, BinDir: t.TempDir(), Match: m})
	if err != nil || len(pkgs) != 1 {
		t.Fatalf("Load: %v, %d packages", err, len(pkgs))
	}
	p := pkgs[0]
	if strings.Join(p.Tests, ",") != "TestSteady,TestHostOnly" || len(p.Descriptions) != 1 {
		t.Fatalf("filtered tests %v, %d descriptions", p.Tests, len(p.Descriptions))
	}
	if strings.Contains(string(p.DescribeOutput), "TestFlags") {
		t.Errorf("describe ran a filtered-out test:\n%s", p.DescribeOutput)
	}
}

func TestLoadNoPackages(t *testing.T) {
	tests := map[string]string{
		"./testdata/nopkg/...": `pattern "./testdata/nopkg/..." matched no packages; check the path`,
		"./testdata/nosuch":    `pattern "./testdata/nosuch" matched no packages: stat `,
		"./testdata/nopkg":     `pattern "./testdata/nopkg" matched no packages: no Go files in `,
		"example.com/nothere":  `pattern "example.com/nothere" matched no packages: `,
	}
	for pattern, want := range tests {
		_, err := Load(context.Background(), LoadOptions{Patterns: []string{"./testdata/fixture/empty", pattern}, BinDir: t.TempDir()})
		if !errors.Is(err, ErrNoPackages) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line with %q", pattern, err, want)
		}
	}
}

// TestLoadDescribeTimeout: a plain test that does not return is stopped
// by the describe timeout and reported as a crash of that package.
func TestLoadDescribeTimeout(t *testing.T) {
	pkgs, err := Load(context.Background(), LoadOptions{Patterns: []string{"./testdata/bad/hang"}, BinDir: t.TempDir(), DescribeTimeout: time.Second})
	if err != nil || len(pkgs) != 1 {
		t.Fatalf("Load: %v", err)
	}
	if e := pkgs[0].Err; e == nil || !errors.Is(e, ErrDescribe) || !strings.Contains(e.Error(), "test timed out after 1s") {
		t.Fatalf("hang: %v", e)
	}
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, LoadOptions{Patterns: []string{"./testdata/fixture/sched"}, BinDir: t.TempDir()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadNeedsBinDir(t *testing.T) {
	if _, err := Load(context.Background(), LoadOptions{}); err == nil {
		t.Fatal("Load without BinDir succeeded")
	}
}

func TestBinaryName(t *testing.T) {
	a, b := binaryName("x/a_b"), binaryName("x_a/b")
	if a == b || a != "x_a%5Fb.test" {
		t.Errorf("binaryName collides or changed: %q %q", a, b)
	}
}

// TestLoadCancelDuringDescribe cancels Load while a test binary is
// describing (it waits for the process to exist, not for time to pass)
// and checks that Load returns the cancellation and leaves no process.
func TestLoadCancelDuringDescribe(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Load(ctx, LoadOptions{Patterns: []string{"./testdata/bad/hang"}, BinDir: dir})
		done <- err
	}()
	for len(processesRunning(dir)) == 0 {
		select {
		case err := <-done:
			t.Fatalf("Load returned before the describe pass started: %v", err)
		case <-time.After(50 * time.Millisecond): // poll /proc
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Load after cancel: %v", err)
	}
	if pids := processesRunning(dir); len(pids) > 0 {
		t.Fatalf("processes of %s still running after Load returned: %v", dir, pids)
	}
}

// processesRunning returns the pids whose executable lies in dir.
func processesRunning(dir string) []string {
	exes, _ := filepath.Glob("/proc/[0-9]*/exe")
	var pids []string
	for _, e := range exes {
		if target, err := os.Readlink(e); err == nil && filepath.Dir(target) == dir {
			pids = append(pids, filepath.Base(filepath.Dir(e)))
		}
	}
	return pids
}
