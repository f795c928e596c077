package scenarios_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/scenarios"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// TestLoadScenarios runs every load scenario once, in one VM with 2 CPUs
// (both usable), 800ms each: long enough for the fairness check's steady
// state (500ms settle, 100ms window).
func TestLoadScenarios(t *testing.T) {
	s := gauntlet.Spec{Topology: "1n1l2c1t", Duration: 800 * time.Millisecond, Timeout: 10 * time.Minute}
	runAll(t, s, scenarios.LoadNames())
}

// TestNewWorkTypes runs the five ktstr-derived work types in one scenario
// and checks what each measured, from the scenario's stats: every worker
// did work, FutexFanOut waiters, FanOutCompute, CacheYield and CachePipe
// took wake-latency samples, and PageFaultChurn faulted at least 100
// pages per cycle (256 random touches of 1024 pages hit about 226
// distinct ones, all dropped after each cycle).
func TestNewWorkTypes(t *testing.T) {
	s := gauntlet.Spec{Topology: "1n1l2c1t", Duration: 1500 * time.Millisecond}
	gauntlet.Run(t, s, func(c *gauntlet.Ctx) error {
		err := c.ExecuteDefs(
			gauntlet.Cgroup("fanout").Workers(4).WorkType(gauntlet.FutexFanOut(3)),
			gauntlet.Cgroup("compute").Workers(4).WorkType(gauntlet.FanOutCompute(3, 0)),
			gauntlet.Cgroup("yield").Workers(2).WorkType(gauntlet.CacheYield(0)),
			gauntlet.Cgroup("pipe").Workers(2).WorkType(gauntlet.CachePipe(0)),
			gauntlet.Cgroup("faults").Workers(2).WorkType(gauntlet.PageFaultChurn(0, 0)),
		)
		all := c.Scenarios()
		if len(all) == 0 {
			return errors.Join(err, errors.New("no scenario stats recorded"))
		}
		return errors.Join(err, checkMeasured(c, all[len(all)-1].Cgroups))
	})
}

// checkMeasured checks and logs what each cgroup of TestNewWorkTypes
// measured.
func checkMeasured(c *gauntlet.Ctx, cgs []spec.CgroupStats) error {
	var errs []error
	seen := map[string]bool{}
	for _, cg := range cgs {
		seen[cg.Name] = true
		c.Logf("%-8s %-24s units %7d (min %5d) wake n=%6d p50 %8v p99 %8v max %8v faults %8d",
			cg.Name, cg.Work, cg.WorkUnits, cg.MinWorkUnits, cg.WakeSamples, cg.WakeP50, cg.WakeP99, cg.WakeMax, cg.PageFaults)
		if cg.MinWorkUnits == 0 {
			errs = append(errs, fmt.Errorf("%s (%s): a worker did no work", cg.Name, cg.Work))
		}
		if cg.Name != "faults" && cg.WakeSamples == 0 {
			errs = append(errs, fmt.Errorf("%s (%s): no wake-latency samples", cg.Name, cg.Work))
		}
		if cg.Name == "faults" && cg.PageFaults < 100*cg.WorkUnits {
			errs = append(errs, fmt.Errorf("faults (%s): %d page faults in %d cycles, want at least 100 per cycle", cg.Work, cg.PageFaults, cg.WorkUnits))
		}
	}
	for _, name := range []string{"fanout", "compute", "yield", "pipe", "faults"} {
		if !seen[name] {
			errs = append(errs, fmt.Errorf("no stats for cgroup %s", name))
		}
	}
	return errors.Join(errs...)
}
