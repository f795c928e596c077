package example

import (
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/scenarios"
)

// The seed's three examples, at two CPUs (1 NUMA node, 1 LLC, 2 cores,
// 1 thread), under the kernel's own scheduler.

// TestSteady runs the canned steady scenario: two cgroups of CPUSpin
// workers share the CPUs for the full duration.
func TestSteady(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: "1n1l2c1t"}, scenarios.Steady)
}

// TestTwoCgroups declares two cgroups: four CPUSpin workers, and two
// workers that burst for 50ms and sleep for 100ms. Built with -tags
// gauntlet_regress it gains the planted regression of regress_test.go,
// for trying `gauntlet report --compare`.
func TestTwoCgroups(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: "1n1l2c1t"}, func(c *gauntlet.Ctx) error {
		return c.ExecuteDefs(append([]gauntlet.CgroupDef{
			gauntlet.Cgroup("cg_0").Workers(4),
			gauntlet.Cgroup("cg_1").Workers(2).WorkType(gauntlet.Bursty(50*time.Millisecond, 100*time.Millisecond)),
		}, plantedLoad()...)...)
	})
}

// TestOneStep runs one step with two cgroups held for the full duration.
func TestOneStep(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: "1n1l2c1t"}, func(c *gauntlet.Ctx) error {
		return c.ExecuteSteps(gauntlet.Step{
			Defs: []gauntlet.CgroupDef{
				gauntlet.Cgroup("cg_0").Workers(2),
				gauntlet.Cgroup("cg_1").Workers(2),
			},
			Hold: gauntlet.HoldFull(),
		})
	})
}
