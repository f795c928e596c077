package gauntlet_test

import (
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/scenarios"
)

// t stands for the *testing.T of the test the examples are written in;
// the examples need a VM, so they compile but do not run.
var t *testing.T

// The simplest test runs a canned scenario: two cgroups of CPUSpin
// workers sharing two CPUs under the kernel's own scheduler.
func ExampleRun() {
	// func TestSteady(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: "1n1l2c1t"}, scenarios.Steady)
	// }
}

// A custom scenario declares its cgroups: four CPUSpin workers beside two
// workers that burst for 50ms and sleep for 100ms.
func ExampleCtx_ExecuteDefs() {
	// func TestTwoCgroups(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{Topology: "1n1l2c1t"}, func(c *gauntlet.Ctx) error {
		return c.ExecuteDefs(
			gauntlet.Cgroup("cg_0").Workers(4),
			gauntlet.Cgroup("cg_1").Workers(2).WorkType(gauntlet.Bursty(50*time.Millisecond, 100*time.Millisecond)),
		)
	})
	// }
}

// A multi-step scenario changes the cgroups while they run: two cgroups
// share all usable CPUs for half the duration, then each is confined to
// its own half, under a sched_ext scheduler (the built-in one).
func ExampleCtx_ExecuteSteps() {
	// func TestCpusetSplit(t *testing.T) {
	s := gauntlet.Spec{Topology: "1n2l2c1t", Scheduler: &gauntlet.Scheduler{Name: "gauntlet_min"}}
	gauntlet.Run(t, s, func(c *gauntlet.Ctx) error {
		return c.ExecuteSteps(
			gauntlet.Step{
				Defs: []gauntlet.CgroupDef{gauntlet.Cgroup("cg_0").Workers(2), gauntlet.Cgroup("cg_1").Workers(2)},
				Hold: gauntlet.HoldFraction(0.5),
			},
			gauntlet.Step{
				Ops: []gauntlet.Op{
					gauntlet.SetCpuset("cg_0", gauntlet.CpusetDisjoint(0, 2)),
					gauntlet.SetCpuset("cg_1", gauntlet.CpusetDisjoint(1, 2)),
				},
				Hold: gauntlet.HoldFraction(0.5),
			},
		)
	})
	// }
}
