package report

import (
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func sampleResult() spec.Result {
	return spec.Result{
		Test: "TestSteady", Variant: "TestSteady/tiny-1llc/default", Outcome: spec.OutcomeFail,
		Message:  "stuck 3500ms on cpu1 at +1200ms (cg_0 worker 1, pid 42)",
		Failures: []string{"stuck 3500ms on cpu1 at +1200ms (cg_0 worker 1, pid 42)"},
		Topology: "1n1l4c1t", CPUs: 4, UsableCPUs: "0-2", Accel: "tcg", Kernel: "6.12.0",
		Scheduler: "eevdf", Flags: []string{"llc", "steal"},
		Thresholds: spec.Thresholds{MaxGap: 6 * time.Second, MaxSpread: 30, MinWorkUnits: 1, Isolation: true, Scale: 3, Basis: "tcg"},
		Scenarios: []spec.ScenarioStats{{Steps: 1, Duration: 2 * time.Second, Cgroups: []spec.CgroupStats{{
			Name: "cg_0", Work: "CpuSpin", Workers: 2, Cpuset: "0-2", CPUsUsed: "0-2",
			WorkUnits: 1000, MinWorkUnits: 400, SpreadPct: 3.25, MaxGap: 3500 * time.Millisecond, GapCPU: 1,
			GapAt: 1200 * time.Millisecond, Migrations: 7, RunDelay: 1500 * time.Microsecond,
			WakeSamples: 10, WakeP99: 250 * time.Microsecond,
		}}}},
		Elapsed: 2500 * time.Millisecond,
	}
}

func TestResultProperties(t *testing.T) {
	got := map[string]string{}
	var order []string
	for _, p := range ResultProperties(sampleResult()) {
		got[p.Name] = p.Value
		order = append(order, p.Name)
	}
	want := map[string]string{
		"gauntlet.outcome":                  "fail",
		"gauntlet.topology":                 "1n1l4c1t",
		"gauntlet.flags":                    "llc+steal",
		"gauntlet.threshold.max_gap_ms":     "6000",
		"gauntlet.threshold.max_spread_pct": "30.00",
		"gauntlet.s0.cg_0.max_gap_ms":       "3500",
		"gauntlet.s0.cg_0.gap_cpu":          "1",
		"gauntlet.s0.cg_0.spread_pct":       "3.25",
		"gauntlet.s0.cg_0.run_delay_us":     "1500",
		"gauntlet.s0.cg_0.wake_p99_us":      "250",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if order[0] != "gauntlet.outcome" {
		t.Errorf("first property %q, want gauntlet.outcome", order[0])
	}
	if _, has := got["gauntlet.message"]; has {
		t.Error("message must not be a property (it is the failure text)")
	}
}
