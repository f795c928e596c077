package guest

import (
	"time"

	"golang.org/x/sys/unix"
)

// schedSampleEvery is the least time between two schedstat samples of a
// worker: a sample is a pread of /proc/thread-self/schedstat, which costs
// tens of microseconds under TCG, against a spin block of about as much,
// so sampling at every checkpoint would slow the work measurably (measured
// under TCG: about 40 us for a worker that is not preempted during the
// read, so 5 ms keeps the cost under 1 %).
const schedSampleEvery = 5 * time.Millisecond

// schedGaps is a worker's "scheduler gap" bookkeeping, a prototype kept
// beside the progress gap (see docs/power.md): at most every
// schedSampleEvery it samples the thread's schedstat, and for each
// interval between two samples it keeps
//
//   - off: wall time less the CPU time the kernel charged the worker and
//     less excused time (intended sleeps, hotplug ops): the time the
//     worker was neither charged as running nor meant to block. Time its
//     vCPU was absent while the worker was the current task is charged as
//     CPU time by the guest (its clock runs on), so it is not in off;
//     time the worker waited runnable, or blocked without excuse, is.
//   - delay: the run_delay the interval accrued, the time the worker
//     waited runnable on a run queue.
//
// The maxima, with the time they started, are what it reports. Times are
// nanoseconds since the worker's start; it does no I/O and reads no
// clock.
type schedGaps struct {
	sampled              bool
	at, cpu, delay       int64
	excused              int64
	maxOff, maxOffAt     int64
	maxDelay, maxDelayAt int64
	samples              int
}

// due reports whether a sample is due at now.
func (g *schedGaps) due(now int64) bool {
	return !g.sampled || now-g.at >= int64(schedSampleEvery)
}

// excuse adds d to the time excused since the last sample.
func (g *schedGaps) excuse(d int64) { g.excused += d }

// sample records the thread's CPU time and run delay (schedstat, ns) at
// now and closes the interval since the last sample.
func (g *schedGaps) sample(now, cpu, delay int64) {
	if g.sampled {
		if off := now - g.at - (cpu - g.cpu) - g.excused; off > g.maxOff {
			g.maxOff, g.maxOffAt = off, g.at
		}
		if d := delay - g.delay; d > g.maxDelay {
			g.maxDelay, g.maxDelayAt = d, g.at
		}
	}
	g.sampled, g.at, g.cpu, g.delay, g.excused = true, now, cpu, delay, 0
	g.samples++
}

// statFile is an open /proc/thread-self/schedstat, read with pread so one
// sample is one system call.
type statFile struct {
	fd   int
	buf  [96]byte
	cost time.Duration // total time spent reading
	n    int
}

// openStat opens the calling thread's schedstat; nil when the kernel has
// none.
func openStat() *statFile {
	fd, err := unix.Open("/proc/thread-self/schedstat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	return &statFile{fd: fd}
}

// read returns the thread's CPU time and run delay, and whether the read
// worked.
func (f *statFile) read() (schedstat, bool) {
	t0 := time.Now()
	n, err := unix.Pread(f.fd, f.buf[:], 0)
	f.cost += time.Since(t0)
	f.n++
	if err != nil || n <= 0 {
		return schedstat{}, false
	}
	st, err := parseSchedstat(string(f.buf[:n]))
	return st, err == nil
}

// meanCost is the mean time of one read.
func (f *statFile) meanCost() time.Duration {
	if f == nil || f.n == 0 {
		return 0
	}
	return f.cost / time.Duration(f.n)
}

func (f *statFile) close() {
	if f != nil {
		unix.Close(f.fd)
	}
}
