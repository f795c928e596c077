package guest

import (
	"strings"
	"sync/atomic"
	"testing"
)

// group returns requests for one group of ws starting at slot first,
// wired as the scenario wires a spawn: every worker's PairSlot is the
// group's first slot and PairRole its place in the group.
func group(first int, ws ...WorkSpec) []spawnRequest {
	var reqs []spawnRequest
	for i, w := range ws {
		r := req(first+i, w)
		r.cfg.PairSlot, r.cfg.PairRole = first, i
		reqs = append(reqs, r)
	}
	return reqs
}

func times(n int, w WorkSpec) []WorkSpec {
	out := make([]WorkSpec, n)
	for i := range out {
		out[i] = w
	}
	return out
}

func TestFanOutGroups(t *testing.T) {
	fan := WorkSpec{Kind: KindFutexFanOut, FanOut: 3}
	compute := WorkSpec{Kind: KindFanOutCompute, FanOut: 3, SizeKiB: 16}
	reqs := append(group(0, times(4, fan)...), group(4, times(4, compute)...)...)
	procs := testBatch(t, reqs, hold)
	for i, p := range procs {
		r := p.report
		if r == nil || r.Error != "" || r.WorkUnits == 0 {
			t.Fatalf("worker %d (%s): report %+v failure %q", i, reqs[i].cfg.Work, r, p.failure)
		}
		t.Logf("%-24s role %d units %6d wake %5d p50 %v", reqs[i].cfg.Work, reqs[i].cfg.PairRole, r.WorkUnits, r.WakeCount, percentile(r.Wake, 50))
	}
	if procs[0].report.WakeCount != 0 {
		t.Errorf("FutexFanOut waker took %d wake samples; it never waits", procs[0].report.WakeCount)
	}
	for i := 1; i < 4; i++ {
		if procs[i].report.WakeCount == 0 {
			t.Errorf("FutexFanOut waiter %d: no wake-latency samples in %d units", i, procs[i].report.WorkUnits)
		}
	}
	// FanOutCompute rounds are lockstep: each worker multiplies once per
	// round, and the producer counts a round once all are done.
	rounds := procs[4].report.WorkUnits
	for i := 5; i < 8; i++ {
		r := procs[i].report
		if r.WorkUnits < rounds || r.WorkUnits > rounds+1 {
			t.Errorf("FanOutCompute worker %d did %d multiplications in %d rounds; want %d or %d", i, r.WorkUnits, rounds, rounds, rounds+1)
		}
		if r.WakeCount == 0 {
			t.Errorf("FanOutCompute worker %d: no wake-latency samples", i)
		}
	}
}

func TestCacheAndFaultWork(t *testing.T) {
	yield := WorkSpec{Kind: KindCacheYield, SizeKiB: 256}
	pipe := WorkSpec{Kind: KindCachePipe, SizeKiB: 256}
	churn := WorkSpec{Kind: KindPageFaultChurn, SizeKiB: 1024, Touches: 64}
	reqs := []spawnRequest{req(0, yield), req(1, pipe), req(2, pipe), req(3, churn), req(4, cpuSpin)}
	reqs[1].cfg.PairSlot, reqs[2].cfg.PairSlot, reqs[2].cfg.PairRole = 1, 1, 1
	procs := testPipedBatch(t, reqs, 1, 2)
	for i, p := range procs {
		r := p.report
		if r == nil || r.Error != "" || r.WorkUnits == 0 {
			t.Fatalf("worker %d (%s): report %+v failure %q", i, reqs[i].cfg.Work, r, p.failure)
		}
		t.Logf("%-28s units %6d wake %5d faults %7d", reqs[i].cfg.Work, r.WorkUnits, r.WakeCount, r.PageFaults)
		if i < 3 && r.WakeCount == 0 {
			t.Errorf("%s: no wake-latency samples", reqs[i].cfg.Work)
		}
	}
	if a, b := procs[1].report.WorkUnits, procs[2].report.WorkUnits; a > b+1 || b > a+1 {
		t.Errorf("CachePipe pair: units %d and %d, want alternation", a, b)
	}
	// 64 random touches of 256 pages hit about 57 distinct pages; every
	// cycle drops them all, so each cycle faults well over 32 times.
	churned := procs[3].report
	if churned.PageFaults < 32*churned.WorkUnits {
		t.Errorf("PageFaultChurn: %d faults in %d cycles, want at least 32 per cycle", churned.PageFaults, churned.WorkUnits)
	}
	if spin := procs[4].report; spin.PageFaults > churned.PageFaults/10 {
		t.Errorf("CpuSpin took %d page faults beside PageFaultChurn's %d; the count is not per thread", spin.PageFaults, churned.PageFaults)
	}
}

func TestGroupCounts(t *testing.T) {
	cases := []struct {
		w    WorkSpec
		n    int
		want string
	}{
		{pipeIO, 3, "even worker count"},
		{WorkSpec{Kind: KindCachePipe}, 5, "even worker count"},
		{WorkSpec{Kind: KindFutexFanOut}, 4, "FutexFanOut(4) groups workers in 5 (1 waker, 4 waiters): use a multiple of 5"},
		{WorkSpec{Kind: KindFanOutCompute, FanOut: 2}, 4, "groups workers in 3"},
		{WorkSpec{Kind: KindFutexFanOut, FanOut: 2}, 6, ""},
		{cpuSpin, 3, ""},
	}
	for _, c := range cases {
		err := c.w.checkCount(c.n)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s with %d workers: %v, want %q", c.w, c.n, err, c.want)
		}
	}
	d := CgroupSpec{Name: "f", Work: WorkSpec{Kind: KindFutexFanOut}, Workers: 4}
	if err := d.validateSelf(2); err == nil || !strings.Contains(err.Error(), "multiple of 5") {
		t.Errorf("cgroup of 4 FutexFanOut(4) workers: %v", err)
	}
}

func TestNewWorkTypesValidate(t *testing.T) {
	for _, bad := range []WorkSpec{
		{Kind: KindFutexFanOut, FanOut: -1}, {Kind: KindFutexFanOut, FanOut: MaxWorkers},
		{Kind: KindFanOutCompute, SizeKiB: 1 << 20}, {Kind: KindCacheYield, SizeKiB: -1},
		{Kind: KindPageFaultChurn, SizeKiB: 2}, {Kind: KindPageFaultChurn, Touches: -3},
		sequence(phase(WorkSpec{Kind: KindFutexFanOut}, 1)), sequence(phase(WorkSpec{Kind: KindCachePipe}, 1)),
	} {
		if err := bad.validate(); err == nil {
			t.Errorf("%s (%+v) accepted", bad, bad)
		}
	}
	for want, w := range map[string]WorkSpec{
		"FutexFanOut(4)":                {Kind: KindFutexFanOut},
		"FanOutCompute(2,64KiB)":        {Kind: KindFanOutCompute, FanOut: 2},
		"CacheYield(1024KiB)":           {Kind: KindCacheYield},
		"CachePipe(32KiB)":              {Kind: KindCachePipe, SizeKiB: 32},
		"PageFaultChurn(4096KiB,256)":   {Kind: KindPageFaultChurn},
		"PageFaultChurn(64KiB,8)":       {Kind: KindPageFaultChurn, SizeKiB: 64, Touches: 8},
		"Sequence(CacheYield(8KiB) 1s)": sequence(phase(WorkSpec{Kind: KindCacheYield, SizeKiB: 8}, 1e9)),
	} {
		if err := w.validate(); err != nil || w.String() != want {
			t.Errorf("%+v: String %q, validate %v; want %q", w, w, err, want)
		}
	}
	if g := (WorkSpec{Kind: KindFanOutCompute, FanOut: 7}).groupSize(); g != 8 {
		t.Errorf("FanOutCompute(7) group size %d, want 8", g)
	}
}

func TestMatrixMultiply(t *testing.T) {
	var next uint64
	m := newMatrices(1, func() uint64 { next++; return next })
	if m.n != 6 { // 1024 bytes / 3 matrices / 8 bytes = 42 cells each
		t.Fatalf("n = %d, want 6", m.n)
	}
	m.multiply()
	n := m.n
	a, b, c := m.buf[:n*n], m.buf[n*n:2*n*n], m.buf[2*n*n:]
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var want uint64
			for k := 0; k < n; k++ {
				want += a[i*n+k] * b[k*n+j]
			}
			if c[i*n+j] != want {
				t.Fatalf("c[%d][%d] = %d, want %d", i, j, c[i*n+j], want)
			}
		}
	}
}

func TestStoreMax(t *testing.T) {
	var a atomic.Int64
	for _, v := range []int64{5, 3, 9, 7} {
		storeMax(&a, v)
	}
	if a.Load() != 9 {
		t.Errorf("storeMax kept %d, want 9", a.Load())
	}
}
