package topo

import (
	"fmt"
	"strings"
)

// How far a node's MemTotal may fall below its share of the guest's RAM:
// the kernel image (it lands on any node, KASLR), page structures (about
// 1.6 % of RAM), the SWIOTLB buffer (64 MiB when RAM reaches above 4 GiB)
// and firmware areas are not counted. A Debian 6.12 guest with three
// 256 MiB nodes shows 213, 250 and 250 MiB.
const (
	nodeMemorySlackMiB = 128
	nodeMemorySlackDiv = 16 // and 1/16 of the share
	nodeMemoryFloorDiv = 4  // but never below 1/4 of the share
)

// CheckLayout compares the layout a guest observed with the one requested
// topology want must produce (see [Layout.Equal]), and, when the guest
// reports its RAM and node sizes, each node's memory with an equal share
// of the RAM, as QEMU splits it: a node may hold less by what the kernel
// reserves, never more. The error names both topologies and lists each
// kind that differs, with the wanted and observed values.
func CheckLayout(want Topology, got Layout) error {
	exp := ExpectedLayout(want)
	var diffs []string
	add := func(kind string, w, g string) {
		if w != g {
			diffs = append(diffs, fmt.Sprintf("%s: want %s, got %s", kind, w, g))
		}
	}
	add("online cpus", FormatCPUList(exp.CPUs), FormatCPUList(got.CPUs))
	add("possible cpus", FormatCPUList(exp.Possible), FormatCPUList(got.Possible))
	add("smt siblings", formatGroups(exp.Cores), formatGroups(got.Cores))
	add("llc groups", formatGroups(exp.LLCs), formatGroups(got.LLCs))
	add("numa nodes", formatNodeCPUs(exp.NUMA), formatNodeCPUs(got.NUMA))
	add("numa distances", formatDistanceRows(exp.NUMA), formatDistanceRows(got.NUMA))
	if len(diffs) == 0 { // a hand-made layout whose Nodes disagree with its NUMA
		add("cpus of numa nodes", formatGroups(exp.Nodes), formatGroups(got.Nodes))
	}
	if d := memoryDiff(got); d != "" {
		diffs = append(diffs, d)
	}
	if len(diffs) == 0 {
		return nil
	}
	gotName := "an irregular layout"
	if t, ok := got.Topology(); ok {
		gotName = t.String()
	}
	return fmt.Errorf("topology mismatch: requested %s, guest has %s (%s)", want, gotName, strings.Join(diffs, "; "))
}

// memoryDiff describes the nodes whose memory is out of line with an
// equal share of l's RAM; "" when all fit or sizes are unknown.
func memoryDiff(l Layout) string {
	if l.MemoryMiB == 0 || len(l.NUMA) == 0 {
		return ""
	}
	share := l.MemoryMiB / len(l.NUMA)
	lo := max(share-share/nodeMemorySlackDiv-nodeMemorySlackMiB, share/nodeMemoryFloorDiv)
	hi := share + 2 // rounding, and the firmware's holes in node 0
	var bad []string
	for _, n := range l.NUMA {
		if n.MemoryMiB < lo || n.MemoryMiB > hi {
			bad = append(bad, fmt.Sprintf("node %d %d MiB", n.ID, n.MemoryMiB))
		}
	}
	if len(bad) == 0 {
		return ""
	}
	return fmt.Sprintf("node memory: want %d to %d MiB per node (%d MiB RAM / %d nodes, less the kernel's reservations), got %s",
		lo, hi, l.MemoryMiB, len(l.NUMA), strings.Join(bad, ", "))
}

// formatNodeCPUs prints each node as id:cpus, "-" for none:
// "0:0-3 1:4-7 2:-".
func formatNodeCPUs(nodes []Node) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		cpus := FormatCPUList(n.CPUs)
		if cpus == "" {
			cpus = "-"
		}
		parts[i] = fmt.Sprintf("%d:%s", n.ID, cpus)
	}
	return strings.Join(parts, " ")
}

// formatDistanceRows prints each node's distances, comma-separated, rows
// apart: "10,20 20,10".
func formatDistanceRows(nodes []Node) string {
	rows := make([]string, len(nodes))
	for i, n := range nodes {
		rows[i] = formatInts(n.Distances, ",")
	}
	return strings.Join(rows, " ")
}
