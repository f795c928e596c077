package run

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/fakeguest"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// verdicts maps each VM variant of res to its outcome.
func verdicts(res *Result) map[string]spec.Outcome {
	out := map[string]spec.Outcome{}
	for _, c := range res.Cases {
		if !c.Host() {
			out[c.Variant] = c.Outcome
		}
	}
	return out
}

// runShared runs the tiny-1llc and smt-2llc variants (each -count 2, so
// every boot has partners) on fake guests g, sharing boots unless fresh.
func runShared(t *testing.T, g fakeguest.Guests, fresh bool) (*Result, *fakeVMs, *bytes.Buffer, error) {
	t.Helper()
	f := &fakeVMs{fn: g.Boot()}
	cfg, stdout := testConfig(t, "tiny-1llc,smt-2llc")
	cfg.Plan.Count, cfg.Plan.FreshVM = 2, fresh
	res, err := testRunner(f).Run(context.Background(), cfg)
	if res == nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	return res, f, stdout, err
}

// Variants of one boot (same kernel, binary, files, topology, memory) run
// one after another in one VM; their cases say so (shared-boot, no boot
// time) in JUnit and results.json, and the run has the cases and
// verdicts of the same plan in fresh VMs.
func TestRunSharedBoots(t *testing.T) {
	t.Parallel()
	res, f, stdout, err := runShared(t, fakeguest.Guests{Fail: "smt-2llc"}, false)
	if !errors.Is(err, ErrTestsFailed) {
		t.Fatalf("err %v, want ErrTestsFailed (smt-2llc variants fail)\n%s", err, stdout)
	}
	fresh, ff, _, _ := runShared(t, fakeguest.Guests{Fail: "smt-2llc"}, true)
	if got, want := verdicts(res), verdicts(fresh); fmt.Sprint(got) != fmt.Sprint(want) || len(res.Cases) != len(fresh.Cases) {
		t.Errorf("shared boots: %d cases %v\nfresh VMs: %d cases %v", len(res.Cases), got, len(fresh.Cases), want)
	}
	vms := len(res.Cases) - 1 // one host test
	if len(f.tests) != vms || len(ff.cfgs) != vms || len(f.cfgs) >= vms {
		t.Errorf("shared: %d boots for %d tests; fresh: %d boots; want %d tests, fewer boots when shared, one per variant when fresh",
			len(f.cfgs), len(f.tests), len(ff.cfgs), vms)
	}
	seen := map[string]bool{}
	for _, c := range f.tests {
		if seen[c.Variant.Name] {
			t.Errorf("%s ran twice", c.Variant.Name)
		}
		seen[c.Variant.Name] = true
	}
	// Each VM ran tests of one boot; only its last may have failed.
	for _, chain := range f.chains {
		for k, l := range chain {
			if k < len(chain)-1 && !l.res.Outcome.Passed() {
				t.Errorf("chain %v: %s %s and the VM ran another test", chain, l.variant, l.res.Outcome)
			}
		}
	}
	shared := map[string]string{}
	for _, c := range res.Cases {
		vmName := c.Property(report.PropSharedBoot)
		if vmName == "" {
			continue
		}
		shared[c.Variant] = vmName
		if c.Boot != 0 || c.Total != fakeguest.TestTime || !strings.HasPrefix(vmName, "fake-vm-") {
			t.Errorf("%s shared %q: boot %s total %s; want no boot, the test's time", c.Variant, vmName, c.Boot, c.Total)
		}
		if _, err := os.Stat(filepath.Join(res.Dir, LogsDir, slugify(c.Package+"."+c.Variant)+".out")); err != nil {
			t.Errorf("%s: no log of its own: %v", c.Variant, err)
		}
	}
	if len(shared) != len(f.tests)-len(f.cfgs) {
		t.Errorf("%d cases with %s, want the %d tests that did not boot", len(shared), report.PropSharedBoot, len(f.tests)-len(f.cfgs))
	}
	junit, err := os.ReadFile(filepath.Join(res.Dir, JUnitFile))
	if err != nil || !bytes.Contains(junit, []byte("gauntlet.property: shared-boot=fake-vm-")) {
		t.Errorf("JUnit lacks the shared-boot property (%v)", err)
	}
	r, err := readResultsFile(filepath.Join(res.Dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range r.Variants {
		if v.SharedBoot != shared[v.Variant] || (v.SharedBoot != "") != (v.BootS == 0) {
			t.Errorf("results.json %s: shared_boot %q boot_s %v; want %q, boot 0 exactly when shared", v.Variant, v.SharedBoot, v.BootS, shared[v.Variant])
		}
	}
	// Each variant is its own span on the timeline.
	tl, err := os.ReadFile(filepath.Join(res.Dir, TimelineFile))
	if err != nil || strings.Count(string(tl), " boot ") != vms {
		t.Errorf("timeline does not list the %d variants (%v):\n%s", vms, err, tl)
	}
}

// A failure or a dirty guest ends the VM: the next variant of its boot
// boots a fresh one. A failed variant is retried in a fresh VM.
func TestRunSharedBootsEndAtFailureOrDirt(t *testing.T) {
	t.Parallel()
	g := fakeguest.Guests{Fail: "TestSteady/tiny-1llc/default", FailFirst: 1, Dirty: "TestFlags/tiny-1llc/llc+steal"}
	f := &fakeVMs{fn: g.Boot()}
	cfg, stdout := testConfig(t, "tiny-1llc,smt-2llc")
	cfg.Plan.Count, cfg.Plan.Retries = 2, 1
	res, err := testRunner(f).Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	ends := map[string]bool{}
	for _, chain := range f.chains {
		for k, l := range chain {
			if l.res.Shared != (k > 0) {
				t.Errorf("chain %v: test %d shared %v", chain, k, l.res.Shared)
			}
			if k < len(chain)-1 && (!l.res.Outcome.Passed() || !l.res.Reusable) {
				t.Errorf("chain %v: %s ended %s (reusable %v) and the VM ran another test", chain, l.variant, l.res.Outcome, l.res.Reusable)
			}
			if k == len(chain)-1 {
				ends[l.variant] = true
			}
		}
	}
	for _, v := range []string{"TestSteady/tiny-1llc/default", "TestFlags/tiny-1llc/llc+steal"} {
		if !ends[v] {
			t.Errorf("%s (failed or dirty) did not end its VM: %v", v, f.chains)
		}
	}
	flaky := 0
	for _, c := range res.Cases {
		if c.Flaky() {
			flaky++
			if c.Property(report.PropSharedBoot) != "" || c.Boot == 0 {
				t.Errorf("%s: the retry of a failed variant shares a boot (%v)", c.Variant, c.Properties)
			}
		}
	}
	if flaky != 2 { // the variant and its #2 repeat each fail once
		t.Errorf("%d flaky cases, want 2", flaky)
	}
}

// --fresh-vm turns sharing off: one VM per variant, nothing shared.
func TestRunFreshVM(t *testing.T) {
	t.Parallel()
	res, f, stdout, err := runShared(t, fakeguest.Guests{}, true)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	for _, c := range f.cfgs {
		if c.Next != nil {
			t.Errorf("%s booted with a Next under FreshVM", c.Variant.Name)
		}
	}
	for _, c := range res.Cases {
		if p := c.Property(report.PropSharedBoot); p != "" || (!c.Host() && c.Boot != fakeguest.BootTime) {
			t.Errorf("%s: shared-boot %q boot %s under FreshVM", c.Variant, p, c.Boot)
		}
	}
}

// A variant whose test was handed to a VM that ended without its result
// is not run, with the reason, never lost nor passed.
func TestRunSharedBootVMDies(t *testing.T) {
	t.Parallel()
	pass := fakeguest.FailOn("")
	f := &fakeVMs{}
	f.fn = func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
		if cfg.Next == nil {
			return pass(ctx, cfg)
		}
		res, _ := pass(ctx, vm.Config{Args: cfg.Args, Variant: cfg.Variant, Output: cfg.Output})
		res.Name, res.Reusable = "vm-dies", true
		if next := cfg.Next(res); next != nil {
			return res, errors.New("qemu: killed by signal 9")
		}
		return res, nil
	}
	cfg, stdout := testConfig(t, "tiny-1llc")
	cfg.Plan.Count = 2
	res, err := testRunner(f).Run(context.Background(), cfg)
	if err == nil || errors.Is(err, ErrTestsFailed) {
		t.Fatalf("err %v, want variants that could not start\n%s", err, stdout)
	}
	lost, passed := 0, 0
	for _, c := range res.Cases {
		switch {
		case c.Host():
		case c.Outcome == spec.OutcomeNotRun:
			lost++
			if !strings.Contains(c.Message, "not run in the VM vm-dies, booted for an earlier variant: qemu: killed by signal 9") {
				t.Errorf("%s not run: %q", c.Variant, c.Message)
			}
		case c.Outcome.Passed():
			passed++
		}
	}
	if vms := len(res.Cases) - 1; lost == 0 || lost+passed != vms || len(f.tests) != vms {
		t.Errorf("%d not run, %d passed of %d variants in %d tests; want every variant accounted for", lost, passed, vms, len(f.tests))
	}
}

// The runner starts variants as the plan predicts (budget's
// chainSchedule): in plan order, each as soon as it fits beside those
// running. So of two variants that do not fit on the host together, the
// earlier in the plan boots first: a later, smaller one must not take
// the room an earlier one waits for (when each variant's goroutine
// acquired its weights itself, whichever got there first booted, and the
// plan's bigger variant then waited behind the smaller one's whole VM:
// the history run of the throughput benchmark overran its budget so).
func TestRunStartsInPlanOrder(t *testing.T) {
	t.Parallel()
	for _, fresh := range []bool{true, false} {
		res, f, stdout, err := runShared(t, fakeguest.Guests{}, fresh)
		if err != nil {
			t.Fatalf("fresh %v: %v\n%s", fresh, err, stdout)
		}
		index := map[string]int{}
		for _, c := range res.Cases {
			if !c.Host() {
				index[c.Variant] = len(index)
			}
		}
		f.mu.Lock()
		booted := slices.Clone(f.cfgs)
		f.mu.Unlock()
		mixed := false
		for a := range booted {
			for b := a + 1; b < len(booted); b++ {
				first, later := booted[a], booted[b]
				wa, wb := hostCores(first), hostCores(later)
				if wa+wb <= testHost.CPUs {
					continue // they fit together: either may start first
				}
				mixed = mixed || wa != wb
				if index[later.Variant.Name] < index[first.Variant.Name] {
					t.Errorf("fresh %v: %s (plan #%d, %d CPUs) booted before %s (plan #%d, %d CPUs), which cannot run beside it", fresh,
						first.Variant.Name, index[first.Variant.Name], wa, later.Variant.Name, index[later.Variant.Name], wb)
				}
			}
		}
		if !mixed {
			t.Errorf("fresh %v: no two boots of different weights that cannot run together; the test checks nothing", fresh)
		}
	}
}

// A run whose VMs take longer than the plan estimated does not start a
// variant that would end past the budget plus its grace: the variant is
// not run, with the reason, and that alone does not fail the run. Here the
// clock jumps an hour at every boot's end.
func TestRunDoesNotStartPastTheBudget(t *testing.T) {
	t.Parallel()
	for _, fresh := range []bool{true, false} {
		f := &fakeVMs{fn: fakeguest.Guests{}.Boot()}
		var mu sync.Mutex
		now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
		r := testRunner(f)
		r.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		r.BootVM = func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
			next := cfg.Next
			if next != nil {
				cfg.Next = func(res vm.Result) *vm.Config {
					mu.Lock()
					now = now.Add(time.Hour) // the test ran long
					mu.Unlock()
					return next(res)
				}
			}
			res, err := f.boot(ctx, cfg)
			if next == nil {
				mu.Lock()
				now = now.Add(time.Hour)
				mu.Unlock()
			}
			return res, err
		}
		cfg, stdout := testConfig(t, "tiny-1llc,smt-2llc")
		cfg.Plan.Count, cfg.Plan.FreshVM, cfg.Plan.Budget = 2, fresh, time.Hour
		res, err := r.Run(context.Background(), cfg)
		if err != nil {
			t.Fatalf("fresh %v: %v (variants the budget left out must not fail the run)\n%s", fresh, err, stdout)
		}
		ran, dropped := 0, 0
		for _, c := range res.Cases {
			switch {
			case c.Host():
			case c.Outcome.Ran():
				ran++
			case strings.Contains(c.Message, "past the budget 1h0m0s + 5%"):
				dropped++
			default:
				t.Errorf("fresh %v: %s not run: %s", fresh, c.Variant, c.Message)
			}
		}
		f.mu.Lock()
		tests := len(f.tests)
		f.mu.Unlock()
		if ran == 0 || dropped == 0 || tests != ran {
			t.Errorf("fresh %v: %d ran (%d tests booted), %d left out by the budget; want some of each, a test per run case", fresh, ran, tests, dropped)
		}
	}
}

// TestRunSharedEmulatorRaceBootsAgain: a test that dies of the emulator
// race in a VM booted for an earlier variant is QEMU's failure, not the
// test's: it runs again in a VM of its own and its case is that run's
// (a pass here), saying why, with the shared VM's output kept beside.
// Without the rerun the race would be reported as the variant's kernel
// panic and fail the run.
func TestRunSharedEmulatorRaceBootsAgain(t *testing.T) {
	t.Parallel()
	res, f, stdout, err := runShared(t, fakeguest.Guests{Race: "smt-2llc"}, false)
	if err != nil {
		t.Fatalf("run: %v (a race is no failure of the test)\n%s", err, stdout)
	}
	raced := 0
	for _, c := range res.Cases {
		if c.Host() {
			continue
		}
		if !c.Outcome.Passed() {
			t.Errorf("%s: %s %s, want a pass", c.Variant, c.Outcome, c.Message)
		}
		why := c.Property("retried")
		if !strings.Contains(why, "int3 oops") {
			continue
		}
		raced++
		if !strings.Contains(c.Variant, "smt-2llc") || c.Property(report.PropSharedBoot) != "" || c.Boot == 0 {
			t.Errorf("%s booted again after the race: shared-boot %q, boot %s; want a VM of its own", c.Variant, c.Property(report.PropSharedBoot), c.Boot)
		}
		kept := filepath.Join(res.Dir, LogsDir, slugify(c.Package+"."+c.Variant)+".emulator-race.out")
		if _, err := os.Stat(kept); err != nil || !strings.Contains(why, filepath.Base(kept)) {
			t.Errorf("%s: the shared VM's output %s: %v; retried says %q", c.Variant, kept, err, why)
		}
	}
	races := 0
	for _, chain := range f.chains {
		for _, l := range chain {
			if l.res.EmulatorRace {
				races++
			}
		}
	}
	if races == 0 || raced != races {
		t.Errorf("%d tests raced in shared VMs, %d cases say they were booted again", races, raced)
	}
}
