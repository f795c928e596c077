package scenarios_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/scenarios"
)

// These tests boot a VM each (under plain `go test`; they skip without
// QEMU or a kernel unless GAUNTLET_REQUIRE_VM=1).

// TestCannedScenarios runs every placement scenario (the canned ones
// but the load scenarios, which TestLoadScenarios runs) once, in one VM
// with 4 CPUs in 2 LLCs (3 usable), one second each.
func TestCannedScenarios(t *testing.T) {
	s := gauntlet.Spec{Topology: "1n2l2c1t", Duration: time.Second, Timeout: 6 * time.Minute}
	runAll(t, s, slices.DeleteFunc(scenarios.Names(), func(n string) bool { return slices.Contains(scenarios.LoadNames(), n) }))
}

// runAll runs the named scenarios one after another in one VM and fails
// with every scenario that failed.
func runAll(t *testing.T, s gauntlet.Spec, names []string) {
	t.Helper()
	gauntlet.Run(t, s, func(c *gauntlet.Ctx) error {
		var errs []error
		for _, name := range names {
			run, err := scenarios.ByName(name)
			if err != nil {
				return err
			}
			start := time.Now()
			err = run(c)
			c.Logf("scenario %s: %v in %v", name, errOK(err), time.Since(start).Round(time.Millisecond))
			if err != nil {
				errs = append(errs, fmt.Errorf("scenario %s: %w", name, err))
			}
		}
		return errors.Join(errs...)
	})
}

func errOK(err error) string {
	if err != nil {
		return "FAILED"
	}
	return "ok"
}

// escaped makes the escape work leave its cgroup once per worker.
var escaped atomic.Bool

// escape is a worker that breaks out of its cpuset: it moves its process
// to the root cgroup (all CPUs) and its thread to CPU 1, then spins.
var escape = gauntlet.Custom("escape-cpuset", func() error {
	if !escaped.Swap(true) {
		if err := os.WriteFile("/sys/fs/cgroup/cgroup.procs", []byte(strconv.Itoa(os.Getpid())), 0); err != nil {
			return err
		}
		var set unix.CPUSet
		set.Set(1)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			return err
		}
	}
	for i := 0; i < 1000; i++ {
		escaped.Load()
	}
	return nil
})

// TestTruePositives runs two scenarios built to fail and passes only when
// each fails its check: a SCHED_FIFO spinner pinned to the only CPU of a
// cgroup that also holds a normal worker (starvation or stuck), and a
// worker that moves itself outside its cpuset (isolation). The gap limit
// is set below the ~950ms the kernel's fair server (50ms per second for
// normal tasks beside real-time ones) leaves the starved worker.
func TestTruePositives(t *testing.T) {
	s := gauntlet.Spec{Topology: "1n1l2c1t", Checks: gauntlet.Checks{MaxGap: 500 * time.Millisecond}}
	gauntlet.Run(t, s, func(c *gauntlet.Ctx) error {
		starve := c.ExecuteDefs(gauntlet.Cgroup("starve").Cpuset(gauntlet.CpusetExact(0)).Nested(
			gauntlet.Cgroup("rt").Workers(1).Policy(gauntlet.PolicyFIFO(50)),
			gauntlet.Cgroup("normal").Workers(1),
		))
		jail := c.ExecuteDefs(gauntlet.Cgroup("jail").Workers(1).Cpuset(gauntlet.CpusetExact(0)).WorkType(escape))
		c.Logf("starvation scenario: %v", starve)
		c.Logf("isolation scenario: %v", jail)
		return errors.Join(
			expectFailure(starve, "starve/normal worker", "stuck ", "starved: "),
			expectFailure(jail, "jail worker", "isolation: "),
		)
	})
}

// expectFailure returns nil when err is a check failure of the worker
// named who whose message starts with one of kinds, else an error saying
// what happened instead.
func expectFailure(err error, who string, kinds ...string) error {
	var ce *gauntlet.CheckError
	if !errors.As(err, &ce) {
		return fmt.Errorf("want a %q check failure of %s, got %v", kinds, who, err)
	}
	for _, f := range ce.Failures {
		for _, k := range kinds {
			if strings.HasPrefix(f, k) && strings.Contains(f, who) {
				return nil
			}
		}
	}
	return fmt.Errorf("want a %q check failure of %s, got:\n%v", kinds, who, err)
}

// TestOps drives the ops the canned scenarios do not use, in one
// scenario that must pass every check: cpusets swapped back and forth in
// a loop (the isolation check must follow each move), workers spawned and
// stopped, and a cgroup's workers moved into another cgroup.
func TestOps(t *testing.T) {
	s := gauntlet.Spec{Topology: "1n1l2c1t", Duration: time.Second}
	gauntlet.Run(t, s, func(c *gauntlet.Ctx) error {
		return c.ExecuteSteps(
			gauntlet.Step{Defs: []gauntlet.CgroupDef{
				gauntlet.Cgroup("a").Cpuset(gauntlet.CpusetExact(0)),
				gauntlet.Cgroup("b").Cpuset(gauntlet.CpusetExact(1)),
				gauntlet.Cgroup("sink").Workers(1),
			}, Hold: gauntlet.HoldFraction(0.25)},
			gauntlet.Step{Ops: []gauntlet.Op{gauntlet.SwapCpusets("a", "b")}, Hold: gauntlet.HoldFraction(0.5).Loop(100 * time.Millisecond)},
			gauntlet.Step{Ops: []gauntlet.Op{gauntlet.Spawn("a", 2), gauntlet.StopWorkers("b")}, Hold: gauntlet.HoldFraction(0.25)},
			gauntlet.Step{Ops: []gauntlet.Op{gauntlet.MoveAllTasks("a", "sink"), gauntlet.ClearCpuset("b")}, Hold: gauntlet.HoldFraction(0.25)},
		)
	})
}

// TestBuiltinSchedulerFlags loads the built-in sched_ext scheduler with
// both of its options on (the watchdog timeout and partial switching),
// checks the kernel names it, and runs a short scenario under it. It
// boots the kernel GAUNTLET_SCX_KERNEL names (a kernel with sched_ext) and
// skips in one without.
func TestBuiltinSchedulerFlags(t *testing.T) {
	s := gauntlet.Spec{
		Topology: "1n1l2c1t", Duration: time.Second,
		Scheduler: &gauntlet.Scheduler{Name: "gauntlet_flags", Flags: []gauntlet.Flag{
			{Name: "watchdog", Args: []string{"--timeout-ms=3000"}},
			{Name: "partial", Args: []string{"--switch-partial"}, Requires: []string{"watchdog"}},
		}},
		RequiredFlags: []string{"watchdog", "partial"},
	}
	gauntlet.Run(t, s, func(c *gauntlet.Ctx) error {
		ops, err := os.ReadFile("/sys/kernel/sched_ext/root/ops")
		if err != nil || strings.TrimSpace(string(ops)) != "gauntlet_flags" {
			return fmt.Errorf("root/ops = %q, %v; want gauntlet_flags", ops, err)
		}
		if !c.HasFlag("watchdog") || !c.HasFlag("partial") {
			return fmt.Errorf("flags %v, want watchdog and partial", c.Flags)
		}
		return scenarios.Steady(c)
	})
}
