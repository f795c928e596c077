package budget

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// run returns results of one run at the given start with one TestA
// variant per total time.
func run(id string, start int, outcome spec.Outcome, totals ...float64) *Results {
	r := &Results{Version: 1, RunID: id, Started: time.Unix(int64(start), 0), Host: Host{CPUs: 2}, Accel: spec.AccelTCG}
	for _, s := range totals {
		r.Variants = append(r.Variants, VariantResult{Package: "p", Test: "TestA", Variant: "TestA", Topology: flat(2), VCPUs: 2,
			Accel: spec.AccelTCG, BootS: 5, TestS: s - 6, TotalS: s, Outcome: outcome})
	}
	return r
}

func TestHistoryMedian(t *testing.T) {
	c := Candidate{Package: "p", Test: "TestA", Variant: "TestA", Topology: flat(2)}
	cases := []struct {
		name string
		runs []*Results
		want time.Duration // total
		n    int
	}{
		{"one", []*Results{run("a", 1, spec.OutcomePass, 10)}, 10 * time.Second, 1},
		{"odd count: the middle", []*Results{run("a", 1, spec.OutcomePass, 10, 100, 12)}, 12 * time.Second, 3},
		{"even count: mean of the middle two", []*Results{run("a", 1, spec.OutcomePass, 10, 14), run("b", 2, spec.OutcomeFail, 11, 99)}, 12500 * time.Millisecond, 4},
		{"crashes and timeouts do not count", []*Results{run("a", 1, spec.OutcomePass, 10), run("b", 2, spec.OutcomeTimeout, 60), run("c", 3, spec.OutcomeCrash, 1)}, 10 * time.Second, 1},
		{"only the newest 5", []*Results{
			run("new", 9, spec.OutcomePass, 20, 20, 20), run("old", 1, spec.OutcomePass, 10, 10, 10, 10, 10), nil,
		}, 20 * time.Second, 5},
	}
	for _, c2 := range cases {
		t.Run(c2.name, func(t *testing.T) {
			got := EstimateCost(c, Host{CPUs: 2}, NewHistory(c2.runs...))
			if got.Total() != c2.want || got.Runs != c2.n || got.Source != SourceHistory {
				t.Errorf("got %+v (total %s); want total %s of %d runs from history", got, got.Total(), c2.want, c2.n)
			}
		})
	}
}

func TestHistoryEmpty(t *testing.T) {
	var h *History
	if h.Len() != 0 || NewHistory().Len() != 0 || NewHistory(run("a", 1, spec.OutcomeSkip, 3)).Len() != 0 {
		t.Errorf("empty histories are not empty")
	}
	c := Candidate{Package: "p", Test: "TestA", Variant: "TestA", Topology: flat(2)}
	if got := EstimateCost(c, Host{CPUs: 2}, nil); got.Source != SourceModel {
		t.Errorf("nil history: %+v", got)
	}
	if n := NewHistory(run("a", 1, spec.OutcomePass, 7)).Len(); n != 1 {
		t.Errorf("Len = %d, want 1", n)
	}
}

func ExampleNewHistory() {
	h := NewHistory(run("a", 1, spec.OutcomePass, 9, 30, 10))
	c := Candidate{Package: "p", Test: "TestA", Variant: "TestA", Topology: flat(2)}
	cost := EstimateCost(c, Host{CPUs: 2, Accel: spec.AccelTCG}, h)
	fmt.Println(cost.Total(), cost.Source, cost.Runs)
	// Output: 10s history 3
}

// A retried variant is one sample of its last attempt: its failed
// attempts (which booted too) neither add samples nor add their time.
func TestHistoryRetriedVariantCountsOnce(t *testing.T) {
	r := run("a", 1, spec.OutcomePass, 10)
	r.Variants[0].Flaky = true
	r.Variants[0].Attempts = []Attempt{{Outcome: spec.OutcomeFail, BootS: 5, TestS: 40, TotalS: 50}, {Outcome: spec.OutcomeTimeout, BootS: 5, TestS: 90, TotalS: 100}}
	var buf bytes.Buffer
	if err := WriteResults(&buf, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResults(&buf, "results.json")
	if err != nil {
		t.Fatal(err)
	}
	if v := back.Variants[0]; !v.Flaky || len(v.Attempts) != 2 || v.Attempts[1].Outcome != spec.OutcomeTimeout {
		t.Fatalf("read back %+v, want the flag and both attempts", v)
	}
	c := Candidate{Package: "p", Test: "TestA", Variant: "TestA", Topology: flat(2)}
	if got := EstimateCost(c, Host{CPUs: 2}, NewHistory(back)); got.Total() != 10*time.Second || got.Runs != 1 {
		t.Errorf("estimate %+v (total %s) of %d runs, want 10s of 1 run: the last attempt only", got, got.Total(), got.Runs)
	}
	back.Variants[0].Attempts[0].TotalS = -1
	if err := back.Validate(); err == nil || !strings.Contains(err.Error(), "attempt 1: total_s is -1") {
		t.Errorf("bad attempt: %v", err)
	}
}

// History learns per kernel: a variant's cost on a kernel comes from the
// runs on that kernel (named with it or not), and on a kernel never
// measured from the runs on every kernel.
func TestHistoryPerKernel(t *testing.T) {
	r := run("two-kernels", 1, spec.OutcomePass, 10, 20)
	r.Variants[0].Variant, r.Variants[0].KernelLabel = "TestA/6.1", "6.1"
	r.Variants[1].Variant, r.Variants[1].KernelLabel = "TestA/6.12", "6.12"
	old := run("no-labels", 0, spec.OutcomePass, 30)
	h := NewHistory(r, old)
	for _, tt := range []struct {
		variant, kernel string
		want            time.Duration
	}{
		{"TestA/6.12", "6.12", 20 * time.Second},
		{"TestA", "6.12", 20 * time.Second}, // a plan with this kernel alone
		{"TestA/6.1", "6.1", 10 * time.Second},
		{"TestA/6.13", "6.13", 20 * time.Second}, // every kernel: median of 10, 20, 30
		{"TestA", "", 30 * time.Second},          // runs without a label
	} {
		c := Candidate{Package: "p", Test: "TestA", Variant: tt.variant, Kernel: tt.kernel, Topology: flat(2)}
		if got := EstimateCost(c, Host{CPUs: 2}, h); got.Total() != tt.want || got.Source != SourceHistory {
			t.Errorf("%s on %q: %+v (total %s), want %s from history", tt.variant, tt.kernel, got, got.Total(), tt.want)
		}
	}
	if h.Len() != 1 {
		t.Errorf("Len = %d, want 1 (TestA on every kernel is one variant)", h.Len())
	}
}

// A run that shared a boot counts for the test time only: the boot comes
// from the runs that booted, or from the cost model when none did.
func TestHistorySharedBoots(t *testing.T) {
	c := Candidate{Package: "p", Test: "TestA", Variant: "TestA", Topology: flat(2)}
	h := Host{CPUs: 2}
	shared := func(id string, start int, test float64) *Results {
		r := run(id, start, spec.OutcomePass, test+1)
		v := &r.Variants[0]
		v.BootS, v.TestS, v.SharedBoot = 0, test, "vm-1" // teardown 1 s
		return r
	}
	model := EstimateCost(c, h, nil)
	got := EstimateCost(c, h, NewHistory(shared("a", 1, 3), shared("b", 2, 4), shared("c", 3, 5)))
	if got.Boot != model.Boot || got.Test != 4*time.Second || got.Teardown != time.Second || got.Runs != 3 || got.Source != SourceHistory {
		t.Errorf("only shared runs: %+v; want the model's boot %s, the median test 4s and teardown 1s of 3 runs", got, model.Boot)
	}
	// Booted runs: boot 5 s, test total-6 (run's shape); with shared ones
	// the fresh cost is the booted run's, the shared test the median of
	// the shared ones.
	got = EstimateCost(c, h, NewHistory(run("a", 1, spec.OutcomePass, 16), shared("b", 2, 3), shared("c", 3, 4)))
	if got.Boot != 5*time.Second || got.Test != 10*time.Second || got.Teardown != time.Second || got.Runs != 3 ||
		got.Total() != 16*time.Second || got.Shared() != 4500*time.Millisecond {
		t.Errorf("mixed runs: %+v; want the booted run's boot 5s, test 10s, teardown 1s (16s fresh), and the shared runs' median test 3.5s (4.5s shared) of 3 runs", got)
	}
}

// freshRun and sharedRun return one run of variant TestA as the runner
// records it (no teardown apart: the test time runs to the VM run's
// end): in a VM it booted, or in one another variant booted.
func freshRun(id string, start int, boot, test float64) *Results {
	r := run(id, start, spec.OutcomePass, 0)
	v := &r.Variants[0]
	v.BootS, v.TestS, v.TotalS = boot, test, boot+test
	return r
}

func sharedRun(id string, start int, test float64) *Results {
	r := freshRun(id, start, 0, test)
	r.Variants[0].SharedBoot = "vm-1"
	return r
}

// A variant's runs in a fresh VM and in a shared one give apart its
// fresh cost (Total) and its shared one (Shared): the first test of a
// fresh VM runs 0.4-2 s slower, and one median over both kinds
// underestimated fresh runs and overestimated shared ones. The same holds
// for the estimate of another profile at the topology.
func TestHistoryFreshAndSharedTestTimes(t *testing.T) {
	h := Host{CPUs: 2}
	hist := NewHistory(freshRun("a", 1, 5, 6), sharedRun("b", 2, 4), freshRun("c", 3, 5, 7), sharedRun("d", 4, 4.4))
	for _, tt := range []struct {
		variant string
		src     CostSource
	}{{"TestA", SourceHistory}, {"TestA/tiny-1llc/llc", SourceHistoryTopology}} {
		c := Candidate{Package: "p", Test: "TestA", Variant: tt.variant, Topology: flat(2)}
		got := EstimateCost(c, h, hist)
		// Fresh: the median of 11 s and 12 s; shared: of 4 s and 4.4 s.
		if got.Boot != 5*time.Second || got.Test != 6500*time.Millisecond || got.Total() != 11500*time.Millisecond ||
			got.Shared() != 4200*time.Millisecond || got.Runs != 4 || got.Source != tt.src {
			t.Errorf("%s: %+v (total %s, shared %s); want boot 5s + test 6.5s = 11.5s fresh, 4.2s shared, of 4 runs from %s",
				tt.variant, got, got.Total(), got.Shared(), tt.src)
		}
	}
}

// Each kind falls back to the other when a variant has none of it: a
// variant measured only fresh runs its fresh test shared, one measured
// only shared takes its shared test for a fresh VM too (and the boot
// another test of the package measured at its topology, else the
// model's); without runs of the variant or its test at the topology, the
// model's.
func TestHistorySharedTestFallback(t *testing.T) {
	h := Host{CPUs: 2}
	c := Candidate{Package: "p", Test: "TestA", Variant: "TestA", Topology: flat(2)}
	model := modelCost(&c, h)

	got := EstimateCost(c, h, NewHistory(freshRun("a", 1, 5, 6), freshRun("b", 2, 5, 8)))
	if got.Total() != 12*time.Second || got.Shared() != 7*time.Second {
		t.Errorf("fresh runs only: %+v (total %s, shared %s); want 12s fresh, the same 7s test shared", got, got.Total(), got.Shared())
	}

	got = EstimateCost(c, h, NewHistory(sharedRun("a", 1, 3), sharedRun("b", 2, 4), sharedRun("c", 3, 5)))
	if got.Boot != model.Boot || got.Test != 4*time.Second || got.Shared() != 4*time.Second || got.Total() != model.Boot+4*time.Second {
		t.Errorf("shared runs only: %+v (total %s, shared %s); want the model's boot %s and the shared test 4s both ways",
			got, got.Total(), got.Shared(), model.Boot)
	}

	other := freshRun("o", 4, 9, 2) // TestB booted TestA's VM
	other.Variants[0].Test, other.Variants[0].Variant = "TestB", "TestB"
	got = EstimateCost(c, h, NewHistory(sharedRun("a", 1, 3), other))
	if got.Boot != 9*time.Second || got.Test != 3*time.Second || got.Shared() != 3*time.Second || got.Source != SourceHistory {
		t.Errorf("shared runs only, another test booted the VM: %+v; want TestB's boot 9s and the shared test 3s both ways", got)
	}

	c.Test, c.Variant = "TestC", "TestC"
	if got := EstimateCost(c, h, NewHistory(freshRun("a", 1, 5, 6), sharedRun("b", 2, 4))); got != modelCost(&c, h) || got.Shared() != got.Test+got.Teardown {
		t.Errorf("no runs of the test: %+v; want the model's %+v", got, modelCost(&c, h))
	}
}

// A run with no boot measured did not boot a VM, whether or not its file
// names the VM it shared: it gives the shared test and no boot. Files
// from before boot sharing (no shared_boot, every run booted) read as
// fresh runs.
func TestHistoryUnmarkedRuns(t *testing.T) {
	h := Host{CPUs: 2}
	c := Candidate{Package: "p", Test: "TestA", Variant: "TestA", Topology: flat(2)}
	unmarked := freshRun("b", 2, 0, 4) // boot 0, no shared_boot
	got := EstimateCost(c, h, NewHistory(freshRun("a", 1, 5, 6), unmarked))
	if got.Boot != 5*time.Second || got.Total() != 11*time.Second || got.Shared() != 4*time.Second {
		t.Errorf("a run without boot: %+v (total %s, shared %s); want the booted run's 11s fresh and 4s shared", got, got.Total(), got.Shared())
	}

	old := `{"version": 1, "run_id": "old", "started": "2024-01-02T03:04:05Z", "host": {"cpus": 2}, "accel": "tcg", "variants": [
	  {"package": "p", "test": "TestA", "variant": "TestA", "topology": "1n1l2c1t", "vcpus": 2, "accel": "tcg",
	   "boot_s": 5, "test_s": 6, "total_s": 11, "outcome": "pass"},
	  {"package": "p", "test": "TestA", "variant": "TestA/tiny-1llc/llc", "topology": "1n1l2c1t", "vcpus": 2, "accel": "tcg",
	   "boot_s": 4, "test_s": 3, "total_s": 7, "outcome": "pass"}]}`
	res, err := ReadResults(strings.NewReader(old), "old/results.json")
	if err != nil {
		t.Fatal(err)
	}
	got = EstimateCost(c, h, NewHistory(res))
	if got.Boot != 5*time.Second || got.Total() != 11*time.Second || got.Shared() != 6*time.Second {
		t.Errorf("a file from before boot sharing: %+v (total %s, shared %s); want the fresh run's 11s, its test 6s shared", got, got.Total(), got.Shared())
	}
}

// A variant whose every run shared a boot takes, when the plan boots it,
// the boot measured for another test of its package at its topology (the
// same VM: one test binary), not the cost model's guess: in the
// throughput benchmark TestSteady/smt-3llc ran shared cold, and booted
// for itself with history in 8.3 s where the model said 5.9 s, as the
// variants that had booted that VM (7.6-11.9 s) showed.
func TestHistorySharedBootsOtherTestsBoot(t *testing.T) {
	h := Host{CPUs: 2}
	r := run("a", 1, spec.OutcomePass, 8, 20)
	a, b := &r.Variants[0], &r.Variants[1]
	a.BootS, a.TestS, a.TotalS, a.SharedBoot = 0, 3, 3, "vm-1"
	b.Test, b.Variant, b.BootS, b.TestS, b.TotalS = "TestB", "TestB", 9, 11, 20
	other := *b // another topology: says nothing of TestA's VM
	other.Topology, other.VCPUs, other.Variant, other.BootS = flat(4), 4, "TestB/four", 30
	r.Variants = append(r.Variants, other)
	hist := NewHistory(r)

	c := Candidate{Package: "p", Test: "TestA", Variant: "TestA", Topology: flat(2)}
	got := EstimateCost(c, h, hist)
	if got.Boot != 9*time.Second || got.Test != 3*time.Second || got.Source != SourceHistory {
		t.Errorf("TestA: %+v; want TestB's boot of the same VM 9s and its own test 3s from history", got)
	}
	c.Package = "q" // another test binary: no measured boot, the model's
	if got, model := EstimateCost(c, h, hist), modelCost(&c, h); got.Source != SourceModel || got.Boot != model.Boot {
		t.Errorf("other package: %+v; want the model's %+v", got, model)
	}
}
