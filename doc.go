// Package gauntlet is the library scheduler developers import to write
// scheduler tests as ordinary Go tests.
//
// A test declares its [Spec] and a scenario function:
//
//	func TestTwoCgroups(t *testing.T) {
//		gauntlet.Run(t, gauntlet.Spec{Topology: "1n1l2c1t"}, func(c *gauntlet.Ctx) error {
//			return c.ExecuteDefs(
//				gauntlet.Cgroup("cg_0").Workers(4),
//				gauntlet.Cgroup("cg_1").Workers(2).WorkType(gauntlet.Bursty(50*time.Millisecond, 100*time.Millisecond)),
//			)
//		})
//	}
//
// Run by plain `go test` on the host (CGO_ENABLED=0, since the test binary
// becomes the VM's init), [Run] boots one VM at the Spec's base topology
// and reports the guest's verdict as the test's own. Inside the VM, [Run]
// executes the scenario with a [Ctx]. The gauntlet command expands every
// such test across topology presets and scheduler flag profiles; see
// package spec for the roles a test binary plays.
//
// # Scenarios
//
// A scenario declares cgroups with [Cgroup] and the [CgroupDef] setters:
// how many workers, doing which [WorkType] ([CPUSpin], [Bursty],
// [PipeIO], ..., or [Custom] work), on which CPUs ([CpusetSpec],
// [AffinitySpec]), under which [Policy] and nice value, nested or flat.
// [Ctx.ExecuteDefs] runs them for the full duration; [Ctx.ExecuteSteps]
// runs a sequence of [Step], each adding cgroups, applying an [Op] or
// more (move cpusets, re-pin, spawn, stop, remove) and holding for its
// [Hold]. Package scenarios has 46 canned scenarios written the same way.
// [Ctx.Scenarios] returns what each executed scenario measured, per
// cgroup.
//
// Every scenario ends with the checks (starvation, stuck, isolation,
// fairness) over every worker; a failed check is a *[CheckError], whose
// message reads like "stuck 3500ms on cpu1 at +1200ms" followed by a
// per-cgroup stats block. [Checks] tunes the thresholds.
//
// # Schedulers under test
//
// A [Scheduler] in the Spec is loaded before the scenario and watched
// until the end: when the kernel ejects it (scx_bpf_error, a runnable
// task stall, a runtime error), it unloads itself or its loader dies, the
// scenario ends at once and the test fails with a *[SchedulerError] whose
// one line reads like "scheduler qmap ejected after 1.2s: scx_bpf_error:
// test triggering error"; a scheduler that never attaches says so with
// its loader's last words. The structured exit ([spec.SchedulerExit]:
// kind, reason, message, the victim of a stall and whether it was the
// harness, a worker or another task) is in the test's result with the
// verifier's instruction counts of its BPF programs; the loader's output,
// the kernel's sched_ext lines and the debug dump come back as log files.
// [ExpectSchedulerExit] turns an exit into the expected outcome, for
// fault-injection runs.
package gauntlet
