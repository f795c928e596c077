package guest

import (
	"fmt"
	"math/rand/v2"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// AffinityKind says how an [AffinitySpec] picks a worker's CPUs.
type AffinityKind int

// Affinity kinds; the zero kind inherits the cgroup's cpuset.
const (
	AffinityInherit AffinityKind = iota
	AffinitySingle               // worker i on the i-th CPU of the cpuset
	AffinityLLC                  // worker i on the cpuset's CPUs in the i-th LLC it touches
	AffinityRandom               // N CPUs drawn at random, seeded
	AffinityExact                // exactly CPUs
)

// AffinitySpec is the wire form of the CPUs each worker of a cgroup may
// run on, inside the cgroup's cpuset. The zero value inherits the cpuset.
type AffinitySpec struct {
	Kind AffinityKind
	N    int
	CPUs []int
}

// inherit reports whether a is the zero value.
func (a AffinitySpec) inherit() bool { return a.Kind == AffinityInherit }

// resolve returns the CPUs worker i may run on, given its cgroup's cpuset
// and the guest layout; seed varies random draws between cgroups. An
// inheriting spec returns cpuset.
func (a AffinitySpec) resolve(i int, seed uint64, l topo.Layout, cpuset topo.CPUSet) (topo.CPUSet, error) {
	if cpuset.IsEmpty() {
		return topo.CPUSet{}, fmt.Errorf("affinity %s: empty cpuset", a)
	}
	switch a.Kind {
	case AffinityInherit:
		return cpuset, nil
	case AffinitySingle:
		return topo.NewCPUSet(cpuset.Nth(i % cpuset.Len())), nil
	case AffinityLLC:
		return llcGroup(i, l, cpuset), nil
	case AffinityRandom:
		return randomSubset(a.N, seed, i, cpuset, a)
	case AffinityExact:
		s, err := topo.Exact(a.CPUs, cpuset)
		if err != nil {
			return topo.CPUSet{}, fmt.Errorf("affinity %s: %w", a, err)
		}
		return s, nil
	}
	return topo.CPUSet{}, fmt.Errorf("unknown affinity kind %d", a.Kind)
}

// llcGroup returns the cpuset's CPUs in the i-th of the LLCs it touches
// (wrapping around).
func llcGroup(i int, l topo.Layout, cpuset topo.CPUSet) topo.CPUSet {
	var groups []topo.CPUSet
	for _, llc := range l.LLCSets() {
		if g := llc.Intersect(cpuset); !g.IsEmpty() {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		return cpuset
	}
	return groups[i%len(groups)]
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
	switch a.Kind {
	case AffinityInherit:
		return "inherit"
	case AffinitySingle:
		return "single-cpu"
	case AffinityLLC:
		return "llc"
	case AffinityRandom:
		return fmt.Sprintf("random(%d)", a.N)
	case AffinityExact:
		return "exact(" + topo.FormatCPUList(a.CPUs) + ")"
	}
	return fmt.Sprintf("affinity(%d)", a.Kind)
}
