package spec

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleResult() Result {
	return Result{
		Test: "TestSteady", Variant: "TestSteady/tiny-1llc/default", Outcome: OutcomeFail,
		Message:  "stuck 3500ms on cpu1 at +1200ms (cg_0 worker 1, pid 42)",
		Failures: []string{"stuck 3500ms on cpu1 at +1200ms (cg_0 worker 1, pid 42)"},
		Topology: "1n1l4c1t", CPUs: 4, UsableCPUs: "0-2", Accel: "tcg", Kernel: "6.12.0",
		Scheduler: "eevdf", Flags: []string{"llc", "steal"},
		Thresholds: Thresholds{MaxGap: 6 * time.Second, MaxSpread: 30, MinWorkUnits: 1, Isolation: true, Scale: 3, Basis: "tcg"},
		Scenarios: []ScenarioStats{{Steps: 1, Duration: 2 * time.Second, Cgroups: []CgroupStats{{
			Name: "cg_0", Work: "CpuSpin", Workers: 2, Cpuset: "0-2", CPUsUsed: "0-2",
			WorkUnits: 1000, MinWorkUnits: 400, SpreadPct: 3.25, MaxGap: 3500 * time.Millisecond, GapCPU: 1,
			GapAt: 1200 * time.Millisecond, Migrations: 7, RunDelay: 1500 * time.Microsecond,
			WakeSamples: 10, WakeP99: 250 * time.Microsecond,
		}}}},
		Elapsed: 2500 * time.Millisecond,
	}
}

func TestResultLineRoundTrip(t *testing.T) {
	r := sampleResult()
	line, err := r.Line()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(line, ResultPrefix) || strings.Contains(line, "\n") {
		t.Fatalf("line %q: want one line starting with %q", line, ResultPrefix)
	}
	for _, in := range []string{line, "    host.go:88: " + line, line + "\r"} {
		got, ok, err := ParseResultLine(in)
		if !ok || err != nil {
			t.Fatalf("parse %q: ok %v err %v", in, ok, err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, r)
		}
	}
}

func TestParseResultLineRejects(t *testing.T) {
	if _, ok, err := ParseResultLine("=== RUN   TestSteady"); ok || err != nil {
		t.Errorf("plain line: ok %v err %v", ok, err)
	}
	if _, ok, err := ParseResultLine(ResultPrefix + "{not json"); !ok || err == nil {
		t.Errorf("bad json: ok %v err %v", ok, err)
	}
}
