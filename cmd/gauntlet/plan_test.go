package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/internal/loadcache"
	"github.com/gauntlet-sched/gauntlet/run"
)

// Fixture packages of package expand, named from this directory.
const (
	schedFixture = "../../expand/testdata/fixture/sched"
	badFixtures  = "../../expand/testdata/bad/"
)

// fixtures are all good fixture packages (listed one by one, so their
// loads are shared; see cachedLoad).
var fixtures = []string{"../../expand/testdata/fixture/empty", "../../expand/testdata/fixture/plain", schedFixture}

// testHost is the host the plan tests see: this development machine.
var testHost = run.Host{CPUs: 2, MemoryMiB: 24 * 1024}

// loadCache loads each distinct pattern and filter once per test run
// (set up by TestMain).
var loadCache *loadcache.Cache

// cachedLoad is the tests' Planner.Load.
func cachedLoad(ctx context.Context, o expand.LoadOptions) ([]*expand.Package, error) {
	return loadCache.Load(ctx, o)
}

// testCLI is the command on the fixtures and testHost, without KVM,
// writing to buffers; tests add fakes to its runner.
func testCLI() (*cli, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	c := &cli{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	c.runner.Planner = run.Planner{
		Load:     cachedLoad,
		Host:     func() (run.Host, error) { return testHost, nil },
		ProbeKVM: func() error { return fmt.Errorf("no /dev/kvm in tests") },
	}
	return c, &stdout, &stderr
}

// gauntlet runs the CLI in-process on testCLI. A plan without --history
// reads no history, so earlier runs on this machine cannot change the
// results.
func gauntlet(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	c, out, errb := testCLI()
	return gauntletWith(c, out, errb, args...)
}

// gauntletWith runs the CLI c whose streams are out and errb.
func gauntletWith(c *cli, out, errb *bytes.Buffer, args ...string) (code int, stdout, stderr string) {
	if len(args) > 0 && args[0] == "plan" && !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--history") }) {
		args = append([]string{"plan", "--history="}, args[1:]...)
	}
	code = c.run(context.Background(), args)
	return code, out.String(), errb.String()
}

// TestPlanBadInput: each bad input is one line on stderr naming it, exit
// 2, and no panic.
func TestPlanBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--budget", "abc"}, `invalid value "abc" for flag -budget: want a duration like 20m`},
		{[]string{"--budget", "-5m"}, `invalid value "-5m" for flag -budget: a budget cannot be negative`},
		{[]string{"--shard", "3/2"}, `invalid value "3/2" for flag -shard: shard "3/2": K is 3`},
		{[]string{"--shard", "x"}, `invalid value "x" for flag -shard`},
		{[]string{"--presets", "nosuch"}, `invalid value "nosuch" for flag -presets: unknown preset "nosuch"`},
		{[]string{"--topology", "0,1,1"}, `invalid value "0,1,1" for flag -topology: topology "0,1,1": sockets must be at least 1`},
		{[]string{"--topology", "1n1l2c1t", "--topology", "1,2,1"}, "topology 1n1l2c1t given twice"},
		{[]string{"--jobs", "-1"}, `invalid value "-1" for flag -jobs`},
		{[]string{"--oversubscribe", "0"}, `invalid value "0" for flag -oversubscribe`},
		{[]string{"--accel", "xen"}, `invalid value "xen" for flag -accel: accelerator "xen" is not one of auto, kvm, tcg`},
		{[]string{"--run", "Test("}, `-run "Test(": error parsing regexp`},
		{[]string{"--nosuch"}, "flag provided but not defined: -nosuch"},
		{[]string{"--run", "TestNoSuch", schedFixture}, `--run "TestNoSuch" --skip "" match no test or variant`},
		{[]string{"--shard", "auto", schedFixture}, "--shard auto: no CI parallelism found"},
		{[]string{"../../expand/testdata/nopkg/..."}, `pattern "../../expand/testdata/nopkg/..." matched no packages`},
		{[]string{"../../expand/testdata/nosuch"}, `pattern "../../expand/testdata/nosuch" matched no packages: stat `},
		{[]string{"--history", "x", "--budget", "5m", "--shard", "3/3", "--topology", "big"}, `invalid value "big" for flag -topology`},
	}
	for _, tt := range tests {
		code, _, stderr := gauntlet(t, append([]string{"plan"}, tt.args...)...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("plan %q: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.want)
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic(") {
			t.Errorf("plan %q: stack trace on stderr:\n%s", tt.args, stderr)
		}
		if n := len(lines); n != 1 {
			t.Errorf("plan %q: stderr is %d lines:\n%s", tt.args, n, stderr)
		}
	}
}

// TestPlanPackageFailures: a package that fails to build is reported with
// the compiler's message, a describe crash, garbage describe output and a
// bad Spec each with one line naming the package; the good package is
// still planned, and the exit status is 2.
func TestPlanPackageFailures(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := gauntlet(t, "plan", "--json", "--budget", "5m", badFixtures+"broken", badFixtures+"crash",
		badFixtures+"garbage", badFixtures+"badspec", schedFixture)
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
	}
	wants := []string{
		"bad/broken: build failed\n    ../../expand/testdata/bad/broken/broken_test.go:7:14: cannot use \"not an int\"",
		"bad/crash: describe failed: test binary crashed (exit status 2): panic: assignment to entry in nil map",
		"bad/garbage: describe failed: GAUNTLET_DESCRIBE: line 1 is not a test description",
		`bad/badspec: bad spec: TestBadFlag: required_flags names "nosuch"`,
		"gauntlet: 4 of 5 packages could not be planned\n",
	}
	for _, want := range wants {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "goroutine ") {
		t.Errorf("stack trace on stderr:\n%s", stderr)
	}
	var p struct {
		Selected []struct{ Package string } `json:"selected"`
		Failed   []struct{ Package string } `json:"failed_packages"`
	}
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("stdout is not the JSON plan: %v\n%s", err, stdout)
	}
	if len(p.Selected) == 0 || len(p.Failed) != 4 {
		t.Errorf("selected %d, failed %+v", len(p.Selected), p.Failed)
	}
	for _, s := range p.Selected {
		if !strings.HasSuffix(s.Package, "/fixture/sched") {
			t.Errorf("selected a variant of %s", s.Package)
		}
	}
}

// TestPlanOutputs: the table and --json print the same plan; --shard
// auto takes the shard from the CI's variables and says so.
func TestPlanOutputs(t *testing.T) {
	t.Parallel()
	c, out, errb := testCLI()
	c.getenv = func(s string) string { return map[string]string{"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"}[s] }
	code, stdout, stderr := gauntletWith(c, out, errb, "plan", "--budget", "5m", "--shard", "auto", "--explain", schedFixture)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"host: 2 CPUs, 24576 MiB;", "| preset ", "left out (", "shard 2/3 (GitLab CI (parallel:): CI_NODE_INDEX): selected "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = gauntlet(t, "plan", "--json", "--budget", "5m", "--shard", "2/3", schedFixture)
	var p struct {
		BudgetS float64 `json:"budget_s"`
		Shard   string  `json:"shard"`
	}
	if err := json.Unmarshal([]byte(stdout), &p); code != 0 || err != nil || p.BudgetS != 300 || p.Shard != "2/3" {
		t.Errorf("--json: exit %d, %v, %+v", code, err, p)
	}
}

func TestPlanHelp(t *testing.T) {
	t.Parallel()
	code, stdout, _ := gauntlet(t, "help", "plan")
	for _, want := range []string{"Usage: gauntlet plan", "Examples:", "-budget", "-shard", "-explain", "-json", "-oversubscribe", "-accel"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q (exit %d)", want, code)
		}
	}
}
