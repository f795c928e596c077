// Package scenarios holds 46 canned scheduler scenarios, each a
// ready-made scenario function a test runs in one line:
//
//	func TestSteady(t *testing.T) {
//		gauntlet.Run(t, gauntlet.Spec{Topology: "1n1l2c1t"}, scenarios.Steady)
//	}
//
// They are written on the public gauntlet API, like any test's own
// scenario. Each sets its own worker counts, so Spec.Workers does not
// change them: a cgroup whose load should spread evenly gets one CPUSpin
// worker per usable CPU ([gauntlet.Ctx.Usable]), because with a count that
// does not divide over the CPUs even a perfectly fair scheduler leaves
// some workers sharing a CPU and others alone, and the fairness check
// would flag the arithmetic. Paired and bursty cgroups get two workers.
// Steps last the Spec's Duration (default 2s) or a fraction of it.
// Scenarios that split the CPUs need at least two usable CPUs (a topology
// with three or more CPUs) and fail with that reason on smaller guests.
//
// There are two kinds. The 13 placement scenarios (Steady to NestedSteady)
// move CPUSpin load around: cpusets applied, cleared and resized, cgroups
// added and removed, affinity changes, nesting. The 33 load scenarios
// (FanOutWake to NewWorkloads, [LoadNames]) mix work types into loads
// that aim at one code path each: 1:N wake-ups ([gauntlet.FutexFanOut]),
// fork-join rounds ([gauntlet.FanOutCompute]), cache-hot yields and
// handoffs, page-fault storms beside latency-sensitive workers, yield
// storms, nice and policy mixes, cpuset-partitioned mixes, loads arriving
// and leaving. Each function's doc says what it stresses.
//
// [ByName] and [Names] look the scenarios up by their snake_case names
// ("steady", "cpuset_apply", "fanout_wake", ...).
package scenarios
