package scenarios

import (
	"fmt"
	"time"

	"github.com/gauntlet-sched/gauntlet"
)

// perCPU returns a cgroup of CPUSpin workers, one per usable CPU.
func perCPU(c *gauntlet.Ctx, name string) gauntlet.CgroupDef {
	return gauntlet.Cgroup(name).Workers(c.Usable.Len())
}

// needCPUs fails a scenario that needs n usable CPUs on a smaller guest.
func needCPUs(c *gauntlet.Ctx, scenario string, n int) error {
	if c.Usable.Len() < n {
		return fmt.Errorf("scenario %s needs %d usable CPUs, the guest has %d (%s): run it on a topology with at least %d CPUs",
			scenario, n, c.Usable.Len(), c.Usable, n+1)
	}
	return nil
}

// Steady stresses plain time sharing between cgroups: two cgroups of
// CPUSpin workers, one worker per usable CPU each, share the usable CPUs
// for the full duration.
func Steady(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(perCPU(c, "cg_0"), perCPU(c, "cg_1"))
}

// SteadyLLC stresses load balancing within each last-level cache: one
// cgroup per LLC, confined to the LLC's usable CPUs, with two CPUSpin
// workers per CPU, for the full duration.
func SteadyLLC(c *gauntlet.Ctx) error {
	var defs []gauntlet.CgroupDef
	for i := range c.Layout.LLCs {
		s, err := c.Layout.LLCSet(i, c.Usable)
		if err != nil {
			continue
		}
		defs = append(defs, gauntlet.Cgroup(fmt.Sprintf("llc_%d", i)).Cpuset(gauntlet.CpusetLLC(i)).Workers(2*s.Len()))
	}
	return c.ExecuteDefs(defs...)
}

// Oversubscribed stresses a long run queue: one cgroup with three CPUSpin
// workers per usable CPU (at most [gauntlet.MaxWorkers]) for the full
// duration.
func Oversubscribed(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(gauntlet.Cgroup("cg_0").Workers(min(3*c.Usable.Len(), gauntlet.MaxWorkers)))
}

// CpusetApply stresses migrating running tasks when a cpuset shrinks: two
// cgroups share all usable CPUs for half the duration, then each is
// confined to its own half. It needs two usable CPUs.
func CpusetApply(c *gauntlet.Ctx) error {
	if err := needCPUs(c, "cpuset_apply", 2); err != nil {
		return err
	}
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{perCPU(c, "cg_0"), perCPU(c, "cg_1")}, Hold: gauntlet.HoldFraction(0.5)},
		gauntlet.Step{Ops: []gauntlet.Op{
			gauntlet.SetCpuset("cg_0", gauntlet.CpusetDisjoint(0, 2)),
			gauntlet.SetCpuset("cg_1", gauntlet.CpusetDisjoint(1, 2)),
		}, Hold: gauntlet.HoldFraction(0.5)},
	)
}

// CpusetClear stresses spreading out when a cpuset grows: two cgroups
// start on disjoint halves of the usable CPUs; halfway their cpusets are
// cleared and they share all of them. It needs two usable CPUs.
func CpusetClear(c *gauntlet.Ctx) error {
	if err := needCPUs(c, "cpuset_clear", 2); err != nil {
		return err
	}
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{
			perCPU(c, "cg_0").Cpuset(gauntlet.CpusetDisjoint(0, 2)),
			perCPU(c, "cg_1").Cpuset(gauntlet.CpusetDisjoint(1, 2)),
		}, Hold: gauntlet.HoldFraction(0.5)},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.ClearCpuset("cg_0"), gauntlet.ClearCpuset("cg_1")}, Hold: gauntlet.HoldFraction(0.5)},
	)
}

// CpusetResize stresses a cpuset growing and shrinking under load: cg_0
// starts on the first half of the usable CPUs and cg_1 on the second;
// cg_0 then grows to all of them, then shrinks to the first quarter, a
// third of the duration each. It needs two usable CPUs.
func CpusetResize(c *gauntlet.Ctx) error {
	if err := needCPUs(c, "cpuset_resize", 2); err != nil {
		return err
	}
	third := gauntlet.HoldFraction(1.0 / 3)
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{
			perCPU(c, "cg_0").Cpuset(gauntlet.CpusetRange(0, 0.5)),
			perCPU(c, "cg_1").Cpuset(gauntlet.CpusetRange(0.5, 1)),
		}, Hold: third},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.SetCpuset("cg_0", gauntlet.CpusetRange(0, 1))}, Hold: third},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.SetCpuset("cg_0", gauntlet.CpusetRange(0, 0.25))}, Hold: third},
	)
}

// CgroupAdd stresses new load arriving beside running load: cg_0 runs
// alone for half the duration, then cg_1 joins.
func CgroupAdd(c *gauntlet.Ctx) error {
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{perCPU(c, "cg_0")}, Hold: gauntlet.HoldFraction(0.5)},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.AddCgroup(perCPU(c, "cg_1"))}, Hold: gauntlet.HoldFraction(0.5)},
	)
}

// CgroupRemove stresses load leaving: cg_0 and cg_1 run for half the
// duration, then cg_1 is stopped and removed, and cg_0 must take up the
// freed CPUs.
func CgroupRemove(c *gauntlet.Ctx) error {
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{perCPU(c, "cg_0"), perCPU(c, "cg_1")}, Hold: gauntlet.HoldFraction(0.5)},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.RemoveCgroup("cg_1")}, Hold: gauntlet.HoldFraction(0.5)},
	)
}

// AffinityChange stresses affinity changes of running tasks: cg_0's
// workers run unpinned, then each pinned to one CPU, then re-pinned to a
// random CPU every tenth of the duration, then unpinned again (a quarter
// of the duration each), beside an unpinned cg_1.
func AffinityChange(c *gauntlet.Ctx) error {
	quarter := gauntlet.HoldFraction(0.25)
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{perCPU(c, "cg_0"), perCPU(c, "cg_1")}, Hold: quarter},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.SetAffinity("cg_0", gauntlet.AffinitySingleCPU())}, Hold: quarter},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.SetAffinity("cg_0", gauntlet.AffinityRandom(1))}, Hold: quarter.Loop(max(c.Duration/10, time.Millisecond))},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.SetAffinity("cg_0", gauntlet.AffinityInherit())}, Hold: quarter},
	)
}

// AffinityPinned stresses pinned tasks beside migratable ones: cg_0 has
// one worker pinned to each usable CPU; cg_1's unpinned workers compete
// with them for the full duration.
func AffinityPinned(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "cg_0").Affinity(gauntlet.AffinitySingleCPU()),
		perCPU(c, "cg_1"),
	)
}

// HostContention stresses compute beside host-like noise: cg_0's CPUSpin
// workers (one per usable CPU) run while one IOSync and one ForkExit
// worker per usable CPU, in their own cgroups, take the same CPUs.
func HostContention(c *gauntlet.Ctx) error {
	n := c.Usable.Len()
	return c.ExecuteDefs(
		perCPU(c, "cg_0"),
		gauntlet.Cgroup("host_io").Workers(n).WorkType(gauntlet.IOSync()),
		gauntlet.Cgroup("host_fork").Workers(n).WorkType(gauntlet.ForkExit()),
	)
}

// MixedWorkloads stresses every kind of load at once: seven cgroups, one
// per kind: CPUSpin, YieldHeavy, MutexContention and CachePressure with
// one worker per usable CPU, and pairs of Bursty, PipeIO and FutexPingPong
// workers.
func MixedWorkloads(c *gauntlet.Ctx) error {
	burst := max(c.Duration/50, time.Millisecond)
	return c.ExecuteDefs(
		perCPU(c, "spin"),
		gauntlet.Cgroup("bursty").Workers(2).WorkType(gauntlet.Bursty(burst, 2*burst)),
		gauntlet.Cgroup("pipe").Workers(2).WorkType(gauntlet.PipeIO()),
		gauntlet.Cgroup("futex").Workers(2).WorkType(gauntlet.FutexPingPong()),
		perCPU(c, "yield").WorkType(gauntlet.YieldHeavy()),
		perCPU(c, "mutex").WorkType(gauntlet.MutexContention()),
		perCPU(c, "cache").WorkType(gauntlet.CachePressure(0)),
	)
}

// NestedSteady stresses hierarchical (nested cgroup) scheduling: a parent
// cgroup holding two child cgroups, beside a flat cgroup, each leaf with
// one CPUSpin worker per usable CPU, for the full duration.
func NestedSteady(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		gauntlet.Cgroup("outer").Nested(perCPU(c, "inner_a"), perCPU(c, "inner_b")),
		perCPU(c, "flat"),
	)
}
