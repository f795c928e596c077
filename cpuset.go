package gauntlet

import "github.com/gauntlet-sched/gauntlet/internal/guest"

// CpusetSpec says which CPUs a cgroup's cpuset holds. It is resolved
// inside the VM against the guest's real layout, within the parent
// cgroup's CPUs ([Ctx.Usable] at the top level), so one definition fits
// every topology the test expands to. The zero value inherits the
// parent's CPUs (no cpuset of its own).
type CpusetSpec struct {
	s guest.CpusetSpec
}

// CpusetLLC is the parent's CPUs in last-level cache i.
func CpusetLLC(i int) CpusetSpec {
	return CpusetSpec{guest.CpusetSpec{Kind: guest.CpusetLLC, Index: i}}
}

// CpusetNode is the parent's CPUs in NUMA node i.
func CpusetNode(i int) CpusetSpec {
	return CpusetSpec{guest.CpusetSpec{Kind: guest.CpusetNode, Index: i}}
}

// CpusetRange is the CPUs from fraction from to fraction to of the
// parent's CPUs in ascending order (0 <= from < to <= 1); never empty,
// see [topo.CPUSet.Range].
func CpusetRange(from, to float64) CpusetSpec {
	return CpusetSpec{guest.CpusetSpec{Kind: guest.CpusetRange, From: from, To: to}}
}

// CpusetDisjoint is part i of the parent's CPUs split into n disjoint
// parts of near-equal size.
func CpusetDisjoint(i, n int) CpusetSpec {
	return CpusetSpec{guest.CpusetSpec{Kind: guest.CpusetDisjoint, Index: i, Of: n}}
}

// CpusetOverlap is window i of n windows over the parent's CPUs, each
// overlapping the next by frac (0 to 1) of a part; see
// [topo.CPUSet.Overlap].
func CpusetOverlap(i, n int, frac float64) CpusetSpec {
	return CpusetSpec{guest.CpusetSpec{Kind: guest.CpusetOverlap, Index: i, Of: n, Frac: frac}}
}

// CpusetExact is exactly cpus, which must all be in the parent's CPUs.
func CpusetExact(cpus ...int) CpusetSpec {
	return CpusetSpec{guest.CpusetSpec{Kind: guest.CpusetExact, CPUs: append([]int(nil), cpus...)}}
}

// String names c the way it was built, e.g. "llc(1)" or "overlap(0/2,0.50)".
func (c CpusetSpec) String() string { return c.s.String() }

// AffinitySpec says which CPUs each worker of a cgroup may run on, inside
// the cgroup's cpuset. The zero value inherits the cpuset (no affinity of
// its own).
type AffinitySpec struct {
	s guest.AffinitySpec
}

// AffinityInherit lets workers run on any CPU of their cgroup's cpuset.
func AffinityInherit() AffinitySpec { return AffinitySpec{} }

// AffinitySingleCPU pins worker i to the i-th CPU of the cgroup's cpuset
// (wrapping around when there are more workers than CPUs).
func AffinitySingleCPU() AffinitySpec {
	return AffinitySpec{guest.AffinitySpec{Kind: guest.AffinitySingle}}
}

// AffinityLLC pins worker i to the cpuset's CPUs in the i-th of the LLCs
// the cpuset touches (wrapping around).
func AffinityLLC() AffinitySpec { return AffinitySpec{guest.AffinitySpec{Kind: guest.AffinityLLC}} }

// AffinityRandom pins each worker to n CPUs of the cpuset drawn at random
// (all of them when the cpuset has fewer). The draw is seeded by the
// cgroup and worker, so a run repeats exactly; [SetAffinity] draws
// afresh each time it is applied.
func AffinityRandom(n int) AffinitySpec {
	return AffinitySpec{guest.AffinitySpec{Kind: guest.AffinityRandom, N: n}}
}

// AffinityExact pins every worker to cpus, which must be in the cpuset.
func AffinityExact(cpus ...int) AffinitySpec {
	return AffinitySpec{guest.AffinitySpec{Kind: guest.AffinityExact, CPUs: append([]int(nil), cpus...)}}
}

// String names a, e.g. "single-cpu" or "random(2)".
func (a AffinitySpec) String() string { return a.s.String() }
