package guest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

var testThresholds = spec.Thresholds{MaxGap: 2 * time.Second, MaxSpread: 15, MaxRunDelay: 500 * time.Millisecond, MinWorkUnits: 1, Isolation: true, Scale: 1, Basis: "test"}

func TestChecksFindEachFailure(t *testing.T) {
	got := checkWorkers(testThresholds, sampleWorkers())
	want := []string{
		"stuck 3500ms on cpu1 at +1200ms (cg_0 worker 0 (pid 40); limit 2000ms)",
		"cg_0 worker 2 (pid 42) died before it reported: died before it was stopped, killed by signal killed",
		"starved: cg_1 worker 0 (pid 43) did 0 work units in 2000ms (at least 1 wanted)",
		"isolation: cg_1 worker 0 (pid 43) ran on cpu 2 outside its cpuset 1",
		"unfair: cg_0 off-cpu spread 40.0% above 15.0% (worker 0 10.0%, worker 1 50.0%)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRunDelayCheck: a worker that waited runnable longer than the
// limit at a stretch fails the stuck check by its run delay, even when
// its progress gap stayed inside the gap limit; a limit of zero (no
// schedstat) checks nothing, and a gap-exempt worker is not checked.
func TestRunDelayCheck(t *testing.T) {
	th := testThresholds
	th.MaxRunDelay = 500 * time.Millisecond
	w := sampleWorkers()[1]
	w.Report.DelayGap, w.Report.DelayGapAt = 950*time.Millisecond, 1300*time.Millisecond
	want := "stuck 950ms waiting to run at +1300ms (" + w.name() + ", run delay; limit 500ms)"
	if got := checkWorker(th, w); !slices.Contains(got, want) {
		t.Errorf("failures %q, want %q", got, want)
	}
	w.Report.DelayGap = 400 * time.Millisecond
	off := th
	off.MaxRunDelay = 0
	for name, c := range map[string]struct {
		th spec.Thresholds
		w  workerResult
	}{"within the limit": {th, w}, "no limit": {off, func() workerResult { x := w; r := *x.Report; r.DelayGap = time.Second; x.Report = &r; return x }()}} {
		for _, f := range checkWorker(c.th, c.w) {
			if strings.Contains(f, "waiting to run") {
				t.Errorf("%s: %s", name, f)
			}
		}
	}
	ex := sampleWorkers()[1]
	ex.GapExempt = true
	ex.Report.DelayGap = time.Second
	for _, f := range checkWorker(th, ex) {
		if strings.Contains(f, "waiting to run") {
			t.Errorf("gap-exempt worker checked: %s", f)
		}
	}
}

func TestChecksPassWithinThresholds(t *testing.T) {
	th := testThresholds
	th.MaxGap, th.MaxSpread, th.Isolation = 5*time.Second, 50, false
	ws := sampleWorkers()[:2]
	if got := checkWorkers(th, ws); len(got) != 0 {
		t.Errorf("failures %v, want none", got)
	}
}

func TestIsolationTransitionEpochAllowsBothSets(t *testing.T) {
	w := sampleWorkers()[3]
	w.Report.Epochs = []epochCPUs{{0, topo.NewCPUSet(2)}, {3, topo.NewCPUSet(1, 2)}, {4, topo.NewCPUSet(1)}}
	if got := checkIsolation(w); len(got) != 0 {
		t.Errorf("moving between cpusets during the transition epoch flagged: %v", got)
	}
}

func TestUnsettledWorkersAreNotComparedForFairness(t *testing.T) {
	ws := sampleWorkers()[:2]
	ws[1].Report.Settled = false
	if got := checkFairness(testThresholds, ws); len(got) != 0 {
		t.Errorf("a worker without a steady state was compared: %v", got)
	}
}

func TestGapExemptWorkers(t *testing.T) {
	ws := sampleWorkers()[:1]
	ws[0].GapExempt = true
	for _, f := range checkWorkers(testThresholds, ws) {
		if strings.HasPrefix(f, "stuck") {
			t.Errorf("SCHED_IDLE worker checked for gaps: %s", f)
		}
	}
}

func TestCheckErrorGolden(t *testing.T) {
	ws := sampleWorkers()
	e := &CheckError{
		Failures:   checkWorkers(testThresholds, ws),
		Thresholds: testThresholds,
		Stats:      cgroupStats(ws, map[string]topo.CPUSet{"cg_0": topo.CPURange(0, 2), "cg_1": topo.NewCPUSet(1)}),
	}
	golden(t, "check_error.golden", e.Error()+"\n")
}

// TestInconclusiveNamesOnlyAppliedRelaxedChecks: a pass is inconclusive
// for the checks it applied with limits past their bounds, and only for
// those: a scenario without fair cgroups says nothing of the spread, and
// limits the test set are its own.
func TestInconclusiveNamesOnlyAppliedRelaxedChecks(t *testing.T) {
	tcg := effectiveThresholds(spec.Checks{}, machine{Accel: "tcg", VCPUs: 2, Parallelism: 2, Stall: 5 * time.Millisecond})
	kvm := effectiveThresholds(spec.Checks{}, machine{Accel: "kvm", VCPUs: 4, Parallelism: 4})
	own := effectiveThresholds(spec.Checks{MaxGap: 6 * time.Second, MaxSpread: 60}, machine{Accel: "tcg", VCPUs: 2, Parallelism: 2})
	if !own.GapSetByTest || !own.SpreadSetByTest || tcg.GapSetByTest || tcg.SpreadSetByTest {
		t.Fatalf("set-by-test marks: own %+v, defaults %+v", own, tcg)
	}
	fair := sampleWorkers()[:2]
	lone := sampleWorkers()[:1]
	exempt := sampleWorkers()[:1]
	exempt[0].GapExempt = true
	for _, tc := range []struct {
		name string
		th   spec.Thresholds
		ws   []workerResult
		want string
	}{
		{"tcg, two fair workers", tcg, fair, "max-gap 6000ms > 3000ms, max-run-delay 1500ms > 750ms, max-spread 60.0% > 35.0%"},
		{"tcg, one worker", tcg, lone, "max-gap 6000ms > 3000ms, max-run-delay 1500ms > 750ms"},
		{"tcg, gap-exempt worker", tcg, exempt, ""},
		{"kvm, no oversubscription", kvm, fair, ""},
		{"limits set by the test", own, fair, ""},
	} {
		got := strings.Join(tc.th.Relaxed(appliedChecks(tc.ws)), ", ")
		if got != tc.want {
			t.Errorf("%s: relaxed %q, want %q", tc.name, got, tc.want)
		}
	}
	scs := []spec.ScenarioStats{{Relaxed: []string{"max-gap 6000ms > 3000ms"}}, {Relaxed: []string{"max-gap 6000ms > 3000ms", "max-spread 60.0% > 35.0%"}}}
	got := inconclusive(scs, tcg)
	if !strings.HasPrefix(got, "limits relaxed past their bounds: max-gap 6000ms > 3000ms, max-spread 60.0% > 35.0% (tcg, 2 usable vcpus") {
		t.Errorf("inconclusive = %q", got)
	}
	if got := inconclusive([]spec.ScenarioStats{{}}, kvm); got != "" {
		t.Errorf("conclusive scenarios gave %q", got)
	}
}

// Workers are compared for fairness only under policies that owe them
// equal shares: neither real-time nor SCHED_IDLE ones.
func TestFairSharePolicies(t *testing.T) {
	for _, tc := range []struct {
		p    PolicySpec
		want bool
	}{
		{PolicySpec{}, true},
		{PolicySpec{Policy: SchedBatch}, true},
		{PolicySpec{Policy: SchedIdle}, false},
		{PolicySpec{Policy: SchedFIFO, Prio: 1}, false},
		{PolicySpec{Policy: SchedRR, Prio: 1}, false},
	} {
		if got := tc.p.fairShare(); got != tc.want {
			t.Errorf("%s: fairShare %v, want %v", tc.p, got, tc.want)
		}
	}
}

// TestStarvationUnderRelaxedGap: a worker that did no work fails the
// starvation check at the bare-metal limits and at a test's own gap,
// but not when its whole run is within a default gap limit scaled past
// its bound (the verdict is inconclusive then), nor does one whose run
// was longer than that limit escape.
func TestStarvationUnderRelaxedGap(t *testing.T) {
	w := sampleWorkers()[3] // cg_1 worker 0: 0 work units in 2000ms
	starved := func(th spec.Thresholds) bool {
		for _, f := range checkWorker(th, w) {
			if strings.HasPrefix(f, "starved: ") {
				return true
			}
		}
		return false
	}
	relaxed := testThresholds
	relaxed.MaxGap = 19940 * time.Millisecond
	own := relaxed
	own.GapSetByTest = true
	if !starved(testThresholds) || !starved(own) || starved(relaxed) {
		t.Errorf("starved at the bare-metal limits %v, at the test's own %v, at a relaxed gap %v; want true, true, false",
			starved(testThresholds), starved(own), starved(relaxed))
	}
	long := relaxed
	long.MaxGap = 3500 * time.Millisecond
	w.Report.Wall = 4 * time.Second
	if !starved(long) {
		t.Error("a worker that did nothing for longer than the relaxed gap was excused")
	}
}
