package topo

import (
	"fmt"
	"slices"
	"strings"
)

// ExpectedLayout returns the layout a VM booted with t must show. CPUs are
// numbered the way QEMU numbers them for `-smp sockets=LLCs,cores=C,
// threads=T`: hardware threads of a core are consecutive, then cores of an
// LLC, then LLCs; NUMA node n holds LLCs n*L/N to (n+1)*L/N-1, and
// memory-only nodes follow the others. Offline CPUs are possible but in no
// group. Memory sizes are left zero: they depend on the guest's memory,
// and [CheckLayout] compares them with the RAM the guest reports. t must
// be valid.
func ExpectedLayout(t Topology) Layout {
	l := Layout{
		CPUs:     span(0, t.CPUs()),
		Possible: span(0, t.Possible()),
		Cores:    groups(t.CPUs(), t.ThreadsPerCore),
		LLCs:     groups(t.CPUs(), t.CoresPerLLC*t.ThreadsPerCore),
		Nodes:    groups(t.CPUs(), t.LLCsPerNode()*t.CoresPerLLC*t.ThreadsPerCore),
	}
	for n := 0; n < t.Nodes(); n++ {
		node := Node{ID: n, CPUs: []int{}, Distances: t.DistanceRow(n)}
		if n < len(l.Nodes) {
			node.CPUs = l.Nodes[n]
		}
		l.NUMA = append(l.NUMA, node)
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

// Equal reports whether l and o list the same online and possible CPUs,
// the same groups, and the same NUMA nodes with the same CPUs and
// distances. Memory sizes are not compared (see [CheckLayout]). Both must
// be in canonical order (as [ReadSysfs] and [ExpectedLayout] return them).
func (l Layout) Equal(o Layout) bool {
	return equalInts(l.CPUs, o.CPUs) && equalInts(l.Possible, o.Possible) && equalGroups(l.Cores, o.Cores) &&
		equalGroups(l.LLCs, o.LLCs) && equalGroups(l.Nodes, o.Nodes) &&
		slices.EqualFunc(l.NUMA, o.NUMA, func(a, b Node) bool {
			return a.ID == b.ID && equalInts(a.CPUs, b.CPUs) && equalInts(a.Distances, b.Distances)
		})
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
// node with CPUs holds the same number of LLCs, every LLC the same number
// of cores, every core the same number of threads, each group nested in
// the next, offline CPUs filling whole LLCs per node, memory-only nodes
// last); ok is false otherwise.
func (l Layout) Topology() (t Topology, ok bool) {
	if len(l.CPUs) == 0 || len(l.Cores) == 0 || len(l.LLCs) == 0 || len(l.Nodes) == 0 {
		return Topology{}, false
	}
	t = Topology{
		NUMA:           len(l.Nodes),
		LLCs:           len(l.LLCs),
		ThreadsPerCore: len(l.Cores[0]),
		MemoryNodes:    max(len(l.NUMA)-len(l.Nodes), 0),
	}
	t.CoresPerLLC = len(l.LLCs[0]) / t.ThreadsPerCore
	if len(l.Possible) > len(l.CPUs) {
		t.PossibleCPUs = len(l.Possible)
	}
	if t.CoresPerLLC == 0 || t.validateShape() != nil || t.validatePossible() != nil || !t.setDistanceRows(l.NUMA) {
		return Topology{}, false
	}
	return t, l.Equal(ExpectedLayout(t))
}

// setDistanceRows gives t the distances of nodes when they are not the
// defaults; false when they cannot be explicit distances of t.
func (t *Topology) setDistanceRows(nodes []Node) bool {
	if len(nodes) != t.Nodes() {
		return len(nodes) == 0
	}
	if slices.EqualFunc(nodes, ExpectedLayout(*t).NUMA, func(a, b Node) bool { return equalInts(a.Distances, b.Distances) }) {
		return true
	}
	if t.Nodes() > MaxDistanceNodes {
		return false
	}
	for i, n := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			if len(n.Distances) != len(nodes) || n.Distances[j] <= LocalDistance || n.Distances[j] > MaxDistance {
				return false
			}
			t.dist[pairIndex(i, j)] = uint8(n.Distances[j])
		}
	}
	return true
}

// String prints l on one line, e.g.
// "cpus 0-3; cores 0-1 2-3; llcs 0-3; nodes 0-3", adding the possible
// CPUs when some are offline, memory-only nodes, node memory when known
// and distances when they are not the defaults, e.g. "; possible 0-7;
// memory-only nodes 2; node MiB 213 250 250 of 767; distances 10,20,28
// 20,10,36 28,36,10".
func (l Layout) String() string {
	s := fmt.Sprintf("cpus %s; cores %s; llcs %s; nodes %s",
		FormatCPUList(l.CPUs), formatGroups(l.Cores), formatGroups(l.LLCs), formatGroups(l.Nodes))
	if len(l.Possible) > 0 && !equalInts(l.Possible, l.CPUs) {
		s += "; possible " + FormatCPUList(l.Possible)
	}
	var memOnly, mem, dist []string
	for _, n := range l.NUMA {
		if len(n.CPUs) == 0 {
			memOnly = append(memOnly, fmt.Sprint(n.ID))
		}
		mem = append(mem, fmt.Sprint(n.MemoryMiB))
		dist = append(dist, formatInts(n.Distances, ","))
	}
	if len(memOnly) > 0 {
		s += "; memory-only nodes " + strings.Join(memOnly, " ")
	}
	if l.MemoryMiB > 0 {
		s += fmt.Sprintf("; node MiB %s of %d", strings.Join(mem, " "), l.MemoryMiB)
	}
	if !l.defaultDistances() {
		s += "; distances " + strings.Join(dist, " ")
	}
	return s
}

// defaultDistances reports whether every node is LocalDistance from
// itself and RemoteDistance from the others.
func (l Layout) defaultDistances() bool {
	for i, n := range l.NUMA {
		for j, d := range n.Distances {
			if i == j && d != LocalDistance || i != j && d != RemoteDistance {
				return false
			}
		}
	}
	return true
}

func formatGroups(gs [][]int) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = FormatCPUList(g)
	}
	return strings.Join(parts, " ")
}

func formatInts(ns []int, sep string) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, sep)
}
