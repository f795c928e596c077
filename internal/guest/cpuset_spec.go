package guest

import (
	"fmt"
	"strings"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// cpusetKind says how a [CpusetSpec] picks its CPUs.
type cpusetKind int

const (
	cpusetInherit cpusetKind = iota
	cpusetLLC
	cpusetNode
	cpusetRange
	cpusetDisjoint
	cpusetOverlap
	cpusetExact
)

// CpusetSpec says which CPUs a cgroup's cpuset holds. It is resolved inside
// the VM against the guest's real layout, within the parent cgroup's
// effective CPUs (the usable CPUs at the top level; see [Ctx.Usable]).
// The zero value inherits the parent's CPUs (no cpuset of its own).
type CpusetSpec struct {
	kind   cpusetKind
	index  int
	of     int
	lo, hi float64
	cpus   []int
}

// CpusetLLC is the CPUs of last-level cache i.
func CpusetLLC(i int) CpusetSpec { return CpusetSpec{kind: cpusetLLC, index: i} }

// CpusetNode is the CPUs of NUMA node i.
func CpusetNode(i int) CpusetSpec { return CpusetSpec{kind: cpusetNode, index: i} }

// CpusetRange is the CPUs from fraction from to fraction to of the parent's
// CPUs in ascending order (0 <= from < to <= 1); never empty, see
// [topo.CPUSet.Range].
func CpusetRange(from, to float64) CpusetSpec {
	return CpusetSpec{kind: cpusetRange, lo: from, hi: to}
}

// CpusetDisjoint is part i of the parent's CPUs split into n disjoint
// parts of near-equal size.
func CpusetDisjoint(i, n int) CpusetSpec { return CpusetSpec{kind: cpusetDisjoint, index: i, of: n} }

// CpusetOverlap is window i of n windows over the parent's CPUs, each
// overlapping the next by frac (0 to 1) of a part; see
// [topo.CPUSet.Overlap].
func CpusetOverlap(i, n int, frac float64) CpusetSpec {
	return CpusetSpec{kind: cpusetOverlap, index: i, of: n, lo: frac}
}

// CpusetExact is exactly cpus, which must all be in the parent's CPUs.
func CpusetExact(cpus ...int) CpusetSpec {
	return CpusetSpec{kind: cpusetExact, cpus: append([]int(nil), cpus...)}
}

// IsInherit reports whether c is the zero value: no cpuset of its own.
func (c CpusetSpec) IsInherit() bool { return c.kind == cpusetInherit }

// Resolve returns the CPUs c names on layout l, within the parent's
// effective CPUs. An inheriting spec returns within.
func (c CpusetSpec) Resolve(l topo.Layout, within topo.CPUSet) (topo.CPUSet, error) {
	var s topo.CPUSet
	var err error
	switch c.kind {
	case cpusetInherit:
		return within, nil
	case cpusetLLC:
		s, err = l.LLCSet(c.index, within)
	case cpusetNode:
		s, err = l.NodeSet(c.index, within)
	case cpusetRange:
		s, err = within.Range(c.lo, c.hi)
	case cpusetDisjoint:
		s, err = within.Disjoint(c.index, c.of)
	case cpusetOverlap:
		s, err = within.Overlap(c.index, c.of, c.lo)
	case cpusetExact:
		s, err = topo.Exact(c.cpus, within)
	default:
		err = fmt.Errorf("unknown cpuset kind %d", c.kind)
	}
	if err != nil {
		return topo.CPUSet{}, fmt.Errorf("cpuset %s: %w", c, err)
	}
	return s, nil
}

// String names c the way it was built, e.g. "llc(1)" or "overlap(0/2,0.50)".
func (c CpusetSpec) String() string {
	switch c.kind {
	case cpusetInherit:
		return "inherit"
	case cpusetLLC:
		return fmt.Sprintf("llc(%d)", c.index)
	case cpusetNode:
		return fmt.Sprintf("node(%d)", c.index)
	case cpusetRange:
		return fmt.Sprintf("range(%.2f-%.2f)", c.lo, c.hi)
	case cpusetDisjoint:
		return fmt.Sprintf("disjoint(%d/%d)", c.index, c.of)
	case cpusetOverlap:
		return fmt.Sprintf("overlap(%d/%d,%.2f)", c.index, c.of, c.lo)
	case cpusetExact:
		parts := make([]string, len(c.cpus))
		for i, cpu := range c.cpus {
			parts[i] = fmt.Sprint(cpu)
		}
		return "exact(" + strings.Join(parts, ",") + ")"
	}
	return fmt.Sprintf("cpuset(%d)", c.kind)
}
