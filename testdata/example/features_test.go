package example

import (
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/scenarios"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// minimalScheduler is the built-in sched_ext scheduler (no Binary: it is
// loaded from Go, every task on one global FIFO queue) with two optional
// flags. The planner builds profiles from them: default, watchdog, and
// watchdog+partial (partial requires watchdog).
var minimalScheduler = &gauntlet.Scheduler{
	Name: "gauntlet_min",
	Flags: []gauntlet.Flag{
		{Name: "watchdog", Args: []string{"--timeout-ms=5000"}},
		{Name: "partial", Args: []string{"--switch-partial"}, Requires: []string{"watchdog"}},
	},
}

// TestSchedExtSteady runs two cgroups under the sched_ext scheduler; the
// harness waits until /sys/kernel/sched_ext/root/ops names it and checks
// it is still loaded between steps and at the end. Under plain `go test`
// it boots the kernel GAUNTLET_SCX_KERNEL names; without sched_ext in the
// kernel it skips, saying so.
func TestSchedExtSteady(t *testing.T) {
	spec := gauntlet.Spec{Topology: "1n1l2c1t", Scheduler: minimalScheduler}
	gauntlet.Run(t, spec, func(c *gauntlet.Ctx) error {
		if c.HasFlag("partial") {
			c.Logf("partial: only SCHED_EXT tasks use the BPF scheduler; the workers stay on EEVDF")
		}
		return c.ExecuteSteps(
			gauntlet.Step{Defs: []gauntlet.CgroupDef{gauntlet.Cgroup("cg_0"), gauntlet.Cgroup("cg_1")}, Hold: gauntlet.HoldFraction(0.5)},
			gauntlet.Step{Ops: []gauntlet.Op{gauntlet.AddCgroup(gauntlet.Cgroup("cg_2").WorkType(gauntlet.Bursty(10*time.Millisecond, 20*time.Millisecond)))}, Hold: gauntlet.HoldFraction(0.5)},
		)
	})
}

// TestPerLLC confines one cgroup to each LLC. Its constraints keep the
// planner to presets with 2 to 8 LLCs and at most 16 CPUs.
func TestPerLLC(t *testing.T) {
	spec := gauntlet.Spec{
		Topology:    "1n2l2c1t",
		Constraints: topo.Constraints{MinLLCs: 2, MaxLLCs: 8, MaxCPUs: 16},
	}
	gauntlet.Run(t, spec, scenarios.SteadyLLC)
}
