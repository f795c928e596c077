package report

import (
	"fmt"
	"strings"
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
	r := sampleResult()
	r.Metrics = []spec.Metric{{Name: "cyclictest.latency_max_us", Value: 1944, Unit: "us"}, {Name: "bare", Value: 0.5}}
	for _, p := range ResultProperties(r) {
		got[p.Name] = p.Value
		order = append(order, p.Name)
	}
	want := map[string]string{
		"gauntlet.outcome":                          "fail",
		"gauntlet.topology":                         "1n1l4c1t",
		"gauntlet.flags":                            "llc+steal",
		"gauntlet.threshold.max_gap_ms":             "6000",
		"gauntlet.threshold.max_spread_pct":         "30.00",
		"gauntlet.s0.cg_0.max_gap_ms":               "3500",
		"gauntlet.s0.cg_0.gap_cpu":                  "1",
		"gauntlet.s0.cg_0.spread_pct":               "3.25",
		"gauntlet.s0.cg_0.run_delay_us":             "1500",
		"gauntlet.s0.cg_0.wake_p99_us":              "250",
		"gauntlet.metric.cyclictest.latency_max_us": "1944 us",
		"gauntlet.metric.bare":                      "0.5",
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

func TestResultPropertiesSchedulerExit(t *testing.T) {
	r := sampleResult()
	r.SchedulerExit = &spec.SchedulerExit{Scheduler: "qmap", Attached: true, Kind: spec.ExitStall, KindName: "runnable_task_stall",
		Reason: "runnable task stall", Message: "sleep[136] failed to run for 7.155s", AfterAttach: 9200 * time.Millisecond,
		Victim: &spec.Task{Comm: "sleep", PID: 136, Role: spec.RoleWorker, Cgroup: "cg_0"}, Stalled: 7155 * time.Millisecond,
		Loader: "exit status 0", LastWords: "EXIT: runnable task stall (sleep[136] failed to run for 7.155s)",
		DetectedBy: spec.DetectedKmsg, DetectLatency: 3 * time.Millisecond, ReportLatency: 450 * time.Millisecond}
	r.BPFPrograms = []spec.BPFProgram{{ID: 3, Name: "qmap_init", VerifiedInsns: 40}, {ID: 4, Name: "qmap_enqueue", Type: "StructOps", VerifiedInsns: 900},
		{ID: 9, Name: "qmap_init", VerifiedInsns: 40}}
	var names []string
	got := map[string]string{}
	for _, p := range ResultProperties(r) {
		got[p.Name] = p.Value
		names = append(names, p.Name)
	}
	for k, v := range map[string]string{
		"gauntlet.scheduler_exit.kind": "1026", "gauntlet.scheduler_exit.kind_name": "runnable_task_stall",
		"gauntlet.scheduler_exit.message": "sleep[136] failed to run for 7.155s", "gauntlet.scheduler_exit.after_attach_ms": "9200",
		"gauntlet.scheduler_exit.victim": "sleep[136]", "gauntlet.scheduler_exit.victim_role": "worker",
		"gauntlet.scheduler_exit.victim_cgroup": "cg_0", "gauntlet.scheduler_exit.stalled_ms": "7155",
		"gauntlet.scheduler_exit.detected_by": "kmsg", "gauntlet.scheduler_exit.detect_latency_ms": "3",
		"gauntlet.scheduler_exit.report_latency_ms": "450",
		"gauntlet.verifier.qmap_enqueue.insns":      "900", "gauntlet.verifier.qmap_init.insns": "40", "gauntlet.verifier.qmap_init#9.insns": "40",
		"gauntlet.verifier.qmap_enqueue.type": "StructOps",
	} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, has := got["gauntlet.scheduler_exit.expected"]; has {
		t.Error("an unexpected exit says expected")
	}
	var verifier []string
	for _, n := range names {
		if strings.HasPrefix(n, "gauntlet.verifier.") && strings.HasSuffix(n, ".insns") {
			verifier = append(verifier, n)
		}
	}
	if strings.Join(verifier, " ") != "gauntlet.verifier.qmap_enqueue.insns gauntlet.verifier.qmap_init.insns gauntlet.verifier.qmap_init#9.insns" {
		t.Errorf("verifier order %v", verifier)
	}
}

// A case's metrics are the same read from its guest output and from its
// JUnit testcase.
func TestCaseMetricsSurviveJUnit(t *testing.T) {
	r := sampleResult()
	r.Metrics = []spec.Metric{{Name: "stress-ng.cpu.bogo-ops", Value: 1651, Unit: "ops"}}
	line, err := r.Line()
	if err != nil {
		t.Fatal(err)
	}
	c := Case{Package: "p", Test: "TestX", Variant: "TestX", Topology: "1n1l4c1t", Accel: "tcg", Outcome: spec.OutcomeFail, Output: []byte(line + "\n")}
	direct := CaseMetrics(c)
	back := CaseMetrics(CasesFromJUnit(JUnit([]Case{c}, "h", time.Unix(0, 0)))[0])
	if len(direct) < 2 || fmt.Sprint(direct) != fmt.Sprint(back) {
		t.Errorf("metrics from the output %v, from JUnit %v", direct, back)
	}
}
