package guest

import (
	"math"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestOffCPUPct(t *testing.T) {
	full := &workerReport{Wall: time.Second, CPUTime: 250 * time.Millisecond}
	if got := offCPUPct(full); got != 75 {
		t.Errorf("whole run: %v, want 75", got)
	}
	settled := &workerReport{Wall: time.Second, CPUTime: 900 * time.Millisecond, Settled: true, SettledWall: 400 * time.Millisecond, SettledCPU: 100 * time.Millisecond}
	if got := offCPUPct(settled); got != 75 {
		t.Errorf("steady state: %v, want 75 (over the settled window only)", got)
	}
	over := &workerReport{Wall: time.Second, CPUTime: 2 * time.Second}
	if got := offCPUPct(over); got != 0 {
		t.Errorf("cpu above wall: %v, want 0", got)
	}
	if offCPUPct(nil) != 0 || offCPUPct(&workerReport{}) != 0 {
		t.Error("empty reports must give 0")
	}
}

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 100; i >= 1; i-- {
		s = append(s, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{50: 50, 99: 99, 100: 100, 0: 1, 1: 1} {
		if got := percentile(s, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if s[0] != 100 {
		t.Error("percentile sorted its input")
	}
	if percentile(nil, 50) != 0 {
		t.Error("no samples must give 0")
	}
}

func TestSpread(t *testing.T) {
	s, lo, hi := spread([]float64{40, 10, 55.5, 30})
	if math.Abs(s-45.5) > 1e-9 || lo != 1 || hi != 2 {
		t.Errorf("spread = %v (%d, %d), want 45.5 (1, 2)", s, lo, hi)
	}
	if s, _, _ := spread([]float64{3}); s != 0 {
		t.Errorf("one value: %v", s)
	}
}

func TestCgroupStatsMath(t *testing.T) {
	ws := sampleWorkers()
	cs := cgroupStats(ws, map[string]topo.CPUSet{"cg_0": topo.CPURange(0, 2), "cg_1": topo.NewCPUSet(2)})
	if len(cs) != 2 || cs[0].Name != "cg_0" || cs[1].Name != "cg_1" {
		t.Fatalf("cgroups %+v", cs)
	}
	a := cs[0]
	if a.Workers != 2 || a.Killed != 1 || a.WorkUnits != 1500 || a.MinWorkUnits != 500 || a.Migrations != 5 {
		t.Errorf("cg_0 counts: %+v", a)
	}
	if a.MaxGap != 3500*time.Millisecond || a.GapCPU != 1 || a.GapAt != 1200*time.Millisecond {
		t.Errorf("cg_0 gap: %v on cpu%d at %v; want 3.5s on cpu1 at 1.2s (worker offset + gap time)", a.MaxGap, a.GapCPU, a.GapAt)
	}
	if a.SpreadPct != 40 || a.CPUsUsed != "0-1" || a.Cpuset != "0-1" || a.RunDelay != 15*time.Millisecond {
		t.Errorf("cg_0 spread %v used %s cpuset %s delay %v", a.SpreadPct, a.CPUsUsed, a.Cpuset, a.RunDelay)
	}
	b := cs[1]
	if b.WakeSamples != 4 || b.WakeP50 != 2*time.Millisecond || b.WakeP99 != 4*time.Millisecond || b.WakeMax != 9*time.Millisecond {
		t.Errorf("cg_1 wake: %+v", b)
	}
}

// sampleWorkers are three cg_0 workers (one died) and one cg_1 worker.
func sampleWorkers() []workerResult {
	span := []allowedSpan{{0, topo.CPURange(0, 2)}}
	return []workerResult{
		{Cgroup: "cg_0", Index: 0, PID: 40, Work: cpuSpin, Fair: true, Spans: span, Offset: 200 * time.Millisecond,
			Report: &workerReport{WorkUnits: 1000, Wall: 2 * time.Second, CPUTime: 1800 * time.Millisecond, Settled: true,
				SettledWall: time.Second, SettledCPU: 900 * time.Millisecond, RunDelay: 10 * time.Millisecond,
				MaxGap: 3500 * time.Millisecond, GapAt: time.Second, GapCPU: 1, Migrations: 2, CPUs: topo.NewCPUSet(0, 1),
				Epochs: []epochCPUs{{0, topo.NewCPUSet(0, 1)}}}},
		{Cgroup: "cg_0", Index: 1, PID: 41, Work: cpuSpin, Fair: true, Spans: span,
			Report: &workerReport{WorkUnits: 500, Wall: 2 * time.Second, CPUTime: 1000 * time.Millisecond, Settled: true,
				SettledWall: time.Second, SettledCPU: 500 * time.Millisecond, RunDelay: 20 * time.Millisecond,
				MaxGap: 40 * time.Millisecond, GapAt: 300 * time.Millisecond, GapCPU: 0, Migrations: 3, CPUs: topo.NewCPUSet(0),
				Epochs: []epochCPUs{{0, topo.NewCPUSet(0)}}}},
		{Cgroup: "cg_0", Index: 2, PID: 42, Work: cpuSpin, Spans: span, Failure: "died before it was stopped, killed by signal killed"},
		{Cgroup: "cg_1", Index: 0, PID: 43, Work: bursty(time.Millisecond, time.Millisecond), Fair: true,
			Spans: []allowedSpan{{0, topo.NewCPUSet(2)}, {3, topo.NewCPUSet(1, 2)}, {4, topo.NewCPUSet(1)}},
			Report: &workerReport{WorkUnits: 0, Wall: 2 * time.Second, CPUTime: time.Second, CPUs: topo.NewCPUSet(1, 2),
				Epochs:    []epochCPUs{{0, topo.NewCPUSet(2)}, {3, topo.NewCPUSet(2)}, {4, topo.NewCPUSet(1, 2)}},
				Wake:      []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond},
				WakeCount: 4, WakeMax: 9 * time.Millisecond}},
	}
}

func TestDelayPctAndRateSpread(t *testing.T) {
	r := &workerReport{Settled: true, SettledWall: time.Second, SettledDelay: 250 * time.Millisecond}
	if got := delayPct(r); got != 25 {
		t.Errorf("delayPct = %v, want 25", got)
	}
	if got := delayPct(&workerReport{}); got != 0 {
		t.Errorf("delayPct without steady state = %v, want 0", got)
	}
	if got := rateSpread([]float64{100, 75, 50}); got != 50 {
		t.Errorf("rateSpread = %v, want 50", got)
	}
	if got := rateSpread([]float64{100}); got != 0 {
		t.Errorf("rateSpread of one = %v, want 0", got)
	}
}
