package gauntlet_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/scenarios"
	"github.com/gauntlet-sched/gauntlet/spec"
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

// A fault-injection run expects the scheduler to be ejected: scx_qmap's
// -e 500 makes its 500th enqueue call scx_bpf_error(). The check gets the
// structured exit (kind, reason, message, victim, timings); the test
// passes when it returns nil, and fails if the scheduler runs to the end.
func ExampleExpectSchedulerExit() {
	// func TestQmapBPFError(t *testing.T) {
	s := gauntlet.Spec{Topology: "1n1l2c1t", Duration: time.Minute,
		Scheduler: &gauntlet.Scheduler{Name: "qmap", Binary: "/opt/scx/scx_qmap", Args: []string{"-e", "500"}}}
	gauntlet.Run(t, s, scenarios.Steady, gauntlet.ExpectSchedulerExit(func(e spec.SchedulerExit) error {
		if e.Kind != spec.ExitBPFError || e.Message != "test triggering error" {
			return fmt.Errorf("want scx_bpf_error, got %s", e.String())
		}
		return nil
	}))
	// }
}

// A payload runs a real benchmark as part of a step: here cyclictest
// measures wake-up latency in the background while stress-ng loads the
// workers' cgroup. The Spec declares both, so their binaries are packed
// into the guest, and bounds cyclictest's worst latency: above 5 ms the
// test fails with "metric cyclictest.latency_max_us = 7671 us, above its
// bound 5000 us".
func ExampleRunPayload() {
	// func TestLatencyUnderLoad(t *testing.T) {
	s := gauntlet.Spec{
		Topology:     "1n1l2c1t",
		Payloads:     []gauntlet.Payload{gauntlet.Cyclictest(), gauntlet.StressNG()},
		MetricBounds: []gauntlet.MetricBound{gauntlet.MetricAtMost("cyclictest.latency_max_us", 5000)},
	}
	gauntlet.Run(t, s, func(c *gauntlet.Ctx) error {
		return c.ExecuteSteps(gauntlet.Step{
			Defs: []gauntlet.CgroupDef{gauntlet.Cgroup("cg_0")},
			Ops: []gauntlet.Op{
				gauntlet.RunPayload(gauntlet.PayloadRun{Payload: "cyclictest", Args: []string{"-q", "-D", "2", "-t", "1"}, Background: true}),
				gauntlet.RunPayload(gauntlet.PayloadRun{Payload: "stress-ng", Args: []string{"--cpu", "1", "--timeout", "1s"}, Cgroup: "cg_0"}),
			},
		})
	})
	// }
}
