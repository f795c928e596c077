package main

import (
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestMetricsOfPlantedCgroupOnly(t *testing.T) {
	r := fromResult(spec.Result{Test: "TestPlantStop/x", CPUs: 2, Scenarios: []spec.ScenarioStats{{Cgroups: []spec.CgroupStats{
		{Name: "stop", MaxGap: 2 * time.Second, MaxOffGap: 1900 * time.Millisecond},
		{Name: "cg_0", MaxGap: 5 * time.Second, SpreadPct: 50},
	}}}})
	m := r.metrics()
	if r.test != "TestPlantStop" || m.gap != 2*time.Second || m.off != 1900*time.Millisecond || m.spread != 0 {
		t.Errorf("test %q metrics %+v, want the stop cgroup's only", r.test, m)
	}
	if !(run{failures: []string{"stuck 2100ms on cpu0"}}).detected([]string{"stuck"}) {
		t.Error("stuck failure not detected")
	}
}

func TestDist(t *testing.T) {
	if got := dist([]float64{3, 1, 2}); got != "1/2/3" {
		t.Errorf("dist = %q", got)
	}
}
