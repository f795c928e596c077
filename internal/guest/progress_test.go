package guest

import (
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

const msNS = int64(time.Millisecond)

func TestProgressGapsAndMigrations(t *testing.T) {
	p := newProgress()
	p.checkpoint(1*msNS, 0, 0, 0)
	p.checkpoint(2*msNS, 0, 0, 0)
	p.checkpoint(40*msNS, 1, 0, 0) // 38ms gap, last seen on cpu0
	p.checkpoint(141*msNS, 1, 0, 100*msNS)
	p.finish(145*msNS, 0)
	if p.units != 4 || p.maxGap != 38*msNS || p.gapAt != 2*msNS || p.gapCPU != 0 {
		t.Errorf("units %d gap %d at %d cpu %d; want 4 units, 38ms gap at 2ms on cpu0", p.units, p.maxGap/msNS, p.gapAt/msNS, p.gapCPU)
	}
	if p.migrations != 1 || p.cpus != topo.NewCPUSet(0, 1) {
		t.Errorf("migrations %d cpus %s", p.migrations, p.cpus)
	}
}

func TestProgressFinishCountsTrailingGap(t *testing.T) {
	p := newProgress()
	p.checkpoint(msNS, 2, 0, 0)
	p.finish(500*msNS, 0)
	if p.maxGap != 499*msNS || p.gapCPU != 2 {
		t.Errorf("trailing gap %dms on cpu%d, want 499ms on cpu2", p.maxGap/msNS, p.gapCPU)
	}
}

func TestProgressEpochs(t *testing.T) {
	p := newProgress()
	p.checkpoint(1, 0, 0, 0)
	p.checkpoint(2, 1, 0, 0)
	p.checkpoint(3, 2, 2, 0)
	p.checkpoint(4, 3, 3, 0)
	p.checkpoint(5, 3, 3, 0)
	p.finish(6, 0)
	want := []epochCPUs{{0, topo.NewCPUSet(0, 1)}, {2, topo.NewCPUSet(2)}, {3, topo.NewCPUSet(3)}}
	if len(p.epochs) != len(want) {
		t.Fatalf("epochs %v, want %v", p.epochs, want)
	}
	for i := range want {
		if p.epochs[i] != want[i] {
			t.Errorf("epoch %d: %v, want %v", i, p.epochs[i], want[i])
		}
	}
}

func TestSamplerKeepsBoundedUniformSample(t *testing.T) {
	var s sampler
	n := 10 * maxWakeSamples
	for i := 1; i <= n; i++ {
		s.add(time.Duration(i))
	}
	s.add(-5)
	if s.count != n+1 || s.max != time.Duration(n) || len(s.samples) != maxWakeSamples {
		t.Fatalf("count %d max %v kept %d", s.count, s.max, len(s.samples))
	}
	var late int
	for _, d := range s.samples {
		if d > time.Duration(n/2) {
			late++
		}
	}
	// A uniform sample holds about half of its values from the second
	// half of the stream; keeping only the first samples would give none.
	if late < maxWakeSamples/4 || late > 3*maxWakeSamples/4 {
		t.Errorf("%d of %d kept samples from the second half; want about half", late, maxWakeSamples)
	}
}

// TestObserveTiesCPUToOneEpoch replays the race CI hit: the harness swaps
// a cpuset (bumping the epoch) between the worker's epoch read and its CPU
// read. observe must not pair the old epoch with the new CPU.
func TestObserveTiesCPUToOneEpoch(t *testing.T) {
	var ep uint64 = 4
	reads := 0
	// The epoch moves on during the first CPU read only.
	cpu := func() int {
		reads++
		if reads == 1 {
			ep += 2
		}
		return 1
	}
	got, c := observe(func() uint64 { return ep }, cpu)
	if got != 6 || c != 1 || reads != 2 {
		t.Errorf("observe = epoch %d cpu %d after %d reads; want epoch 6 cpu 1 after 2 reads", got, c, reads)
	}

	// An epoch that never holds still gives noEpoch, and the CPU then
	// counts for migrations but not for isolation.
	moving := func() uint64 { ep++; return ep }
	got, c = observe(moving, func() int { return 1 })
	if got != noEpoch || c != 1 {
		t.Errorf("observe under constant change = epoch %d cpu %d; want noEpoch cpu 1", got, c)
	}
	p := newProgress()
	p.checkpoint(1, 0, 0, 0)
	p.checkpoint(2, 1, noEpoch, 0)
	p.finish(3, 0)
	if p.migrations != 1 || p.cpus != topo.NewCPUSet(0, 1) {
		t.Errorf("migrations %d cpus %s; want 1 and 0-1", p.migrations, p.cpus)
	}
	if len(p.epochs) != 1 || p.epochs[0] != (epochCPUs{0, topo.NewCPUSet(0)}) {
		t.Errorf("epochs %v; want only epoch 0 on cpu 0", p.epochs)
	}
}

func TestSchedGapsOffAndDelay(t *testing.T) {
	var g schedGaps
	if !g.due(0) {
		t.Fatal("first sample not due")
	}
	g.sample(0, 0, 0)
	if g.due(msNS) {
		t.Error("sample due 1ms after the last")
	}
	// 10ms wall, 10ms charged: no gap.
	g.sample(10*msNS, 10*msNS, 0)
	// 100ms wall, 20ms charged, 50ms waited runnable, 20ms excused:
	// off 60ms, delay 50ms.
	g.excuse(20 * msNS)
	g.sample(110*msNS, 30*msNS, 50*msNS)
	// 20ms wall, all charged (the vCPU absent while current counts as CPU).
	g.sample(130*msNS, 50*msNS, 50*msNS)
	if g.maxOff != 60*msNS || g.maxOffAt != 10*msNS {
		t.Errorf("off gap %dms at %dms, want 60ms at 10ms", g.maxOff/msNS, g.maxOffAt/msNS)
	}
	if g.maxDelay != 50*msNS || g.maxDelayAt != 10*msNS {
		t.Errorf("delay gap %dms at %dms, want 50ms at 10ms", g.maxDelay/msNS, g.maxDelayAt/msNS)
	}
	if g.samples != 4 || g.excused != 0 {
		t.Errorf("samples %d excused %d, want 4 and 0", g.samples, g.excused)
	}
}
