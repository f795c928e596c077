package gauntlet

import "github.com/gauntlet-sched/gauntlet/internal/guest"

// MaxWorkers is the most workers one cgroup may run.
const MaxWorkers = 256

// CgroupDef declares a cgroup and its workers; build one with [Cgroup];
// see [guest.CgroupDef].
type CgroupDef = guest.CgroupDef

// CpusetSpec says which CPUs a cgroup's cpuset holds; the zero value
// inherits the parent's.
type CpusetSpec = guest.CpusetSpec

// AffinitySpec says which CPUs of its cgroup's cpuset each worker may run
// on; the zero value inherits the cpuset.
type AffinitySpec = guest.AffinitySpec

// Policy is the workers' scheduling policy; the zero value is
// SCHED_NORMAL.
type Policy = guest.Policy

// Cgroup starts the definition of a cgroup called name:
//
//	gauntlet.Cgroup("cg_0").Workers(4).WorkType(gauntlet.CpuSpin())
func Cgroup(name string) CgroupDef { return guest.Cgroup(name) }

// CpusetLLC is the CPUs of last-level cache i.
func CpusetLLC(i int) CpusetSpec { return guest.CpusetLLC(i) }

// CpusetNode is the CPUs of NUMA node i.
func CpusetNode(i int) CpusetSpec { return guest.CpusetNode(i) }

// CpusetRange is the CPUs from fraction from to fraction to of the
// parent's CPUs.
func CpusetRange(from, to float64) CpusetSpec { return guest.CpusetRange(from, to) }

// CpusetDisjoint is part i of the parent's CPUs split into n disjoint
// parts.
func CpusetDisjoint(i, n int) CpusetSpec { return guest.CpusetDisjoint(i, n) }

// CpusetOverlap is window i of n windows over the parent's CPUs, each
// overlapping the next by frac of a part.
func CpusetOverlap(i, n int, frac float64) CpusetSpec { return guest.CpusetOverlap(i, n, frac) }

// CpusetExact is exactly cpus.
func CpusetExact(cpus ...int) CpusetSpec { return guest.CpusetExact(cpus...) }

// AffinityInherit lets workers run anywhere in their cpuset.
func AffinityInherit() AffinitySpec { return guest.AffinityInherit() }

// AffinitySingleCPU pins worker i to the i-th CPU of its cpuset.
func AffinitySingleCPU() AffinitySpec { return guest.AffinitySingleCPU() }

// AffinityLLC pins worker i to the cpuset's CPUs in the i-th LLC it
// touches.
func AffinityLLC() AffinitySpec { return guest.AffinityLLC() }

// AffinityRandom pins each worker to n CPUs of its cpuset drawn at random
// (seeded, so runs repeat).
func AffinityRandom(n int) AffinitySpec { return guest.AffinityRandom(n) }

// AffinityExact pins every worker to cpus.
func AffinityExact(cpus ...int) AffinitySpec { return guest.AffinityExact(cpus...) }

// PolicyNormal is SCHED_NORMAL.
func PolicyNormal() Policy { return guest.PolicyNormal() }

// PolicyBatch is SCHED_BATCH.
func PolicyBatch() Policy { return guest.PolicyBatch() }

// PolicyIdle is SCHED_IDLE.
func PolicyIdle() Policy { return guest.PolicyIdle() }

// PolicyFIFO is SCHED_FIFO at real-time priority prio (1-99).
func PolicyFIFO(prio int) Policy { return guest.PolicyFIFO(prio) }

// PolicyRR is SCHED_RR at real-time priority prio (1-99).
func PolicyRR(prio int) Policy { return guest.PolicyRR(prio) }
