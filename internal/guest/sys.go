package guest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// getcpu returns the CPU the calling thread runs on.
func getcpu() int {
	var cpu uint32
	unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), 0, 0)
	return int(cpu)
}

// setAffinity pins thread tid (0: the calling thread) to s.
func setAffinity(tid int, s topo.CPUSet) error {
	var set unix.CPUSet
	for _, c := range s.CPUs() {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(tid, &set); err != nil {
		return fmt.Errorf("set affinity of thread %d to cpus %s: %w", tid, s, err)
	}
	return nil
}

// affinity returns the CPUs thread tid (0: the calling thread) may run on.
func affinity(tid int) (topo.CPUSet, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(tid, &set); err != nil {
		return topo.CPUSet{}, fmt.Errorf("get affinity of thread %d: %w", tid, err)
	}
	var s topo.CPUSet
	for c := 0; c < topo.MaxVCPUs; c++ {
		if set.IsSet(c) {
			s = s.Add(c)
		}
	}
	return s, nil
}

// setPolicy sets thread tid's (0: the calling thread) scheduling policy,
// real-time priority and nice value in one sched_setattr call.
func setPolicy(tid int, p PolicySpec, nice int) error {
	attr := unix.SchedAttr{
		Size:     unix.SizeofSchedAttr,
		Policy:   uint32(p.Policy),
		Nice:     int32(nice),
		Priority: uint32(p.Prio),
	}
	if err := unix.SchedSetAttr(tid, &attr, 0); err != nil {
		return fmt.Errorf("set policy %s nice %d on thread %d: %w", p, nice, tid, err)
	}
	return nil
}

// schedstat is one thread's /proc/<pid>/task/<tid>/schedstat: time on a
// CPU, time waiting on a run queue, and the number of timeslices.
type schedstat struct {
	cpu, delay time.Duration
	slices     uint64
}

// readSchedstat reads the schedstat of thread tid of process pid.
func readSchedstat(pid, tid int) (schedstat, error) {
	path := fmt.Sprintf("/proc/%d/task/%d/schedstat", pid, tid)
	b, err := os.ReadFile(path)
	if err != nil {
		return schedstat{}, fmt.Errorf("read schedstat: %w", err)
	}
	return parseSchedstat(string(b))
}

// parseSchedstat decodes "cpu_ns delay_ns slices".
func parseSchedstat(s string) (schedstat, error) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return schedstat{}, fmt.Errorf("schedstat %q: want 3 numbers", s)
	}
	var v [3]uint64
	for i := range v {
		n, err := strconv.ParseUint(f[i], 10, 64)
		if err != nil {
			return schedstat{}, fmt.Errorf("schedstat %q: %w", s, err)
		}
		v[i] = n
	}
	return schedstat{cpu: time.Duration(v[0]), delay: time.Duration(v[1]), slices: v[2]}, nil
}

// threadCPUTime returns the calling thread's CPU time from getrusage, for
// kernels without schedstat.
func threadCPUTime() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_THREAD, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// monoNow returns CLOCK_MONOTONIC in ns, the clock absolute sleeps use.
func monoNow() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
