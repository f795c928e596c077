package guest

import (
	"fmt"
	"math/rand/v2"

	"github.com/gauntlet-sched/gauntlet/topo"
)

type affinityKind int

const (
	affinityInherit affinityKind = iota
	affinitySingle
	affinityLLC
	affinityRandom
	affinityExact
)

// AffinitySpec says which CPUs each worker of a cgroup may run on, inside
// the cgroup's cpuset. The zero value inherits the cpuset (no affinity of
// its own).
type AffinitySpec struct {
	kind affinityKind
	n    int
	cpus []int
}

// AffinityInherit lets workers run on any CPU of their cgroup's cpuset.
func AffinityInherit() AffinitySpec { return AffinitySpec{} }

// AffinitySingleCPU pins worker i to the i-th CPU of the cgroup's cpuset
// (wrapping around when there are more workers than CPUs).
func AffinitySingleCPU() AffinitySpec { return AffinitySpec{kind: affinitySingle} }

// AffinityLLC pins worker i to the cpuset's CPUs in the i-th of the LLCs
// the cpuset touches (wrapping around).
func AffinityLLC() AffinitySpec { return AffinitySpec{kind: affinityLLC} }

// AffinityRandom pins each worker to n CPUs of the cpuset drawn at random
// (all of them when the cpuset has fewer). The draw is seeded by the
// cgroup and worker, so a run repeats exactly.
func AffinityRandom(n int) AffinitySpec { return AffinitySpec{kind: affinityRandom, n: n} }

// AffinityExact pins every worker to cpus, which must be in the cpuset.
func AffinityExact(cpus ...int) AffinitySpec {
	return AffinitySpec{kind: affinityExact, cpus: append([]int(nil), cpus...)}
}

// IsInherit reports whether a is the zero value.
func (a AffinitySpec) IsInherit() bool { return a.kind == affinityInherit }

// Resolve returns the CPUs worker i may run on, given its cgroup's cpuset
// and the guest layout; seed varies random draws between cgroups. An
// inheriting spec returns cpuset.
func (a AffinitySpec) Resolve(i int, seed uint64, l topo.Layout, cpuset topo.CPUSet) (topo.CPUSet, error) {
	if cpuset.IsEmpty() {
		return topo.CPUSet{}, fmt.Errorf("affinity %s: empty cpuset", a)
	}
	switch a.kind {
	case affinityInherit:
		return cpuset, nil
	case affinitySingle:
		return topo.NewCPUSet(cpuset.Nth(i % cpuset.Len())), nil
	case affinityLLC:
		var groups []topo.CPUSet
		for _, llc := range l.LLCSets() {
			if g := llc.Intersect(cpuset); !g.IsEmpty() {
				groups = append(groups, g)
			}
		}
		if len(groups) == 0 {
			return cpuset, nil
		}
		return groups[i%len(groups)], nil
	case affinityRandom:
		return randomSubset(a.n, seed, i, cpuset, a)
	case affinityExact:
		s, err := topo.Exact(a.cpus, cpuset)
		if err != nil {
			return topo.CPUSet{}, fmt.Errorf("affinity %s: %w", a, err)
		}
		return s, nil
	}
	return topo.CPUSet{}, fmt.Errorf("unknown affinity kind %d", a.kind)
}

func randomSubset(n int, seed uint64, i int, from topo.CPUSet, a AffinitySpec) (topo.CPUSet, error) {
	if n < 1 {
		return topo.CPUSet{}, fmt.Errorf("affinity %s: want at least 1 CPU", a)
	}
	cpus := from.CPUs()
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	rng.Shuffle(len(cpus), func(x, y int) { cpus[x], cpus[y] = cpus[y], cpus[x] })
	return topo.NewCPUSet(cpus[:min(n, len(cpus))]...), nil
}

// String names a, e.g. "single-cpu" or "random(2)".
func (a AffinitySpec) String() string {
	switch a.kind {
	case affinityInherit:
		return "inherit"
	case affinitySingle:
		return "single-cpu"
	case affinityLLC:
		return "llc"
	case affinityRandom:
		return fmt.Sprintf("random(%d)", a.n)
	case affinityExact:
		return "exact(" + topo.FormatCPUList(a.cpus) + ")"
	}
	return fmt.Sprintf("affinity(%d)", a.kind)
}
