package run

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/internal/fakeguest"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// A variant that fails its first attempt and passes its second is flaky
// in the three outputs (progress and summary, JUnit, results.json), and
// the run passes.
func TestRunRetriesFlaky(t *testing.T) {
	t.Parallel()
	f := &fakeVMs{fn: fakeguest.FailFirst("tiny-1llc", 1)}
	cfg, stdout := testConfig(t, "tiny-1llc,smt-2llc")
	cfg.Plan.Retries = 2
	res, err := testRunner(f).Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	var flaky []report.Case
	for _, c := range res.Cases {
		if c.Flaky() {
			flaky = append(flaky, c)
		} else if len(c.Attempts) > 0 {
			t.Errorf("%s: %d attempts but not flaky", c.Variant, len(c.Attempts))
		}
	}
	if len(flaky) == 0 {
		t.Fatalf("no flaky case; stdout:\n%s", stdout)
	}
	vms := len(res.Cases) - 1 // one host test
	if len(f.tests) != vms+len(flaky) {
		t.Errorf("%d tests run for %d variants of which %d flaky; want one retry each", len(f.tests), vms, len(flaky))
	}
	for _, c := range flaky {
		if !strings.Contains(c.Variant, "tiny-1llc") || len(c.Attempts) != 1 || c.Attempts[0].Outcome != spec.OutcomeFail {
			t.Errorf("%s flaky with attempts %+v; want tiny-1llc variants with one failed attempt", c.Variant, c.Attempts)
		}
		first := filepath.Join(res.Dir, LogsDir, slugify(c.Package+"."+c.Variant)+".out")
		second := filepath.Join(res.Dir, LogsDir, slugify(c.Package+"."+c.Variant)+".attempt2.out")
		for path, want := range map[string]string{first: "--- FAIL", second: "--- PASS"} {
			if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), want) {
				t.Errorf("%s: %q, %v; want the attempt's output with %q", path, b, err, want)
			}
		}
	}
	for _, want := range []string{"retry FAIL " + flaky[0].Variant + " (attempt 1 of 3: stuck 3500ms", "FLAKY        " + flaky[0].Variant,
		"| flaky ", "flaky: " + flaky[0].Variant} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	junit, err := readJUnitPath(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if junit.Failures != 0 {
		t.Errorf("JUnit counts %d failures; flaky variants passed", junit.Failures)
	}
	for _, c := range report.CasesFromJUnit(junit) {
		if strings.Contains(c.Variant, "tiny-1llc") && (!c.Flaky() || c.Attempts[0].Boot != flaky[0].Attempts[0].Boot) {
			t.Errorf("JUnit %s: flaky %v, attempts %+v", c.Variant, c.Flaky(), c.Attempts)
		}
	}
	r, err := readResultsFile(filepath.Join(res.Dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range r.Variants {
		want := strings.Contains(v.Variant, "tiny-1llc")
		if v.Flaky != want || (want && (len(v.Attempts) != 1 || v.Attempts[0].Outcome != spec.OutcomeFail || v.Attempts[0].BootS != 5)) || v.Outcome != spec.OutcomePass {
			t.Errorf("results.json %s: flaky %v, attempts %+v, outcome %s", v.Variant, v.Flaky, v.Attempts, v.Outcome)
		}
	}
}

// A variant failing every attempt fails, with its earlier attempts as
// rerunFailure; a variant whose QEMU failed (infrastructure) is not
// retried and never flaky.
func TestRunRetriesExhaustedAndInfra(t *testing.T) {
	t.Parallel()
	failing := fakeguest.FailOn("tiny-1llc")
	f := &fakeVMs{fn: func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
		if strings.HasPrefix(cfg.Variant.Name, "TestSteady") {
			return vm.Result{Outcome: spec.OutcomeQEMUFailed, Reason: "qemu: terminating on signal 9", Accel: spec.AccelTCG}, nil
		}
		return failing(ctx, cfg)
	}}
	cfg, stdout := testConfig(t, "tiny-1llc")
	cfg.Plan.Retries = 1
	res, err := testRunner(f).Run(context.Background(), cfg)
	if !errors.Is(err, ErrTestsFailed) {
		t.Fatalf("err %v, want ErrTestsFailed\n%s", err, stdout)
	}
	boots := map[string]int{}
	for _, c := range f.cfgs {
		boots[c.Variant.Name]++
	}
	junit, err := readJUnitPath(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cases {
		if c.Host() {
			continue
		}
		wantBoots := 1 // passed, or QEMU failed
		if strings.Contains(c.Variant, "tiny-1llc") && !strings.HasPrefix(c.Variant, "TestSteady") {
			wantBoots = 2
		}
		if boots[c.Variant] != wantBoots || c.Flaky() || len(c.Attempts) != wantBoots-1 {
			t.Errorf("%s (%s): %d boots, %d attempts, flaky %v; want %d boots", c.Variant, c.Outcome, boots[c.Variant], len(c.Attempts), c.Flaky(), wantBoots)
		}
		for _, su := range junit.Suites {
			for _, tc := range su.Testcases {
				if tc.Name == c.Variant && wantBoots == 2 && (tc.Failure == nil || len(tc.RerunFailures) != 1) {
					t.Errorf("JUnit %s: failure %v, %d rerunFailure; want a failure and one rerunFailure", tc.Name, tc.Failure, len(tc.RerunFailures))
				}
			}
		}
	}
}

// --failfast starts nothing after the first failure (one VM at a time
// here) and the run fails as a test failure, not a setup error.
func TestRunFailFast(t *testing.T) {
	t.Parallel()
	f := failOn("Test")
	cfg, stdout := testConfig(t, "tiny-1llc,smt-2llc")
	cfg.Plan.Jobs, cfg.FailFast = 1, true
	res, err := testRunner(f).Run(context.Background(), cfg)
	if !errors.Is(err, ErrTestsFailed) {
		t.Fatalf("err %v, want ErrTestsFailed\n%s", err, stdout)
	}
	if len(f.cfgs) != 1 {
		t.Errorf("%d VMs booted, want 1: nothing after the first failure", len(f.cfgs))
	}
	notRun := 0
	for _, c := range res.Cases {
		if c.Outcome == spec.OutcomeNotRun && strings.Contains(c.Message, "--failfast") {
			notRun++
		}
	}
	if notRun != len(res.Cases)-2 {
		t.Errorf("%d variants not started by --failfast, want all but the host test and the first: %+v", notRun, res.Cases)
	}
}

// An expired --timeout stops the run with ErrTimeout and still writes
// the results (planning is kept out of the deadline here, so the test
// does not depend on how fast the fixtures build).
func TestRunTimeout(t *testing.T) {
	t.Parallel()
	f := failOn("")
	r := testRunner(f)
	r.Planner.Load = func(ctx context.Context, o expand.LoadOptions) ([]*expand.Package, error) {
		return cachedLoad(context.WithoutCancel(ctx), o)
	}
	cfg, stdout := testConfig(t, "tiny-1llc")
	cfg.Timeout = 1
	res, err := r.Run(context.Background(), cfg)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "-timeout 1ns passed: 0 of 6 variants ran") || !strings.Contains(err.Error(), "6 did not start (skipped in JUnit, not failed); partial results written") {
		t.Fatalf("err %v, want ErrTimeout\n%s", err, stdout)
	}
	if len(f.cfgs) != 0 || res == nil {
		t.Fatalf("%d VMs booted after the deadline (result %v)", len(f.cfgs), res)
	}
	if _, err := os.Stat(filepath.Join(res.Dir, JUnitFile)); err != nil {
		t.Errorf("no JUnit after a timeout: %v", err)
	}
}

// -count N plans every variant N times under unique, stable names, and
// the shards together hold every repeat exactly once; --retries is noted
// in the plan, not booked.
func TestPlanCountAndRetries(t *testing.T) {
	t.Parallel()
	p := testPlanner()
	cfg := PlanConfig{Accel: spec.AccelTCG, Presets: presets(t, "tiny-1llc"), Patterns: []string{schedFixture}, Count: 3, Retries: 2}
	once := cfg
	once.Count, once.Retries = 0, 0
	plans := map[string]planJSON{}
	for name, c := range map[string]PlanConfig{"once": once, "count": cfg} {
		pl, err := p.Plan(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		plans[name] = jsonOf(t, pl)
		pl.Close()
	}
	names := map[string]bool{}
	for _, s := range plans["count"].Selected {
		if names[s.Variant] {
			t.Errorf("variant %s planned twice", s.Variant)
		}
		names[s.Variant] = true
	}
	for _, s := range plans["once"].Selected {
		for _, n := range []string{s.Variant, s.Variant + "#2", s.Variant + "#3"} {
			if !names[n] {
				t.Errorf("-count 3 plans no %s", n)
			}
		}
	}
	if got, want := len(names), 3*len(plans["once"].Selected); got != want {
		t.Errorf("-count 3 plans %d variants, want %d", got, want)
	}
	if c := plans["count"]; c.Retries != 2 || math.Abs(c.EstWallRetriesS-3*c.EstWallS) > 0.35 { // each is rounded to 0.1 s
		t.Errorf("plan JSON retries %d, worst wall %vs for est. wall %vs; want 2 and three times the estimate", c.Retries, c.EstWallRetriesS, c.EstWallS)
	}
	union := map[string]int{}
	for k := 1; k <= 2; k++ {
		sc := cfg
		sc.ShardK, sc.ShardN = k, 2
		pl, err := p.Plan(context.Background(), sc)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range jsonOf(t, pl).Selected {
			union[s.Variant]++
		}
		pl.Close()
	}
	for n := range names {
		if union[n] != 1 {
			t.Errorf("%s in %d shards, want 1", n, union[n])
		}
	}
}
