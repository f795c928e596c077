package scenarios

import (
	"fmt"
	"time"

	"github.com/gauntlet-sched/gauntlet"
)

// The load scenarios: each mixes work types into one real load a
// scheduler developer can point at a code path (wake-ups, cache,
// page faults, yields, weights, cpusets). Every cgroup whose workers are
// compared for fairness has one worker per usable CPU (or a pair), as in
// the placement scenarios. They run on any topology with two usable CPUs
// or more.

// burstOf is a Bursty burst that fits the scenario's duration.
func burstOf(c *gauntlet.Ctx) time.Duration { return max(c.Duration/50, time.Millisecond) }

// latency is a pair of latency-sensitive Bursty workers: short bursts,
// longer sleeps, each wake measured.
func latency(c *gauntlet.Ctx, name string) gauntlet.CgroupDef {
	b := burstOf(c)
	return gauntlet.Cgroup(name).Workers(2).WorkType(gauntlet.Bursty(b, 2*b))
}

// FanOutWake stresses 1:N wake-ups beside CPU hogs: one FutexFanOut group
// (a waker and four waiters) wakes all its waiters at once while a CPUSpin
// worker per usable CPU keeps every CPU busy.
func FanOutWake(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		gauntlet.Cgroup("fanout").Workers(5).WorkType(gauntlet.FutexFanOut(4)),
		perCPU(c, "spin"),
	)
}

// FanOutWide stresses a wake-up wider than the machine: one waker wakes
// eight waiters at once, more than there are CPUs on small guests, so
// the woken tasks queue behind each other.
func FanOutWide(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(gauntlet.Cgroup("fanout").Workers(9).WorkType(gauntlet.FutexFanOut(8)))
}

// FanOutGroups stresses many independent wakers: two FutexFanOut groups
// in separate cgroups (a waker and two waiters each) wake at their own
// pace beside a CacheYield worker per CPU.
func FanOutGroups(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		gauntlet.Cgroup("fan_a").Workers(3).WorkType(gauntlet.FutexFanOut(2)),
		gauntlet.Cgroup("fan_b").Workers(3).WorkType(gauntlet.FutexFanOut(2)),
		perCPU(c, "yield").WorkType(gauntlet.CacheYield(0)),
	)
}

// ForkJoin stresses fork-join rounds: a FanOutCompute producer hands a
// matrix multiplication to each of four workers and waits for the slowest
// before the next round, so one delayed worker delays them all.
func ForkJoin(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(gauntlet.Cgroup("compute").Workers(5).WorkType(gauntlet.FanOutCompute(4, 0)))
}

// ForkJoinContended stresses fork-join rounds against CPU hogs: two
// FanOutCompute groups (a producer and two workers each) beside a CPUSpin
// worker per usable CPU; the join waits for workers that queue behind
// the hogs.
func ForkJoinContended(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		gauntlet.Cgroup("compute").Workers(6).WorkType(gauntlet.FanOutCompute(2, 0)),
		perCPU(c, "spin"),
	)
}

// CacheYieldStorm stresses re-placement after voluntary yields with warm
// working sets: two CacheYield workers per usable CPU.
func CacheYieldStorm(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(gauntlet.Cgroup("yield").Workers(2 * c.Usable.Len()).WorkType(gauntlet.CacheYield(0)))
}

// CachePipePairs stresses wake placement of cache-hot partners: one
// CachePipe pair per usable CPU hands work back and forth, each pair in
// its own cgroup.
func CachePipePairs(c *gauntlet.Ctx) error {
	var defs []gauntlet.CgroupDef
	for i := range c.Usable.Len() {
		defs = append(defs, gauntlet.Cgroup(fmt.Sprintf("pair_%d", i)).Workers(2).WorkType(gauntlet.CachePipe(0)))
	}
	return c.ExecuteDefs(defs...)
}

// CacheLLC stresses cache contention per LLC and across LLCs: per LLC a
// cgroup of CachePressure workers (4 MiB each, one per CPU) confined to
// it, beside unconfined CachePipe pairs whose partners may sit in
// different LLCs.
func CacheLLC(c *gauntlet.Ctx) error {
	defs := []gauntlet.CgroupDef{gauntlet.Cgroup("pipe").Workers(2).WorkType(gauntlet.CachePipe(256))}
	for i := range c.Layout.LLCs {
		s, err := c.Layout.LLCSet(i, c.Usable)
		if err != nil {
			continue
		}
		defs = append(defs, gauntlet.Cgroup(fmt.Sprintf("llc_%d", i)).Cpuset(gauntlet.CpusetLLC(i)).
			Workers(s.Len()).WorkType(gauntlet.CachePressure(4096)))
	}
	return c.ExecuteDefs(defs...)
}

// CacheMixed stresses every cache pattern at once: CachePressure,
// CacheYield and CachePipe cgroups share the CPUs.
func CacheMixed(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "pressure").WorkType(gauntlet.CachePressure(2048)),
		perCPU(c, "yield").WorkType(gauntlet.CacheYield(512)),
		gauntlet.Cgroup("pipe").Workers(2).WorkType(gauntlet.CachePipe(512)),
	)
}

// PageFaultStorm stresses page-fault storms beside latency-sensitive
// work: a PageFaultChurn worker per usable CPU faults pages in and out
// while a Bursty pair sleeps and wakes.
func PageFaultStorm(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(perCPU(c, "faults").WorkType(gauntlet.PageFaultChurn(0, 0)), latency(c, "latency"))
}

// PageFaultPipe stresses wake-ups beside kernel-heavy neighbours: PipeIO
// and FutexPingPong pairs hand off while PageFaultChurn workers (one per
// CPU) spend their time in the page-fault path.
func PageFaultPipe(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "faults").WorkType(gauntlet.PageFaultChurn(2048, 128)),
		gauntlet.Cgroup("pipe").Workers(2).WorkType(gauntlet.PipeIO()),
		gauntlet.Cgroup("futex").Workers(2).WorkType(gauntlet.FutexPingPong()),
	)
}

// PageFaultFork stresses address-space churn: PageFaultChurn workers
// beside ForkExit workers (one each per CPU), both hammering the memory
// manager, beside CPUSpin.
func PageFaultFork(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "faults").WorkType(gauntlet.PageFaultChurn(0, 0)),
		perCPU(c, "fork").WorkType(gauntlet.ForkExit()),
		perCPU(c, "spin"),
	)
}

// YieldStorm stresses sched_yield under load: two YieldHeavy workers per
// usable CPU beside a CPUSpin worker per CPU, which must keep its share.
func YieldStorm(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		gauntlet.Cgroup("yield").Workers(2*c.Usable.Len()).WorkType(gauntlet.YieldHeavy()),
		perCPU(c, "spin"),
	)
}

// NiceMix stresses weights: three cgroups of CPUSpin workers (one per
// CPU) at nice -5, 0 and 10.
func NiceMix(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(perCPU(c, "nice_m5").Nice(-5), perCPU(c, "nice_0"), perCPU(c, "nice_10").Nice(10))
}

// NiceLatency stresses latency of light tasks beside heavy weights: a
// Bursty pair at nice 10 beside nice -10 CPUSpin workers, one per CPU.
func NiceLatency(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(latency(c, "latency").Nice(10), perCPU(c, "heavy").Nice(-10))
}

// NiceSweepMix stresses reweighting running tasks: NiceSweep workers
// (one per CPU) change their nice value every iteration beside CPUSpin.
func NiceSweepMix(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(perCPU(c, "sweep").WorkType(gauntlet.NiceSweep()), perCPU(c, "spin"))
}

// PolicyMix stresses scheduling classes side by side: SCHED_NORMAL,
// SCHED_BATCH and SCHED_IDLE cgroups of CPUSpin workers, one per CPU.
func PolicyMix(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "normal"),
		perCPU(c, "batch").Policy(gauntlet.PolicyBatch()),
		perCPU(c, "idle").Policy(gauntlet.PolicyIdle()),
	)
}

// PolicyChurnMix stresses class switches beside wake-ups: PolicyChurn
// workers (one per CPU) switch policy every iteration while a
// FutexFanOut group wakes its waiters.
func PolicyChurnMix(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "churn").WorkType(gauntlet.PolicyChurn()),
		gauntlet.Cgroup("fanout").Workers(3).WorkType(gauntlet.FutexFanOut(2)),
	)
}

// BatchLatency stresses wake-up latency beside batch work: a Bursty pair
// and a FutexPingPong pair beside SCHED_BATCH CPUSpin workers, two per
// CPU.
func BatchLatency(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		latency(c, "latency"),
		gauntlet.Cgroup("futex").Workers(2).WorkType(gauntlet.FutexPingPong()),
		gauntlet.Cgroup("batch").Workers(2*c.Usable.Len()).Policy(gauntlet.PolicyBatch()),
	)
}

// PartitionedMix stresses cpuset partitions holding different loads: a
// FutexFanOut group on the first half of the usable CPUs, PageFaultChurn
// on the second, and unconfined CachePipe pairs across both. It needs
// two usable CPUs.
func PartitionedMix(c *gauntlet.Ctx) error {
	if err := needCPUs(c, "partitioned_mix", 2); err != nil {
		return err
	}
	half := max(1, c.Usable.Len()/2)
	return c.ExecuteDefs(
		gauntlet.Cgroup("fanout").Cpuset(gauntlet.CpusetDisjoint(0, 2)).Workers(3).WorkType(gauntlet.FutexFanOut(2)),
		gauntlet.Cgroup("faults").Cpuset(gauntlet.CpusetDisjoint(1, 2)).Workers(c.Usable.Len()-half).WorkType(gauntlet.PageFaultChurn(0, 0)),
		gauntlet.Cgroup("pipe").Workers(2).WorkType(gauntlet.CachePipe(0)),
	)
}

// OverlapMix stresses overlapping cpusets: two cgroups whose cpusets
// overlap by half a part, CPUSpin in one and CacheYield in the other. It
// needs two usable CPUs.
func OverlapMix(c *gauntlet.Ctx) error {
	if err := needCPUs(c, "overlap_mix", 2); err != nil {
		return err
	}
	return c.ExecuteDefs(
		gauntlet.Cgroup("spin").Cpuset(gauntlet.CpusetOverlap(0, 2, 0.5)).Workers(1),
		gauntlet.Cgroup("yield").Cpuset(gauntlet.CpusetOverlap(1, 2, 0.5)).Workers(2).WorkType(gauntlet.CacheYield(0)),
	)
}

// PartitionSwap stresses moving mixed loads between partitions: a
// CachePipe pair and PageFaultChurn workers on disjoint halves swap
// cpusets every tenth of the duration. It needs two usable CPUs.
func PartitionSwap(c *gauntlet.Ctx) error {
	if err := needCPUs(c, "partition_swap", 2); err != nil {
		return err
	}
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{
			gauntlet.Cgroup("pipe").Cpuset(gauntlet.CpusetDisjoint(0, 2)).Workers(2).WorkType(gauntlet.CachePipe(0)),
			gauntlet.Cgroup("faults").Cpuset(gauntlet.CpusetDisjoint(1, 2)).Workers(1).WorkType(gauntlet.PageFaultChurn(0, 0)),
		}, Hold: gauntlet.HoldFraction(0.2)},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.SwapCpusets("pipe", "faults")}, Hold: gauntlet.HoldFraction(0.8).Loop(max(c.Duration/10, time.Millisecond))},
	)
}

// PhaseShift stresses a load whose nature changes: Sequence workers (one
// per CPU) cycle through CPUSpin, CacheYield and PageFaultChurn phases,
// beside a Bursty pair.
func PhaseShift(c *gauntlet.Ctx) error {
	p := max(c.Duration/10, time.Millisecond)
	seq := gauntlet.Sequence(
		gauntlet.Phase{Work: gauntlet.CPUSpin(), For: p},
		gauntlet.Phase{Work: gauntlet.CacheYield(0), For: p},
		gauntlet.Phase{Work: gauntlet.PageFaultChurn(0, 0), For: p},
	)
	return c.ExecuteDefs(perCPU(c, "phases").WorkType(seq), latency(c, "latency"))
}

// MutexFaults stresses lock convoys beside page-fault storms: a
// MutexContention cgroup (one worker per CPU) shares one lock while
// PageFaultChurn workers take the same CPUs.
func MutexFaults(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "mutex").WorkType(gauntlet.MutexContention()),
		perCPU(c, "faults").WorkType(gauntlet.PageFaultChurn(0, 0)),
	)
}

// PingPongStorm stresses wake-heavy handoffs: two PipeIO and two
// FutexPingPong pairs per usable CPU, in two cgroups.
func PingPongStorm(c *gauntlet.Ctx) error {
	n := 4 * c.Usable.Len()
	return c.ExecuteDefs(
		gauntlet.Cgroup("pipe").Workers(n).WorkType(gauntlet.PipeIO()),
		gauntlet.Cgroup("futex").Workers(n).WorkType(gauntlet.FutexPingPong()),
	)
}

// AffinityChurnMix stresses self-migrations beside handoffs:
// AffinityChurn workers (one per CPU) re-pin themselves every iteration
// while CachePipe and FutexFanOut workers wake each other.
func AffinityChurnMix(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "churn").WorkType(gauntlet.AffinityChurn()),
		gauntlet.Cgroup("pipe").Workers(2).WorkType(gauntlet.CachePipe(0)),
		gauntlet.Cgroup("fanout").Workers(3).WorkType(gauntlet.FutexFanOut(2)),
	)
}

// NestedMix stresses hierarchical scheduling of unlike loads: a parent
// cgroup holding a FutexFanOut child and a PageFaultChurn child, beside a
// flat CacheYield cgroup.
func NestedMix(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		gauntlet.Cgroup("outer").Nested(
			gauntlet.Cgroup("fanout").Workers(3).WorkType(gauntlet.FutexFanOut(2)),
			perCPU(c, "faults").WorkType(gauntlet.PageFaultChurn(0, 0)),
		),
		perCPU(c, "flat").WorkType(gauntlet.CacheYield(0)),
	)
}

// FanOutArrives stresses a wake-up storm arriving mid-run: CPUSpin runs
// alone for half the duration, then a FutexFanOut cgroup joins.
func FanOutArrives(c *gauntlet.Ctx) error {
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{perCPU(c, "spin")}, Hold: gauntlet.HoldFraction(0.5)},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.AddCgroup(gauntlet.Cgroup("fanout").Workers(5).WorkType(gauntlet.FutexFanOut(4)))}, Hold: gauntlet.HoldFraction(0.5)},
	)
}

// FaultsLeave stresses taking up CPUs freed by kernel-heavy load:
// PageFaultChurn and CacheYield cgroups run for half the duration, then
// the PageFaultChurn cgroup is removed.
func FaultsLeave(c *gauntlet.Ctx) error {
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{
			perCPU(c, "faults").WorkType(gauntlet.PageFaultChurn(0, 0)),
			perCPU(c, "yield").WorkType(gauntlet.CacheYield(0)),
		}, Hold: gauntlet.HoldFraction(0.5)},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.RemoveCgroup("faults")}, Hold: gauntlet.HoldFraction(0.5)},
	)
}

// GroupsComeAndGo stresses fan-out groups starting and stopping under
// load: a FanOutCompute group runs beside CPUSpin, a second group is
// spawned into it a third of the way in, and the CPUSpin workers stop at
// two thirds.
func GroupsComeAndGo(c *gauntlet.Ctx) error {
	third := gauntlet.HoldFraction(1.0 / 3)
	return c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{
			gauntlet.Cgroup("compute").Workers(3).WorkType(gauntlet.FanOutCompute(2, 0)),
			perCPU(c, "spin"),
		}, Hold: third},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.Spawn("compute", 3)}, Hold: third},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.StopWorkers("spin")}, Hold: third},
	)
}

// IOFaultMix stresses system-call-heavy neighbours: IOSync, PageFaultChurn
// and Mixed workers, one each per CPU.
func IOFaultMix(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		perCPU(c, "io").WorkType(gauntlet.IOSync()),
		perCPU(c, "faults").WorkType(gauntlet.PageFaultChurn(0, 0)),
		perCPU(c, "mixed").WorkType(gauntlet.Mixed()),
	)
}

// OversubscribedMixed stresses a long run queue of tasks that sleep,
// yield and compute: three Mixed workers per usable CPU.
func OversubscribedMixed(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(gauntlet.Cgroup("mixed").Workers(min(3*c.Usable.Len(), gauntlet.MaxWorkers)).WorkType(gauntlet.Mixed()))
}

// NewWorkloads stresses the ktstr-derived work types together:
// FutexFanOut, FanOutCompute, CacheYield, CachePipe and PageFaultChurn
// cgroups share the CPUs.
func NewWorkloads(c *gauntlet.Ctx) error {
	return c.ExecuteDefs(
		gauntlet.Cgroup("fanout").Workers(3).WorkType(gauntlet.FutexFanOut(2)),
		gauntlet.Cgroup("compute").Workers(3).WorkType(gauntlet.FanOutCompute(2, 0)),
		perCPU(c, "yield").WorkType(gauntlet.CacheYield(0)),
		gauntlet.Cgroup("pipe").Workers(2).WorkType(gauntlet.CachePipe(0)),
		perCPU(c, "faults").WorkType(gauntlet.PageFaultChurn(0, 0)),
	)
}
