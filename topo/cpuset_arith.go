package topo

import (
	"fmt"
	"math"
)

// UsableCPUs returns the CPUs a scenario may give to its workers: all of
// online when it holds at most two CPUs, else all but the highest one,
// which is kept for the harness (the test process that starts, watches
// and stops the workers).
func UsableCPUs(online CPUSet) CPUSet {
	if online.Len() <= 2 {
		return online
	}
	return online.Minus(NewCPUSet(online.Last()))
}

// HarnessCPU returns the CPU [UsableCPUs] keeps for the harness, or -1
// when there is none (two CPUs or fewer).
func HarnessCPU(online CPUSet) int {
	if online.Len() <= 2 {
		return -1
	}
	return online.Last()
}

// The set views of a Layout below panic on CPU numbers at or above
// [MaxVCPUs]; guest layouts never have them.

// Online returns l's online CPUs as a set.
func (l Layout) Online() CPUSet { return mustSet(l.CPUs) }

// LLCSets returns l's last-level cache groups as sets, in l's order.
func (l Layout) LLCSets() []CPUSet { return mustSets(l.LLCs) }

// NodeSets returns l's NUMA nodes as sets, in l's order.
func (l Layout) NodeSets() []CPUSet { return mustSets(l.Nodes) }

// CoreSets returns l's cores (groups of SMT siblings) as sets.
func (l Layout) CoreSets() []CPUSet { return mustSets(l.Cores) }

// LLCOf returns the index of the LLC holding cpu, or -1.
func (l Layout) LLCOf(cpu int) int { return groupOf(l.LLCs, cpu) }

// NodeOf returns the index of the NUMA node holding cpu, or -1.
func (l Layout) NodeOf(cpu int) int { return groupOf(l.Nodes, cpu) }

func groupOf(groups [][]int, cpu int) int {
	for i, g := range groups {
		for _, c := range g {
			if c == cpu {
				return i
			}
		}
	}
	return -1
}

// LLCSet returns the CPUs of LLC i that are also in within. The error
// names the index and what is wrong: out of range, or no CPU of the LLC
// in within.
func (l Layout) LLCSet(i int, within CPUSet) (CPUSet, error) {
	return groupSet("LLC", l.LLCs, i, within)
}

// NodeSet returns the CPUs of NUMA node i that are also in within, with
// errors like [Layout.LLCSet].
func (l Layout) NodeSet(i int, within CPUSet) (CPUSet, error) {
	return groupSet("NUMA node", l.Nodes, i, within)
}

func groupSet(kind string, groups [][]int, i int, within CPUSet) (CPUSet, error) {
	if i < 0 || i >= len(groups) {
		return CPUSet{}, fmt.Errorf("%s %d out of range: the topology has %d (0-%d)", kind, i, len(groups), len(groups)-1)
	}
	g := mustSet(groups[i])
	s := g.Intersect(within)
	if s.IsEmpty() {
		return CPUSet{}, fmt.Errorf("%s %d (cpus %s) has none of the usable cpus %s", kind, i, g, within)
	}
	return s, nil
}

// Range returns the CPUs of s from fraction lo to fraction hi of its
// ascending order: positions round(lo*n) up to round(hi*n)-1 of its n
// CPUs. Adjacent ranges ([0,0.5) and [0.5,1)) are disjoint and together
// cover s. The result is never empty: a range narrower than one CPU gets
// the CPU at its start. It needs 0 <= lo < hi <= 1 and a non-empty s.
func (s CPUSet) Range(lo, hi float64) (CPUSet, error) {
	n := s.Len()
	if !(lo >= 0 && lo < hi && hi <= 1) {
		return CPUSet{}, fmt.Errorf("cpu range %.2f-%.2f: want 0 <= from < to <= 1", lo, hi)
	}
	if n == 0 {
		return CPUSet{}, fmt.Errorf("cpu range %.2f-%.2f of an empty cpu set", lo, hi)
	}
	start := int(math.Round(lo * float64(n)))
	end := int(math.Round(hi * float64(n)))
	if end <= start {
		start = min(start, n-1)
		end = start + 1
	}
	return s.slice(start, end), nil
}

// slice returns the CPUs at positions [from, to) of s's ascending order.
func (s CPUSet) slice(from, to int) CPUSet {
	var out CPUSet
	for i, c := range s.CPUs() {
		if i >= from && i < to {
			out = out.Add(c)
		}
	}
	return out
}

// Split divides s into n disjoint parts of consecutive CPUs whose sizes
// differ by at most one (the first parts get the extra CPUs). It needs
// 1 <= n <= s.Len().
func (s CPUSet) Split(n int) ([]CPUSet, error) {
	size := s.Len()
	if n < 1 || n > size {
		return nil, fmt.Errorf("split cpus %s into %d disjoint parts: want 1 to %d parts (one CPU each at least)", s, n, size)
	}
	parts := make([]CPUSet, n)
	from := 0
	for i := range parts {
		width := size / n
		if i < size%n {
			width++
		}
		parts[i] = s.slice(from, from+width)
		from += width
	}
	return parts, nil
}

// Disjoint returns part i of s.Split(n).
func (s CPUSet) Disjoint(i, n int) (CPUSet, error) {
	if i < 0 || i >= n {
		return CPUSet{}, fmt.Errorf("disjoint part %d of %d: want 0 <= part < %d", i, n, n)
	}
	parts, err := s.Split(n)
	if err != nil {
		return CPUSet{}, err
	}
	return parts[i], nil
}

// Overlap returns window i of n overlapping windows over s: part i of
// s.Split(n) widened by frac (0 to 1) of the next part's CPUs, rounded up;
// the last window wraps around to the first part. frac 0 gives the
// disjoint parts; frac 1 makes each window cover two whole parts. With n
// of 1 the window is s.
func (s CPUSet) Overlap(i, n int, frac float64) (CPUSet, error) {
	if !(frac >= 0 && frac <= 1) {
		return CPUSet{}, fmt.Errorf("overlap fraction %.2f: want 0 to 1", frac)
	}
	part, err := s.Disjoint(i, n)
	if err != nil {
		return CPUSet{}, err
	}
	if n == 1 {
		return part, nil
	}
	next, _ := s.Disjoint((i+1)%n, n)
	extra := int(math.Ceil(frac * float64(next.Len())))
	return part.Union(next.slice(0, extra)), nil
}

// Exact returns the set of cpus after checking that every one is in
// within; the error names the CPUs that are not.
func Exact(cpus []int, within CPUSet) (CPUSet, error) {
	s, err := CPUSetOf(cpus)
	if err != nil {
		return CPUSet{}, err
	}
	if len(cpus) == 0 {
		return CPUSet{}, fmt.Errorf("exact cpu set is empty: name at least one of the usable cpus %s", within)
	}
	if out := s.Minus(within); !out.IsEmpty() {
		return CPUSet{}, fmt.Errorf("exact cpu set %s: cpus %s are not among the usable cpus %s", s, out, within)
	}
	return s, nil
}

func mustSet(cpus []int) CPUSet {
	s, err := CPUSetOf(cpus)
	if err != nil {
		panic(fmt.Sprintf("topo: layout: %v", err))
	}
	return s
}

func mustSets(groups [][]int) []CPUSet {
	out := make([]CPUSet, len(groups))
	for i, g := range groups {
		out[i] = mustSet(g)
	}
	return out
}
