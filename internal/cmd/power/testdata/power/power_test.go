// Package power holds the tests the power benchmark
// (internal/cmd/power) runs: correct runs of canned scenarios, which must
// pass, and planted failures, each of which must fail its named check at
// the default limits. It lives under testdata so `go test ./...` skips
// it; the benchmark runs it with `gauntlet run` at the topologies it is
// asked for.
package power

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/scenarios"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// base is the topology plain `go test` boots; the benchmark passes its
// own with --topology.
const base = "1n1l2c1t"

// numa admits topologies of up to 2 NUMA nodes (the default admits 1),
// so the benchmark can measure that class too.
var numa = topo.Constraints{MaxNUMA: 2}

// TestCorrectSteady is the canned steady scenario: must pass.
func TestCorrectSteady(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: base, Constraints: numa}, scenarios.Steady)
}

// TestCorrectTwoCgroups is the seed example's two cgroups, spinners beside
// bursty workers: must pass.
func TestCorrectTwoCgroups(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: base, Constraints: numa}, func(c *gauntlet.Ctx) error {
		return c.ExecuteDefs(
			gauntlet.Cgroup("cg_0").Workers(4),
			gauntlet.Cgroup("cg_1").Workers(2).WorkType(gauntlet.Bursty(50*time.Millisecond, 100*time.Millisecond)),
		)
	})
}

// TestPlantFIFO confines a SCHED_FIFO hog to CPU 0 beside one of two
// normal workers of cgroup victim (worker 0 on CPU 0, worker 1 on CPU 1):
// worker 0 runs only in the fair server's 50 ms per second, so it must
// fail fairness (and gap, where the limit is below about 950 ms). It runs
// 4 s: in 2 s worker 0 does not reach a steady state long enough for the
// fairness check (its first checkpoint after the settle time comes about
// 950 ms later), so the check would not compare it.
func TestPlantFIFO(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: base, Constraints: numa, Duration: 4 * time.Second}, func(c *gauntlet.Ctx) error {
		return c.ExecuteDefs(
			gauntlet.Cgroup("hog").Cpuset(gauntlet.CpusetExact(0)).Policy(gauntlet.PolicyFIFO(50)).Workers(1),
			gauntlet.Cgroup("victim").Cpuset(gauntlet.CpusetExact(0, 1)).Affinity(gauntlet.AffinitySingleCPU()).Workers(2),
		)
	})
}

// escaped is set once the escape worker has left its cgroup.
var escaped atomic.Bool

// escape moves the worker out of its cgroup into the root cgroup and
// onto the CPUs its cpuset did not allow, then spins: it must fail
// isolation.
var escape = gauntlet.Custom("escape", func() error {
	if !escaped.Load() {
		var was unix.CPUSet
		if err := unix.SchedGetaffinity(0, &was); err != nil {
			return fmt.Errorf("get affinity: %w", err)
		}
		if err := os.WriteFile("/sys/fs/cgroup/cgroup.procs", []byte(fmt.Sprint(os.Getpid())), 0); err != nil {
			return fmt.Errorf("leave cgroup: %w", err)
		}
		var out unix.CPUSet
		for c := 0; c < 1024; c++ {
			if !was.IsSet(c) {
				out.Set(c)
			}
		}
		if err := unix.SchedSetaffinity(0, &out); err != nil {
			return fmt.Errorf("set affinity outside the cpuset: %w", err)
		}
		escaped.Store(true)
	}
	spinFor(200 * time.Microsecond)
	return nil
})

// TestPlantEscape has a worker leave its cpuset (CPU 0).
func TestPlantEscape(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: base, Constraints: numa}, func(c *gauntlet.Ctx) error {
		return c.ExecuteDefs(
			gauntlet.Cgroup("escape").Cpuset(gauntlet.CpusetExact(0)).WorkType(escape).Workers(1),
			gauntlet.Cgroup("cg_0").Workers(2),
		)
	})
}

// stopStart is when the stop worker first ran; stopDone once it stopped.
var (
	stopStart time.Time
	stopDone  bool
)

// stop spins, and 500 ms after its first call blocks for 2 s without
// excuse: it must fail the stuck check.
var stop = gauntlet.Custom("stop", func() error {
	if stopStart.IsZero() {
		stopStart = time.Now()
	}
	if !stopDone && time.Since(stopStart) > 500*time.Millisecond {
		stopDone = true
		time.Sleep(2 * time.Second)
	}
	spinFor(200 * time.Microsecond)
	return nil
})

// TestPlantStop runs two stop workers beside spinners for 4 s.
func TestPlantStop(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: base, Constraints: numa, Duration: 4 * time.Second}, func(c *gauntlet.Ctx) error {
		return c.ExecuteDefs(
			gauntlet.Cgroup("stop").WorkType(stop).Workers(2),
			gauntlet.Cgroup("cg_0").Workers(2),
		)
	})
}

// TestPlantNice confines two spinners to CPU 0, worker 1 at nice 5 (set
// by the worker process itself before it runs, see reniceWorker):
// shares about 75/25, an off-CPU spread near 50 points, so it must fail
// fairness.
func TestPlantNice(t *testing.T) {
	reniceWorker("nice", 1, 5)
	gauntlet.Run(t, gauntlet.Spec{Topology: base, Constraints: numa}, func(c *gauntlet.Ctx) error {
		return c.ExecuteDefs(gauntlet.Cgroup("nice").Cpuset(gauntlet.CpusetExact(0)).Workers(2))
	})
}

// reniceWorker, in the worker process of worker index of cgroup, locks
// the test's goroutine to its thread (the worker runs on it) and sets
// the thread's nice value.
func reniceWorker(cgroup string, index, nice int) {
	var cfg struct {
		Cgroup string `json:"cgroup"`
		Index  int    `json:"index"`
	}
	env := os.Getenv("GAUNTLET_WORKER")
	if env == "" || json.Unmarshal([]byte(env), &cfg) != nil || cfg.Cgroup != cgroup || cfg.Index != index {
		return
	}
	runtime.LockOSThread()
	unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), nice)
}

var sink atomic.Uint64

// spinFor spins for about d.
func spinFor(d time.Duration) {
	x := sink.Load() | 1
	for start := time.Now(); time.Since(start) < d; {
		for range 256 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
	}
	sink.Store(x)
}
