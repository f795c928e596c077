package guest

import (
	"fmt"
	"strings"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// CpusetKind says how a [CpusetSpec] picks its CPUs.
type CpusetKind int

// Cpuset kinds; the zero kind inherits the parent's CPUs.
const (
	CpusetInherit  CpusetKind = iota
	CpusetLLC                 // the CPUs of LLC Index
	CpusetNode                // the CPUs of NUMA node Index
	CpusetRange               // fractions From to To of the parent's CPUs
	CpusetDisjoint            // part Index of Of disjoint parts
	CpusetOverlap             // window Index of Of, overlapping by Frac
	CpusetExact               // exactly CPUs
)

// CpusetSpec is the wire form of a cgroup's cpuset: resolved inside the
// VM against the guest's layout, within the parent cgroup's effective
// CPUs (the usable CPUs at the top level). The zero value inherits the
// parent's CPUs.
type CpusetSpec struct {
	Kind     CpusetKind
	Index    int
	Of       int
	From, To float64
	Frac     float64
	CPUs     []int
}

// inherit reports whether c is the zero value: no cpuset of its own.
func (c CpusetSpec) inherit() bool { return c.Kind == CpusetInherit }

// resolve returns the CPUs c names on layout l, within the parent's
// effective CPUs. An inheriting spec returns within.
func (c CpusetSpec) resolve(l topo.Layout, within topo.CPUSet) (topo.CPUSet, error) {
	var s topo.CPUSet
	var err error
	switch c.Kind {
	case CpusetInherit:
		return within, nil
	case CpusetLLC:
		s, err = l.LLCSet(c.Index, within)
	case CpusetNode:
		s, err = l.NodeSet(c.Index, within)
	case CpusetRange:
		s, err = within.Range(c.From, c.To)
	case CpusetDisjoint:
		s, err = within.Disjoint(c.Index, c.Of)
	case CpusetOverlap:
		s, err = within.Overlap(c.Index, c.Of, c.Frac)
	case CpusetExact:
		s, err = topo.Exact(c.CPUs, within)
	default:
		err = fmt.Errorf("unknown cpuset kind %d", c.Kind)
	}
	if err != nil {
		return topo.CPUSet{}, fmt.Errorf("cpuset %s: %w", c, err)
	}
	return s, nil
}

// String names c the way it was built, e.g. "llc(1)" or "overlap(0/2,0.50)".
func (c CpusetSpec) String() string {
	switch c.Kind {
	case CpusetInherit:
		return "inherit"
	case CpusetLLC:
		return fmt.Sprintf("llc(%d)", c.Index)
	case CpusetNode:
		return fmt.Sprintf("node(%d)", c.Index)
	case CpusetRange:
		return fmt.Sprintf("range(%.2f-%.2f)", c.From, c.To)
	case CpusetDisjoint:
		return fmt.Sprintf("disjoint(%d/%d)", c.Index, c.Of)
	case CpusetOverlap:
		return fmt.Sprintf("overlap(%d/%d,%.2f)", c.Index, c.Of, c.Frac)
	case CpusetExact:
		parts := make([]string, len(c.CPUs))
		for i, cpu := range c.CPUs {
			parts[i] = fmt.Sprint(cpu)
		}
		return "exact(" + strings.Join(parts, ",") + ")"
	}
	return fmt.Sprintf("cpuset(%d)", c.Kind)
}
