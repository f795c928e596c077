package guest

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
	"golang.org/x/sys/unix"
)

// These tests start real worker processes (this test binary again, see
// TestMain) on the host, without cgroups: the harness side and the worker
// side of the protocol, every work type, and death detection.

// hold is how long test workers work; long enough for every work type to
// finish several iterations on a loaded 2-core host.
const hold = 300 * time.Millisecond

// testBatch starts reqs, lets them work for d, stops and collects them.
func testBatch(t *testing.T, reqs []spawnRequest, d time.Duration) []*workerProc {
	t.Helper()
	m, err := newShm()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.close() })
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := newLauncher(exe, []string{"-test.run=^$"}, m).start(t.Context(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.release(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(d) // the workload's duration, as a scenario's hold
	for _, p := range b.procs {
		p.askStop(m)
	}
	for _, p := range b.procs {
		p.collect(t.Context(), 20*time.Second)
	}
	return b.procs
}

// testPipedBatch runs reqs as testBatch does for hold, with the partners
// reqs[a] and reqs[b] joined by pipePair.
func testPipedBatch(t *testing.T, reqs []spawnRequest, a, b int) []*workerProc {
	t.Helper()
	ends, err := pipePair(&reqs[a], &reqs[b])
	defer closeFiles(ends)
	if err != nil {
		t.Fatal(err)
	}
	return testBatch(t, reqs, hold)
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func req(slot int, w WorkSpec) spawnRequest {
	return spawnRequest{cgroupFD: -1, cfg: workerConfig{
		Slot: slot, Cgroup: "test", Index: slot, Work: w.orDefault(), PairSlot: slot, LockSlot: slot, Seed: uint64(slot) + 1,
	}}
}

func TestEveryWorkTypeReports(t *testing.T) {
	kinds := []WorkSpec{
		cpuSpin, {Kind: KindYieldHeavy}, {Kind: KindMixed}, {Kind: KindIOSync}, bursty(5*time.Millisecond, 5*time.Millisecond),
		{Kind: KindCachePressure, SizeKiB: 256}, {Kind: KindForkExit}, {Kind: KindAffinityChurn},
		sequence(phase(cpuSpin, 20*time.Millisecond), phase(bursty(2*time.Millisecond, 3*time.Millisecond), 20*time.Millisecond)),
	}
	if os.Geteuid() == 0 {
		kinds = append(kinds, WorkSpec{Kind: KindNiceSweep}, WorkSpec{Kind: KindPolicyChurn})
	}
	var reqs []spawnRequest
	for i, k := range kinds {
		reqs = append(reqs, req(i, k))
	}
	for i, p := range testBatch(t, reqs, hold) {
		name := kinds[i].String()
		r := p.report
		if r == nil {
			t.Errorf("%s: no report: %s", name, p.failure)
			continue
		}
		if r.Error != "" || r.WorkUnits == 0 || r.Wall <= 0 || r.CPUs.IsEmpty() || r.CPUTime <= 0 {
			t.Errorf("%s: report %+v", name, r)
		}
		t.Logf("%-40s units %7d cpu %6.1fms wall %6.1fms gap %5.1fms migr %3d cpus %s wake %d",
			name, r.WorkUnits, ms(r.CPUTime), ms(r.Wall), ms(r.MaxGap), r.Migrations, r.CPUs, r.WakeCount)
		if r.PID != p.cmd.Process.Pid || r.TID == 0 {
			t.Errorf("%s: pid %d tid %d, started pid %d", name, r.PID, r.TID, p.cmd.Process.Pid)
		}
		if blocks := kinds[i].Kind == KindBursty || kinds[i].Kind == KindMixed; blocks && r.WakeCount == 0 {
			t.Errorf("%s: no wake-latency samples", name)
		}
	}
}

func TestPairedAndSharedLockWorkers(t *testing.T) {
	var reqs []spawnRequest
	for i, w := range []WorkSpec{pipeIO, pipeIO, {Kind: KindFutexPingPong}, {Kind: KindFutexPingPong}, {Kind: KindMutexContention}, {Kind: KindMutexContention}, {Kind: KindMutexContention}} {
		r := req(i, w)
		r.cfg.PairSlot, r.cfg.PairRole = i-i%2, i%2
		r.cfg.LockSlot = 4
		reqs = append(reqs, r)
	}
	procs := testPipedBatch(t, reqs, 0, 1)
	for i, p := range procs {
		r := p.report
		if r == nil || r.Error != "" || r.WorkUnits == 0 {
			t.Errorf("worker %d (%s): report %+v failure %q", i, reqs[i].cfg.Work.Kind, r, p.failure)
			continue
		}
		if r.WakeCount == 0 {
			t.Errorf("worker %d (%s): no wake-latency samples in %d units", i, reqs[i].cfg.Work.Kind, r.WorkUnits)
		}
	}
	// Partners alternate, so their unit counts differ by at most one.
	for _, pair := range [][2]int{{0, 1}, {2, 3}} {
		a, b := procs[pair[0]].report, procs[pair[1]].report
		if a != nil && b != nil && (a.WorkUnits > b.WorkUnits+1 || b.WorkUnits > a.WorkUnits+1) {
			t.Errorf("pair %v: units %d and %d, want alternation", pair, a.WorkUnits, b.WorkUnits)
		}
	}
}

func TestWorkerAffinityIsApplied(t *testing.T) {
	r := req(0, cpuSpin)
	r.cfg.Affinity = topo.NewCPUSet(0)
	p := testBatch(t, []spawnRequest{r}, 100*time.Millisecond)[0]
	if p.report == nil || p.report.CPUs != topo.NewCPUSet(0) || p.report.Migrations != 0 {
		t.Fatalf("pinned to cpu0: report %+v failure %q", p.report, p.failure)
	}
}

// customCalls counts calls of the custom work in this (worker) process.
var customCalls atomic.Int64

// Custom work registered at package level, as gauntlet.Custom does, so
// the worker processes (this test binary again) have it too.
var (
	countWork = custom("guest-test-count", func() error { customCalls.Add(1); spin(shortRounds); return nil })
	failWork  = custom("guest-test-fail", func() error {
		if customCalls.Add(1) > 3 {
			return errors.New("boom")
		}
		return nil
	})
)

func custom(name string, fn func() error) WorkSpec {
	RegisterCustom(name, fn)
	return WorkSpec{Kind: KindCustom, Name: name}
}

func TestCustomWork(t *testing.T) {
	procs := testBatch(t, []spawnRequest{req(0, countWork), req(1, failWork)}, 100*time.Millisecond)
	if r := procs[0].report; r == nil || r.WorkUnits == 0 || r.Error != "" {
		t.Errorf("counting custom work: %+v %q", r, procs[0].failure)
	}
	r := procs[1].report
	if r == nil || r.WorkUnits != 3 || !strings.Contains(r.Error, "boom") {
		t.Errorf("failing custom work: want 3 units then error boom, got %+v", r)
	}
}

func TestUnregisteredCustomWorkFailsAtStart(t *testing.T) {
	m, err := newShm()
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	exe, _ := os.Executable()
	w := WorkSpec{Kind: KindCustom, Name: "nobody-registered-this"}
	_, err = newLauncher(exe, nil, m).start(t.Context(), []spawnRequest{req(0, w)})
	if err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("start with unregistered custom work: %v", err)
	}
}

func TestKilledWorkerIsReported(t *testing.T) {
	m, err := newShm()
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	exe, _ := os.Executable()
	b, err := newLauncher(exe, nil, m).start(t.Context(), []spawnRequest{req(0, cpuSpin)})
	if err != nil {
		t.Fatal(err)
	}
	b.release()
	p := b.procs[0]
	// What the OOM killer does: SIGKILL out of the blue.
	if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	p.askStop(m)
	p.collect(t.Context(), 5*time.Second)
	if p.report != nil || !strings.Contains(p.failure, "died before it was stopped, killed by signal killed") {
		t.Fatalf("killed worker: report %v failure %q", p.report, p.failure)
	}
}

// A worker whose first checkpoint after the settle time comes late (it
// was kept off its CPU across it) starts its steady state at the settle
// time, with the CPU time then interpolated from the last sample before
// it, so the time it was kept off counts in the compared window.
func TestLateSettleCountsFromTheSettleTime(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	w := &worker{pid: os.Getpid(), tid: unix.Gettid(), prog: newProgress()}
	st, err := readSchedstat(w.pid, w.tid)
	if err != nil {
		t.Skipf("no schedstat on this host: %v", err)
	}
	ms := int64(time.Millisecond)
	w.settleAt = 500 * ms
	// Last sample at +100ms; the next checkpoint at +1500ms, 1s after
	// the settle time. Pretend the thread had 400ms less CPU time then.
	w.sg.sample(100*ms, int64(st.cpu)-400*ms, int64(st.delay))
	w.settle(1500 * ms)
	if w.settleNow != w.settleAt {
		t.Errorf("steady state starts at +%dms, want the settle time +%dms", w.settleNow/ms, w.settleAt/ms)
	}
	// CPU grew 400ms (plus what the thread ran since) over 1400ms; at
	// +500ms, 400ms in, it had grown about 400 x 400/1400 = 114ms.
	lo, hi := st.cpu-400*time.Millisecond+114*time.Millisecond, st.cpu-400*time.Millisecond+120*time.Millisecond
	if w.settleCPU < lo || w.settleCPU > hi {
		t.Errorf("CPU time at the settle time %v, want it interpolated into [%v, %v]", w.settleCPU, lo, hi)
	}
}

// A worker without a sample before the settle time settles at its
// checkpoint, as before.
func TestSettleWithoutEarlierSample(t *testing.T) {
	w := &worker{pid: os.Getpid(), tid: unix.Gettid(), prog: newProgress(), settleAt: int64(time.Millisecond)}
	w.settle(int64(3 * time.Millisecond))
	if w.settleNow != int64(3*time.Millisecond) {
		t.Errorf("settled at %d, want the checkpoint's time", w.settleNow)
	}
}

func TestInterpolate(t *testing.T) {
	for _, c := range []struct{ t0, v0, t1, v1, t, want int64 }{
		{0, 0, 10, 100, 5, 50},
		{10, 100, 20, 100, 15, 100},
		{10, 5, 10, 7, 10, 7}, // no interval: the newer value
		{0, 0, 4, 10, 1, 2},
	} {
		if got := interpolate(c.t0, c.v0, c.t1, c.v1, c.t); got != c.want {
			t.Errorf("interpolate(%d,%d,%d,%d,%d) = %d, want %d", c.t0, c.v0, c.t1, c.v1, c.t, got, c.want)
		}
	}
}
