package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
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
var testHost = hostInfo{CPUs: 2, MemoryMiB: 24 * 1024}

// loadCache loads each distinct set of patterns and filters once per test
// run: building the fixture binaries is the slow part of planning, and
// the binaries outlive a plan command only in this cache.
var loadCache = struct {
	sync.Mutex
	dir  string
	pkgs map[string][]*expand.Package
}{pkgs: map[string][]*expand.Package{}}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gauntlet-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	loadCache.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cachedLoad replaces loadPackages: it loads each pattern (with the
// filters) once per test run and returns shallow copies (Expand may set a
// copy's Err). Patterns are loaded one by one so that tests naming the
// same fixture in different pattern lists share its build.
func cachedLoad(ctx context.Context, o expand.LoadOptions) ([]*expand.Package, error) {
	loadCache.Lock()
	defer loadCache.Unlock()
	var out []*expand.Package
	for _, pattern := range o.Patterns {
		key := fmt.Sprintf("%q %s", pattern, o.Match)
		pkgs, ok := loadCache.pkgs[key]
		if !ok {
			dir, err := os.MkdirTemp(loadCache.dir, "bin-")
			if err != nil {
				return nil, err
			}
			one := o
			one.BinDir, one.Patterns = dir, []string{pattern}
			if pkgs, err = expand.Load(ctx, one); err != nil {
				return nil, err
			}
			loadCache.pkgs[key] = pkgs
		}
		for _, p := range pkgs {
			c := *p
			out = append(out, &c)
		}
	}
	return out, nil
}

// planSeams fixes the host and the KVM verdict and caches loading.
func planSeams(t *testing.T) {
	t.Helper()
	withHost(t, testHost)
	oldProbe, oldLoad := planProbe, loadPackages
	planProbe = func() error { return fmt.Errorf("no /dev/kvm in tests") }
	loadPackages = cachedLoad
	t.Cleanup(func() { planProbe, loadPackages = oldProbe, oldLoad })
}

// gauntlet runs the CLI in-process. A plan without --history reads no
// history, so earlier runs on this machine cannot change the results.
func gauntlet(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if len(args) > 0 && args[0] == "plan" && !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--history") }) {
		args = append([]string{"plan", "--history="}, args[1:]...)
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestPlanBadInput: each bad input is one line on stderr naming it, exit
// 2, and no panic.
func TestPlanBadInput(t *testing.T) {
	planSeams(t)
	for _, s := range ciShards { // as if not in a CI job of several shards
		t.Setenv(s.index, "")
	}
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
	planSeams(t)
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
	var p planJSON
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

// TestPlanJSON checks the JSON contract on the fixture packages.
func TestPlanJSON(t *testing.T) {
	planSeams(t)
	p := planJSONOf(t, append([]string{"--budget", "5m"}, fixtures...)...)
	checkPlanJSON(t, p, 300)
	if p.Accel != "tcg" || p.Host.CPUs != 2 || p.Host.MaxVCPUs != 32 {
		t.Errorf("accel %s, host %+v", p.Accel, p.Host)
	}
	var plain []string
	for _, pt := range p.Plain {
		plain = append(plain, filepath.Base(pt.Package)+"."+pt.Test)
	}
	if !slices.Contains(plain, "sched.TestHostOnly") || !slices.Contains(plain, "plain.TestAdd") {
		t.Errorf("plain tests %v", plain)
	}
	kinds := map[string]int{}
	for _, e := range p.Excluded {
		kinds[e.Kind]++
		if !strings.HasPrefix(e.Reason, e.Kind+": ") {
			t.Errorf("%s: reason %q does not start with its kind %s", e.Variant, e.Reason, e.Kind)
		}
	}
	if kinds["constraint"] == 0 || kinds["capacity"] == 0 || kinds["budget"] == 0 {
		t.Errorf("excluded kinds %v: want constraint, capacity and budget", kinds)
	}
	// Every variant of the matrix is either selected or excluded, once.
	if n := len(p.Selected) + len(p.Excluded); n != 115 {
		t.Errorf("selected + excluded = %d, want the 115 variants of the sched fixture", n)
	}
}

// checkPlanJSON asserts the documented fields of a plan.
func checkPlanJSON(t *testing.T, p planJSON, budgetS float64) {
	t.Helper()
	if p.BudgetS != budgetS || p.Slots < 1 || p.EstWallS <= 0 || (budgetS > 0 && p.EstWallS > budgetS) {
		t.Errorf("budget_s %v, slots %d, est_wall_s %v", p.BudgetS, p.Slots, p.EstWallS)
	}
	if len(p.Selected) == 0 || p.Coverage.Possible == 0 || p.Coverage.Covered > p.Coverage.Possible {
		t.Fatalf("selected %d, coverage %+v", len(p.Selected), p.Coverage)
	}
	seen := map[string]bool{}
	for _, s := range p.Selected {
		key := s.Package + " " + s.Variant
		if seen[key] {
			t.Errorf("%s selected twice", key)
		}
		seen[key] = true
		base := s.Variant == s.Test
		if s.Package == "" || s.Test == "" || s.Topology == "" || s.Profile == "" || s.VCPUs < 1 || s.EstS <= 0 ||
			s.Slot < 0 || s.Slot >= p.Slots || base != (s.Preset == "") {
			t.Errorf("bad selected entry %+v", s)
		}
		if !base && s.Variant != s.Test+"/"+s.Preset+"/"+s.Profile {
			t.Errorf("variant %q is not test/preset/profile", s.Variant)
		}
	}
	for _, e := range p.Excluded {
		if e.Package == "" || e.Test == "" || e.Variant == "" || e.Reason == "" {
			t.Errorf("bad excluded entry %+v", e)
		}
	}
}

func planJSONOf(t *testing.T, args ...string) planJSON {
	t.Helper()
	code, stdout, stderr := gauntlet(t, append([]string{"plan", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("plan %q: exit %d\n%s", args, code, stderr)
	}
	var p planJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("plan %q: %v\n%s", args, err, stdout)
	}
	return p
}

// TestPlanShardUnion: the shards' selections partition the unsharded one.
func TestPlanShardUnion(t *testing.T) {
	planSeams(t)
	whole := planJSONOf(t, "--budget", "5m", schedFixture)
	var union []string
	for k := 1; k <= 3; k++ {
		s := planJSONOf(t, "--budget", "5m", "--shard", fmt.Sprintf("%d/3", k), schedFixture)
		if s.Shard != fmt.Sprintf("%d/3", k) || s.EstWallS > whole.EstWallS {
			t.Errorf("shard %d/3: shard %q, est_wall_s %v > %v", k, s.Shard, s.EstWallS, whole.EstWallS)
		}
		for _, a := range s.Selected {
			union = append(union, a.Variant)
		}
	}
	var want []string
	for _, a := range whole.Selected {
		want = append(want, a.Variant)
	}
	slices.Sort(union)
	slices.Sort(want)
	if !slices.Equal(union, want) {
		t.Errorf("union of shards %v\nwant %v", union, want)
	}
}

// TestPlanNoBudget selects every variant that passes the filters.
func TestPlanNoBudget(t *testing.T) {
	planSeams(t)
	p := planJSONOf(t, "--presets", "tiny-1llc,smt-2llc,medium-8llc", schedFixture)
	checkPlanJSON(t, p, 0)
	for _, e := range p.Excluded {
		if e.Kind == "budget" {
			t.Errorf("no budget, yet %s left out: %s", e.Variant, e.Reason)
		}
	}
	// 3 bases; tiny-1llc: Steady, Flags x2; smt-2llc: Steady, SMTOnly,
	// Flags x2; medium-8llc does not fit 2 CPUs.
	if len(p.Selected) != 10 {
		t.Errorf("selected %d, want 10", len(p.Selected))
	}
}

// TestPlanRunSkip filters variants like go test -run/-skip.
func TestPlanRunSkip(t *testing.T) {
	planSeams(t)
	p := planJSONOf(t, "--run", "TestFlags/tiny", "--skip", "//steal", schedFixture)
	var got []string
	for _, s := range p.Selected {
		got = append(got, s.Variant)
	}
	for _, e := range p.Excluded {
		got = append(got, e.Variant)
	}
	slices.Sort(got)
	want := []string{"TestFlags/tiny-1llc/llc", "TestFlags/tiny-2llc/llc"}
	if !slices.Equal(got, want) {
		t.Errorf("variants %v, want %v", got, want)
	}
}

// TestPlanTopologyFlag plans custom topologies instead of the presets.
func TestPlanTopologyFlag(t *testing.T) {
	planSeams(t)
	p := planJSONOf(t, "--topology", "2,2,1", schedFixture)
	var got []string
	for _, s := range p.Selected {
		if s.Test == "TestSteady" {
			got = append(got, s.Variant+"@"+s.Topology)
		}
	}
	want := []string{"TestSteady/1n2l2c1t/default@1n2l2c1t", "TestSteady@1n1l2c1t"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("selected %v, want %v", got, want)
	}
}

// TestPlanTextGolden: the human plan with --explain for a small budget.
// Regenerate: go test ./cmd/gauntlet -run TestPlanTextGolden -update
func TestPlanTextGolden(t *testing.T) {
	planSeams(t)
	args := []string{"plan", "--budget", "2m", "--explain", "--presets", "tiny-1llc,tiny-2llc,smt-2llc,medium-8llc,numa2-4llc"}
	code, stdout, stderr := gauntlet(t, append(args, fixtures...)...)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	checkGolden(t, filepath.Join("testdata", "plan-explain.golden"), []byte(stdout))
	for _, want := range []string{"legend: run = selected", "left out (", "selected ", "on 2 slots, budget 2m; features covered"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestPlanHelp(t *testing.T) {
	code, stdout, _ := gauntlet(t, "help", "plan")
	for _, want := range []string{"Usage: gauntlet plan", "Examples:", "-budget", "-shard", "-explain", "-json", "-oversubscribe", "-accel"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q (exit %d)", want, code)
		}
	}
}

// TestPlanExampleModule runs the CI check of the issue on the example
// package: its JSON plan for a 20 minute budget parses and obeys the
// documented fields.
func TestPlanExampleModule(t *testing.T) {
	const example = "../../testdata/example"
	planSeams(t)
	checkPlanJSON(t, planJSONOf(t, "--budget", "20m", example), 1200)
}

// TestPlanHistory: measured durations in earlier runs' results.json
// replace the model; an unreadable results.json is a warning.
func TestPlanHistory(t *testing.T) {
	planSeams(t)
	dir := t.TempDir()
	res := &budget.Results{
		Version: budget.ResultsVersion, RunID: "run1", Started: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		Host: budget.Host{CPUs: 2, MemoryMiB: 24 * 1024, Accel: "tcg"}, Accel: "tcg",
		Variants: []budget.VariantResult{{
			Package: "github.com/gauntlet-sched/gauntlet/expand/testdata/fixture/sched", Test: "TestSteady",
			Variant: "TestSteady", Profile: "default", Topology: topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1},
			VCPUs: 2, Accel: "tcg", BootS: 40, TestS: 20, TotalS: 61, Outcome: spec.OutcomePass,
		}},
	}
	writeFile(t, filepath.Join(dir, "run1", "results.json"), func(f *os.File) error { return budget.WriteResults(f, res) })
	writeFile(t, filepath.Join(dir, "run2", "results.json"), func(f *os.File) error { _, err := f.WriteString("garbage"); return err })
	code, stdout, stderr := gauntlet(t, "plan", "--json", "--history", dir, schedFixture)
	if code != 0 || !strings.Contains(stderr, "run2/results.json") || !strings.Contains(stderr, "(ignored)") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var p planJSON
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range p.Selected {
		if s.Variant == "TestSteady" {
			found = true
			if s.Source != "history" || s.EstS != 61 {
				t.Errorf("base variant estimate %v from %s, want 61 from history", s.EstS, s.Source)
			}
		} else if s.Source != "model" {
			t.Errorf("%s: estimate from %s, want model", s.Variant, s.Source)
		}
	}
	if !found {
		t.Fatal("TestSteady not selected")
	}
}

func writeFile(t *testing.T, path string, fill func(*os.File) error) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(fill(f), f.Close()); err != nil {
		t.Fatal(err)
	}
}
