package topo

import (
	"fmt"
	"strings"
)

// ExpectedLayout returns the layout a VM booted with t must show. CPUs are
// numbered the way QEMU numbers them for `-smp sockets=LLCs,cores=C,
// threads=T`: hardware threads of a core are consecutive, then cores of an
// LLC, then LLCs; NUMA node n holds LLCs n*L/N to (n+1)*L/N-1. t must be
// valid.
func ExpectedLayout(t Topology) Layout {
	l := Layout{
		CPUs:  span(0, t.CPUs()),
		Cores: groups(t.CPUs(), t.ThreadsPerCore),
		LLCs:  groups(t.CPUs(), t.CoresPerLLC*t.ThreadsPerCore),
		Nodes: groups(t.CPUs(), t.LLCsPerNode()*t.CoresPerLLC*t.ThreadsPerCore),
	}
	return l
}

// span returns [from, from+n).
func span(from, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = from + i
	}
	return s
}

// groups splits [0, total) into consecutive groups of size.
func groups(total, size int) [][]int {
	if size < 1 {
		return nil
	}
	var g [][]int
	for from := 0; from < total; from += size {
		g = append(g, span(from, min(size, total-from)))
	}
	return g
}

// Equal reports whether l and o list the same CPUs in the same groups.
// Both must be in canonical order (as [ReadSysfs] and [ExpectedLayout]
// return them).
func (l Layout) Equal(o Layout) bool {
	return equalInts(l.CPUs, o.CPUs) && equalGroups(l.Cores, o.Cores) &&
		equalGroups(l.LLCs, o.LLCs) && equalGroups(l.Nodes, o.Nodes)
}

func equalGroups(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equalInts(a[i], b[i]) {
			return false
		}
	}
	return true
}

// Topology returns the [Topology] l describes when it is regular (every
// node holds the same number of LLCs, every LLC the same number of cores,
// every core the same number of threads, each group nested in the next);
// ok is false otherwise.
func (l Layout) Topology() (t Topology, ok bool) {
	if len(l.CPUs) == 0 || len(l.Cores) == 0 || len(l.LLCs) == 0 || len(l.Nodes) == 0 {
		return Topology{}, false
	}
	t = Topology{
		NUMA:           len(l.Nodes),
		LLCs:           len(l.LLCs),
		ThreadsPerCore: len(l.Cores[0]),
	}
	t.CoresPerLLC = len(l.LLCs[0]) / t.ThreadsPerCore
	if t.LLCs%t.NUMA != 0 || t.CoresPerLLC == 0 {
		return Topology{}, false
	}
	return t, l.Equal(ExpectedLayout(t))
}

// String prints l on one line, e.g.
// "cpus 0-3; cores 0-1 2-3; llcs 0-3; nodes 0-3".
func (l Layout) String() string {
	return fmt.Sprintf("cpus %s; cores %s; llcs %s; nodes %s",
		FormatCPUList(l.CPUs), formatGroups(l.Cores), formatGroups(l.LLCs), formatGroups(l.Nodes))
}

func formatGroups(gs [][]int) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = FormatCPUList(g)
	}
	return strings.Join(parts, " ")
}

// CheckLayout compares the layout a guest observed with the one requested
// topology want must produce. The error names both topologies and lists
// each group kind that differs, with the wanted and observed groups.
func CheckLayout(want Topology, got Layout) error {
	exp := ExpectedLayout(want)
	if exp.Equal(got) {
		return nil
	}
	gotName := "an irregular layout"
	if t, ok := got.Topology(); ok {
		gotName = t.String()
	}
	var diffs []string
	add := func(kind string, w, g string) {
		if w != g {
			diffs = append(diffs, fmt.Sprintf("%s: want %s, got %s", kind, w, g))
		}
	}
	add("online cpus", FormatCPUList(exp.CPUs), FormatCPUList(got.CPUs))
	add("smt siblings", formatGroups(exp.Cores), formatGroups(got.Cores))
	add("llc groups", formatGroups(exp.LLCs), formatGroups(got.LLCs))
	add("numa nodes", formatGroups(exp.Nodes), formatGroups(got.Nodes))
	return fmt.Errorf("topology mismatch: requested %s, guest has %s (%s)", want, gotName, strings.Join(diffs, "; "))
}
