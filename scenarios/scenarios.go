// Package scenarios holds the canned scheduler scenarios, each a
// ready-made scenario function a test runs in one line:
//
//	func TestSteady(t *testing.T) {
//		gauntlet.Run(t, gauntlet.Spec{Topology: "1n1l2c1t"}, scenarios.Steady)
//	}
//
// Worker counts default to the Spec's Workers (2); durations to its
// Duration (2s). Scenarios that split the CPUs need at least two usable
// CPUs (a topology with three or more) and fail with that reason on
// smaller guests.
package scenarios

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/guest"
)

// Steady: two cgroups of CpuSpin workers share the usable CPUs for the
// full duration.
func Steady(c *gauntlet.Ctx) error { return guest.Steady(c) }

// SteadyLLC: one cgroup of CpuSpin workers per LLC, confined to it.
func SteadyLLC(c *gauntlet.Ctx) error { return guest.SteadyLLC(c) }

// Oversubscribed: one cgroup with three CpuSpin workers per usable CPU.
func Oversubscribed(c *gauntlet.Ctx) error { return guest.Oversubscribed(c) }

// CpusetApply: two cgroups share all CPUs, then each gets its own half.
func CpusetApply(c *gauntlet.Ctx) error { return guest.CpusetApply(c) }

// CpusetClear: two cgroups on disjoint halves, then their cpusets are
// cleared.
func CpusetClear(c *gauntlet.Ctx) error { return guest.CpusetClear(c) }

// CpusetResize: cg_0's cpuset grows from half the CPUs to all, then
// shrinks to a quarter, beside cg_1 on the second half.
func CpusetResize(c *gauntlet.Ctx) error { return guest.CpusetResize(c) }

// CgroupAdd: cg_0 runs alone, then cg_1 is added halfway.
func CgroupAdd(c *gauntlet.Ctx) error { return guest.CgroupAdd(c) }

// CgroupRemove: cg_0 and cg_1 run, then cg_1 is removed halfway.
func CgroupRemove(c *gauntlet.Ctx) error { return guest.CgroupRemove(c) }

// AffinityChange: cg_0's workers go from unpinned to one CPU each, to a
// random CPU re-drawn every tenth of the duration, and back to unpinned,
// beside an unpinned cg_1.
func AffinityChange(c *gauntlet.Ctx) error { return guest.AffinityChange(c) }

// AffinityPinned: one pinned worker per usable CPU competes with an
// unpinned cgroup.
func AffinityPinned(c *gauntlet.Ctx) error { return guest.AffinityPinned(c) }

// HostContention: CpuSpin workers beside IoSync and ForkExit noise.
func HostContention(c *gauntlet.Ctx) error { return guest.HostContention(c) }

// MixedWorkloads: seven cgroups, one per kind of load.
func MixedWorkloads(c *gauntlet.Ctx) error { return guest.MixedWorkloads(c) }

// NestedSteady: two child cgroups inside a parent, beside a flat one.
func NestedSteady(c *gauntlet.Ctx) error { return guest.NestedSteady(c) }

// ByName returns the canned scenario called name ("steady",
// "cpuset_apply", ...); the error lists the names.
func ByName(name string) (func(*gauntlet.Ctx) error, error) {
	var names []string
	for _, s := range guest.CannedScenarios() {
		if s.Name == name {
			return s.Run, nil
		}
		names = append(names, s.Name)
	}
	return nil, fmt.Errorf("unknown scenario %q; known: %v", name, names)
}

// Names lists the canned scenarios' names in a fixed order.
func Names() []string {
	var names []string
	for _, s := range guest.CannedScenarios() {
		names = append(names, s.Name)
	}
	return names
}
