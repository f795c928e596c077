package guest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// errStopped ends a worker's loop when it was told to stop while waiting.
var errStopped = errors.New("worker stopped")

// sigStop is set by SIGUSR1, the stop signal.
var sigStop atomic.Bool

// worker is the state of a worker process.
type worker struct {
	cfg   workerConfig
	pid   int
	tid   int
	shm   *shm
	my    *slot
	base  time.Time
	prog  progress
	iter  iterFunc
	state workState
	// settle marks the steady state: at ns since start, the CPU time
	// then (schedstat, else getrusage) and whether it was taken.
	settleAt  int64
	settleNow int64
	settleCPU time.Duration
	settled   bool
	// monoBase is base on CLOCK_MONOTONIC; hotplugSeen the shared
	// hotplug clock at the last checkpoint.
	monoBase    int64
	hotplugSeen int64
	// stat is the thread's open schedstat (nil without schedstat), sg
	// the scheduler-gap bookkeeping it feeds; settleDelay and
	// settleUnits are the run delay and work units at the settle time.
	stat        *statFile
	sg          schedGaps
	settleDelay time.Duration
	settleUnits uint64
}

// WorkerMain runs this process as a scenario worker. config is the JSON
// from spec.EnvWorker. It sets the worker up (thread, affinity, policy,
// nice, work state), reports ready, waits at the start barrier, works
// until the harness sets its stop flag or sends SIGUSR1, sends its report
// and returns the process exit code. The harness is the only caller; the
// gauntlet package calls it from Run when spec.EnvWorker is set.
func WorkerMain(config string) int {
	runtime.LockOSThread()
	out := os.NewFile(fdReport, "report")
	w, err := newWorker(config)
	if err != nil {
		send(out, workerMsg{Error: err.Error()})
		return 3
	}
	defer w.close()
	if err := send(out, workerMsg{Ready: &readyMsg{TID: w.tid}}); err != nil {
		return 3
	}
	if err := awaitBarrier(); err != nil {
		send(out, workerMsg{Error: err.Error()})
		return 3
	}
	rep := w.run()
	if err := send(out, workerMsg{Report: &rep}); err != nil {
		return 3
	}
	return 0
}

// send writes msg as one JSON line.
func send(out *os.File, msg workerMsg) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	_, err = out.Write(append(b, '\n'))
	return err
}

// awaitBarrier blocks until the harness closes the barrier pipe.
func awaitBarrier() error {
	var b [1]byte
	for {
		n, err := unix.Read(fdBarrier, b[:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return fmt.Errorf("wait at start barrier: %w", err)
		case n == 0:
			return nil
		}
	}
}

// newWorker decodes config and sets the worker up on the locked thread.
func newWorker(config string) (*worker, error) {
	var cfg workerConfig
	if err := json.Unmarshal([]byte(config), &cfg); err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	if cfg.Slot < 0 || cfg.Slot >= maxSlots {
		return nil, fmt.Errorf("worker config: slot %d out of range", cfg.Slot)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGUSR1)
	go func() { <-sigs; sigStop.Store(true) }()
	m, err := mapShm(os.NewFile(fdShm, "shm"))
	if err != nil {
		return nil, err
	}
	w := &worker{cfg: cfg, pid: os.Getpid(), tid: unix.Gettid(), shm: m, my: m.slot(cfg.Slot), prog: newProgress()}
	if err := w.setup(); err != nil {
		w.close()
		return nil, fmt.Errorf("worker %s/%d: %w", cfg.Cgroup, cfg.Index, err)
	}
	return w, nil
}

// setup applies affinity, policy and nice to the thread and prepares the
// work.
func (w *worker) setup() error {
	if !w.cfg.Affinity.IsEmpty() {
		if err := setAffinity(0, w.cfg.Affinity); err != nil {
			return err
		}
	}
	p := PolicySpec{Policy: w.cfg.Policy, Prio: w.cfg.Prio}
	if p != (PolicySpec{}) || w.cfg.Nice != 0 {
		if err := setPolicy(0, p, w.cfg.Nice); err != nil {
			return err
		}
	}
	it, err := w.prepare(w.cfg.Work)
	if err != nil {
		return err
	}
	w.iter = it
	return nil
}

func (w *worker) close() {
	w.state.close()
	w.shm.close()
}

// stopped reports whether the harness asked the worker to stop.
func (w *worker) stopped() bool { return w.my.stop.Load() != 0 || sigStop.Load() }

// now is the time since the worker passed the barrier, in ns.
func (w *worker) now() int64 { return int64(time.Since(w.base)) }

// checkpoint records one unit of work; excused is time the work meant to
// block. The CPU is tied to the isolation epoch it was read in (see
// observe).
func (w *worker) checkpoint(excused time.Duration) {
	ep, cpu := observe(w.shm.epoch().Load, getcpu)
	now := w.now()
	ex := int64(excused) + w.hotplugSince(now)
	w.prog.checkpoint(now, cpu, ep, ex)
	w.my.iters.Store(w.prog.units)
	w.sg.excuse(ex)
	if !w.settled && w.settleAt > 0 && now >= w.settleAt {
		w.settle(now)
	}
	if w.stat != nil && w.sg.due(now) {
		w.sampleStat(now)
	}
}

// settle takes the steady state's baseline at the first checkpoint at or
// after the settle time (now). The steady state starts at the settle
// time itself, not at this checkpoint: a worker kept off its CPU across
// the settle time (a starved one) checkpoints late, and counting from
// then would leave its starvation out of the window that is compared.
// Its CPU time and run delay at the settle time are interpolated between
// the last schedstat sample before it and now.
func (w *worker) settle(now int64) {
	w.settled, w.settleNow, w.settleUnits = true, now, w.prog.units
	st, err := readSchedstat(w.pid, w.tid)
	if err != nil {
		w.settleCPU = threadCPUTime()
		return
	}
	w.settleCPU, w.settleDelay = st.cpu, st.delay
	if g := w.sg; g.sampled && g.at <= w.settleAt {
		w.settleNow = w.settleAt
		w.settleCPU = time.Duration(interpolate(g.at, g.cpu, now, int64(st.cpu), w.settleAt))
		w.settleDelay = time.Duration(interpolate(g.at, g.delay, now, int64(st.delay), w.settleAt))
	}
}

// interpolate returns the value at t of a counter read as v0 at t0 and v1
// at t1 (t0 <= t <= t1), assuming it grew evenly in between.
func interpolate(t0, v0, t1, v1, t int64) int64 {
	if t1 <= t0 {
		return v1
	}
	return v0 + int64(float64(v1-v0)*float64(t-t0)/float64(t1-t0))
}

// sampleStat feeds one schedstat sample taken at now to the
// scheduler-gap bookkeeping.
func (w *worker) sampleStat(now int64) {
	if st, ok := w.stat.read(); ok {
		w.sg.sample(now, int64(st.cpu), int64(st.delay))
	}
}

// hotplugSince returns the time the kernel spent in CPU hotplug ops
// since the last checkpoint (now is ns since base): it is no gap of the
// worker's.
func (w *worker) hotplugSince(now int64) int64 {
	t := w.shm.hotplugTime(w.monoBase + now)
	d := max(t-w.hotplugSeen, 0)
	w.hotplugSeen = max(t, w.hotplugSeen)
	return d
}

// cpuTime returns the worker thread's CPU time so far: schedstat when
// the kernel has it, else getrusage.
func (w *worker) cpuTime() time.Duration {
	if st, err := readSchedstat(w.pid, w.tid); err == nil {
		return st.cpu
	}
	return threadCPUTime()
}

// run works until stopped and returns the report.
func (w *worker) run() workerReport {
	w.base, w.monoBase = time.Now(), monoNow()
	w.hotplugSeen = w.shm.hotplugTime(w.monoBase)
	w.settleAt = int64(w.cfg.Settle)
	st0, err0 := readSchedstat(w.pid, w.tid)
	ru0 := threadCPUTime()
	w.stat = openStat()
	defer w.stat.close()
	if w.stat != nil {
		w.sampleStat(0)
	}
	faults0 := threadFaults()
	var werr error
	for !w.stopped() {
		if err := w.iter(w); err != nil {
			if !errors.Is(err, errStopped) {
				werr = err
			}
			break
		}
	}
	end := w.now()
	exEnd := w.hotplugSince(end)
	w.prog.finish(end, exEnd)
	if w.stat != nil {
		w.sg.excuse(exEnd)
		w.sampleStat(end)
	}
	st1, err1 := readSchedstat(w.pid, w.tid)
	rep := w.report(end)
	rep.PageFaults = threadFaults() - faults0
	if err0 == nil && err1 == nil {
		rep.HasSchedstat = true
		rep.CPUTime = st1.cpu - st0.cpu
		rep.RunDelay = st1.delay - st0.delay
	} else {
		rep.CPUTime = threadCPUTime() - ru0
	}
	if w.settled {
		rep.Settled, rep.SettledWall, rep.SettledCPU = true, time.Duration(end-w.settleNow), w.cpuTime()-w.settleCPU
		rep.SettledUnits = w.prog.units - w.settleUnits
		if err1 == nil {
			rep.SettledDelay = st1.delay - w.settleDelay
		}
	}
	if w.stat != nil && w.sg.samples > 1 {
		rep.OffGap, rep.OffGapAt = time.Duration(w.sg.maxOff), time.Duration(w.sg.maxOffAt)
		rep.DelayGap, rep.DelayGapAt = time.Duration(w.sg.maxDelay), time.Duration(w.sg.maxDelayAt)
		rep.StatSamples, rep.StatCost = w.sg.samples, w.stat.meanCost()
	}
	if werr != nil {
		rep.Error = werr.Error()
	}
	return rep
}

// report fills a report from the worker's progress.
func (w *worker) report(end int64) workerReport {
	p := &w.prog
	return workerReport{
		PID: w.pid, TID: w.tid, Start: w.base.UnixNano(), Wall: time.Duration(end),
		WorkUnits: p.units, MaxGap: time.Duration(p.maxGap), GapAt: time.Duration(p.gapAt),
		GapCPU: p.gapCPU, Migrations: p.migrations, CPUs: p.cpus, Epochs: p.epochs,
		Wake: p.wake.samples, WakeCount: p.wake.count, WakeMax: p.wake.max,
	}
}
