package guest

import (
	"fmt"
	"time"
)

// Canned is a ready-made scenario, run as one line by a test:
//
//	gauntlet.Run(t, spec, scenarios.Steady)
type Canned struct {
	// Name is the scenario's snake_case name, e.g. "cpuset_apply".
	Name string
	Run  func(*Ctx) error
}

// CannedScenarios lists the 13 canned scenarios in a fixed order.
func CannedScenarios() []Canned {
	return []Canned{
		{"steady", Steady}, {"steady_llc", SteadyLLC}, {"oversubscribed", Oversubscribed},
		{"cpuset_apply", CpusetApply}, {"cpuset_clear", CpusetClear}, {"cpuset_resize", CpusetResize},
		{"cgroup_add", CgroupAdd}, {"cgroup_remove", CgroupRemove},
		{"affinity_change", AffinityChange}, {"affinity_pinned", AffinityPinned},
		{"host_contention", HostContention}, {"mixed_workloads", MixedWorkloads},
		{"nested_steady", NestedSteady},
	}
}

// Canned scenarios give a cgroup one worker per usable CPU (perCPU) where
// its load should spread evenly: with a count that does not divide over
// the CPUs, even a perfectly fair scheduler leaves some workers sharing a
// CPU and others alone, and the fairness check would flag the arithmetic.

// perCPU returns a cgroup of CpuSpin workers, one per usable CPU.
func perCPU(c *Ctx, name string) CgroupDef { return Cgroup(name).Workers(c.Usable.Len()) }

// Steady: two cgroups of CpuSpin workers, one worker per usable CPU each,
// share the usable CPUs for the full duration.
func Steady(c *Ctx) error {
	return c.ExecuteDefs(perCPU(c, "cg_0"), perCPU(c, "cg_1"))
}

// SteadyLLC: one cgroup per LLC, confined to the LLC's usable CPUs, with
// two CpuSpin workers per CPU, for the full duration.
func SteadyLLC(c *Ctx) error {
	var defs []CgroupDef
	for i := range c.Layout.LLCs {
		s, err := c.Layout.LLCSet(i, c.Usable)
		if err != nil {
			continue
		}
		defs = append(defs, Cgroup(fmt.Sprintf("llc_%d", i)).Cpuset(CpusetLLC(i)).Workers(2*s.Len()))
	}
	return c.ExecuteDefs(defs...)
}

// Oversubscribed: one cgroup with three CpuSpin workers per usable CPU.
func Oversubscribed(c *Ctx) error {
	return c.ExecuteDefs(Cgroup("cg_0").Workers(min(3*c.Usable.Len(), maxWorkersPerCgroup)))
}

// needCPUs fails a scenario that needs n usable CPUs on a smaller guest.
func needCPUs(c *Ctx, scenario string, n int) error {
	if c.Usable.Len() < n {
		return fmt.Errorf("scenario %s needs %d usable CPUs, the guest has %d (%s): run it on a topology with at least %d CPUs",
			scenario, n, c.Usable.Len(), c.Usable, n+1)
	}
	return nil
}

// CpusetApply: two cgroups (one worker per usable CPU each) share all
// usable CPUs for half the duration, then each is confined to its own
// half.
func CpusetApply(c *Ctx) error {
	if err := needCPUs(c, "cpuset_apply", 2); err != nil {
		return err
	}
	return c.ExecuteSteps(
		Step{Defs: []CgroupDef{perCPU(c, "cg_0"), perCPU(c, "cg_1")}, Hold: HoldFraction(0.5)},
		Step{Ops: []Op{SetCpuset("cg_0", CpusetDisjoint(0, 2)), SetCpuset("cg_1", CpusetDisjoint(1, 2))}, Hold: HoldFraction(0.5)},
	)
}

// CpusetClear: two cgroups start on disjoint halves of the usable CPUs;
// halfway their cpusets are cleared and they share all of them.
func CpusetClear(c *Ctx) error {
	if err := needCPUs(c, "cpuset_clear", 2); err != nil {
		return err
	}
	return c.ExecuteSteps(
		Step{Defs: []CgroupDef{perCPU(c, "cg_0").Cpuset(CpusetDisjoint(0, 2)), perCPU(c, "cg_1").Cpuset(CpusetDisjoint(1, 2))}, Hold: HoldFraction(0.5)},
		Step{Ops: []Op{ClearCpuset("cg_0"), ClearCpuset("cg_1")}, Hold: HoldFraction(0.5)},
	)
}

// CpusetResize: cg_0 starts on the first half of the usable CPUs and cg_1
// on the second; cg_0 then grows to all of them, then shrinks to the
// first quarter, a third of the duration each.
func CpusetResize(c *Ctx) error {
	if err := needCPUs(c, "cpuset_resize", 2); err != nil {
		return err
	}
	third := HoldFraction(1.0 / 3)
	return c.ExecuteSteps(
		Step{Defs: []CgroupDef{perCPU(c, "cg_0").Cpuset(CpusetRange(0, 0.5)), perCPU(c, "cg_1").Cpuset(CpusetRange(0.5, 1))}, Hold: third},
		Step{Ops: []Op{SetCpuset("cg_0", CpusetRange(0, 1))}, Hold: third},
		Step{Ops: []Op{SetCpuset("cg_0", CpusetRange(0, 0.25))}, Hold: third},
	)
}

// CgroupAdd: cg_0 runs alone for half the duration, then cg_1 joins.
func CgroupAdd(c *Ctx) error {
	return c.ExecuteSteps(
		Step{Defs: []CgroupDef{perCPU(c, "cg_0")}, Hold: HoldFraction(0.5)},
		Step{Ops: []Op{AddCgroup(perCPU(c, "cg_1"))}, Hold: HoldFraction(0.5)},
	)
}

// CgroupRemove: cg_0 and cg_1 run for half the duration, then cg_1 is
// stopped and removed.
func CgroupRemove(c *Ctx) error {
	return c.ExecuteSteps(
		Step{Defs: []CgroupDef{perCPU(c, "cg_0"), perCPU(c, "cg_1")}, Hold: HoldFraction(0.5)},
		Step{Ops: []Op{RemoveCgroup("cg_1")}, Hold: HoldFraction(0.5)},
	)
}

// AffinityChange: cg_0's workers run unpinned, then each pinned to one
// CPU, then re-pinned to a random CPU every tenth of the duration, then
// unpinned again (a quarter of the duration each), beside an unpinned
// cg_1.
func AffinityChange(c *Ctx) error {
	quarter := HoldFraction(0.25)
	return c.ExecuteSteps(
		Step{Defs: []CgroupDef{perCPU(c, "cg_0"), perCPU(c, "cg_1")}, Hold: quarter},
		Step{Ops: []Op{SetAffinity("cg_0", AffinitySingleCPU())}, Hold: quarter},
		Step{Ops: []Op{SetAffinity("cg_0", AffinityRandom(1))}, Hold: quarter.Loop(max(c.Duration/10, time.Millisecond))},
		Step{Ops: []Op{SetAffinity("cg_0", AffinityInherit())}, Hold: quarter},
	)
}

// AffinityPinned: cg_0 has one worker pinned to each usable CPU; cg_1's
// unpinned workers compete with them for the full duration.
func AffinityPinned(c *Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "cg_0").Affinity(AffinitySingleCPU()),
		perCPU(c, "cg_1"),
	)
}

// HostContention: cg_0's CpuSpin workers (one per usable CPU) run while
// host-like noise takes
// the same CPUs: one IoSync and one ForkExit worker per usable CPU, in
// their own cgroups.
func HostContention(c *Ctx) error {
	n := c.Usable.Len()
	return c.ExecuteDefs(
		perCPU(c, "cg_0"),
		Cgroup("host_io").Workers(n).WorkType(IoSync()),
		Cgroup("host_fork").Workers(n).WorkType(ForkExit()),
	)
}

// MixedWorkloads: seven cgroups, one per kind of load: CpuSpin,
// YieldHeavy, MutexContention and CachePressure with one worker per
// usable CPU, and pairs of Bursty, PipeIo and FutexPingPong workers.
func MixedWorkloads(c *Ctx) error {
	burst := max(c.Duration/50, time.Millisecond)
	return c.ExecuteDefs(
		perCPU(c, "spin"),
		Cgroup("bursty").Workers(2).WorkType(Bursty(burst, 2*burst)),
		Cgroup("pipe").Workers(2).WorkType(PipeIo()),
		Cgroup("futex").Workers(2).WorkType(FutexPingPong()),
		perCPU(c, "yield").WorkType(YieldHeavy()),
		perCPU(c, "mutex").WorkType(MutexContention()),
		perCPU(c, "cache").WorkType(CachePressure(0)),
	)
}

// NestedSteady: a parent cgroup holding two child cgroups, beside a flat
// cgroup, each leaf with one CpuSpin worker per usable CPU, for the full
// duration.
func NestedSteady(c *Ctx) error {
	return c.ExecuteDefs(
		Cgroup("outer").Nested(perCPU(c, "inner_a"), perCPU(c, "inner_b")),
		perCPU(c, "flat"),
	)
}
