package guest

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// iterFunc runs one iteration of a work type, ending at a checkpoint.
type iterFunc func(w *worker) error

// Spin block sizes, in xorshift rounds.
const (
	spinRounds  = 4096
	shortRounds = 256
)

// spinSink keeps the compiler from dropping spin loops.
var spinSink atomic.Uint64

// spin runs n rounds of xorshift.
func spin(n int) {
	x := spinSink.Load() | 1
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	spinSink.Store(x)
}

// workState holds what a worker's work types opened; close releases it.
type workState struct {
	tmp      *os.File
	cache    []byte
	allowed  topo.CPUSet
	rng      uint64
	iter     uint64
	niceStep int
	polStep  int
}

func (s *workState) close() {
	if s.tmp != nil {
		s.tmp.Close()
	}
}

// next returns a pseudo-random number (xorshift64).
func (s *workState) next() uint64 {
	s.rng ^= s.rng << 13
	s.rng ^= s.rng >> 7
	s.rng ^= s.rng << 17
	return s.rng
}

func iterSpin(w *worker) error {
	spin(spinRounds)
	w.checkpoint(0)
	return nil
}

func iterYield(w *worker) error {
	spin(shortRounds)
	unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
	w.checkpoint(0)
	return nil
}

func iterMixed(w *worker) error {
	spin(spinRounds)
	w.state.iter++
	switch {
	case w.state.iter%8 == 0:
		return w.sleep(500 * time.Microsecond)
	case w.state.iter%4 == 0:
		unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
	}
	w.checkpoint(0)
	return nil
}

// iterBursty spins for burst, one checkpoint per block, then sleeps.
func iterBursty(w *worker, burst, sleep time.Duration) error {
	start := time.Now()
	for time.Since(start) < burst {
		if w.stopped() {
			return errStopped
		}
		spin(spinRounds)
		w.checkpoint(0)
	}
	if sleep <= 0 {
		return nil
	}
	return w.sleep(sleep)
}

// sleepChunk bounds one sleep call so a stop request is seen in time.
const sleepChunk = 50 * time.Millisecond

// sleep blocks the thread for d with absolute CLOCK_MONOTONIC sleeps (in
// chunks, so stopping stays prompt), records the overshoot as a
// wake-latency sample and checkpoints with d excused.
func (w *worker) sleep(d time.Duration) error {
	deadline := monoNow() + int64(d)
	for {
		now := monoNow()
		if now >= deadline {
			w.prog.wake.add(time.Duration(now - deadline))
			w.checkpoint(d)
			return nil
		}
		if w.stopped() {
			return errStopped
		}
		until := unix.NsecToTimespec(min(deadline, now+int64(sleepChunk)))
		unix.ClockNanosleep(unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME, &until, nil)
	}
}

// openTemp opens an unlinked temporary file for IoSync.
func (w *worker) openTemp() error {
	dir := os.TempDir()
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err == nil {
		w.state.tmp = os.NewFile(uintptr(fd), "iosync")
		return nil
	}
	f, err := os.CreateTemp(dir, "gauntlet-iosync-*")
	if err != nil {
		return fmt.Errorf("IoSync temp file: %w", err)
	}
	w.state.tmp = f
	return os.Remove(f.Name())
}

var ioBlock = make([]byte, 4096)

func iterIOSync(w *worker) error {
	off := int64(w.state.iter%256) * int64(len(ioBlock))
	w.state.iter++
	if _, err := w.state.tmp.WriteAt(ioBlock, off); err != nil {
		return fmt.Errorf("IoSync write: %w", err)
	}
	if err := unix.Fdatasync(int(w.state.tmp.Fd())); err != nil {
		return fmt.Errorf("IoSync fdatasync: %w", err)
	}
	w.checkpoint(0)
	return nil
}

// cacheWindow is the part of the CachePressure buffer one iteration walks.
const cacheWindow = 64 * 1024

// iterCache reads and writes every 64-byte line of the next window.
func iterCache(w *worker) error {
	walkCache(w)
	w.checkpoint(0)
	return nil
}

// walkCache reads and writes every 64-byte line of the next window of
// the worker's cache buffer.
func walkCache(w *worker) {
	buf := w.state.cache
	windows := max(1, len(buf)/cacheWindow)
	from := int(w.state.iter%uint64(windows)) * cacheWindow
	w.state.iter++
	to := min(from+cacheWindow, len(buf))
	for i := from; i < to; i += 64 {
		buf[i]++
	}
}

func iterForkExit(w *worker) error {
	pid, errno := forkExit()
	if errno != 0 {
		return fmt.Errorf("ForkExit fork: %w", errno)
	}
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err != unix.EINTR {
			if err != nil {
				return fmt.Errorf("ForkExit wait: %w", err)
			}
			break
		}
	}
	w.checkpoint(0)
	return nil
}

var niceSteps = []int{0, 5, 10, 15, 19, 15, 10, 5}

func iterNiceSweep(w *worker) error {
	spin(spinRounds)
	w.state.niceStep = (w.state.niceStep + 1) % len(niceSteps)
	if err := unix.Setpriority(unix.PRIO_PROCESS, w.tid, niceSteps[w.state.niceStep]); err != nil {
		return fmt.Errorf("NiceSweep: %w", err)
	}
	w.checkpoint(0)
	return nil
}

var churnPolicies = []PolicySpec{{Policy: SchedNormal}, {Policy: SchedBatch}, {Policy: SchedIdle}}

func iterPolicyChurn(w *worker) error {
	spin(spinRounds)
	w.state.polStep = (w.state.polStep + 1) % len(churnPolicies)
	if err := setPolicy(0, churnPolicies[w.state.polStep], w.cfg.Nice); err != nil {
		return fmt.Errorf("PolicyChurn: %w", err)
	}
	w.checkpoint(0)
	return nil
}

func iterAffinityChurn(w *worker) error {
	spin(spinRounds)
	a := w.state.allowed
	cpu := a.Nth(int(w.state.next() % uint64(a.Len())))
	if err := setAffinity(0, topo.NewCPUSet(cpu)); err != nil {
		return fmt.Errorf("AffinityChurn: %w", err)
	}
	w.checkpoint(0)
	return nil
}

// prepareSequence prepares every phase and returns an iteration that runs
// the phase the current time falls in.
func (w *worker) prepareSequence(spec WorkSpec) (iterFunc, error) {
	iters := make([]iterFunc, len(spec.Phases))
	var cycle time.Duration
	for i, p := range spec.Phases {
		it, err := w.prepare(p.Work)
		if err != nil {
			return nil, fmt.Errorf("sequence phase %d: %w", i, err)
		}
		iters[i] = it
		cycle += p.For
	}
	return func(w *worker) error {
		at := time.Duration(w.now()) % cycle
		for i, p := range spec.Phases {
			if at < p.For {
				return iters[i](w)
			}
			at -= p.For
		}
		return iters[len(iters)-1](w)
	}, nil
}
