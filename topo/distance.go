package topo

import (
	"fmt"
	"strconv"
	"strings"
)

// NUMA distances as the kernel reports them in
// /sys/devices/system/node/nodeN/distance (ACPI SLIT values).
const (
	// LocalDistance is a node's distance to itself.
	LocalDistance = 10
	// RemoteDistance is the distance between two nodes when the firmware
	// gives none, as the kernel then assumes.
	RemoteDistance = 20
	// MaxDistance is the largest distance between two reachable nodes
	// (255 means unreachable).
	MaxDistance = 254
	// MaxDistanceNodes is the most NUMA nodes, memory-only ones
	// included, a topology with explicit distances may have.
	MaxDistanceNodes = 8
)

// distances holds the upper half of a MaxDistanceNodes x MaxDistanceNodes
// distance matrix, pair (i, j) with i < j at pairIndex(i, j); zero means
// no explicit distance. A fixed array keeps [Topology] comparable.
type distances [MaxDistanceNodes * (MaxDistanceNodes - 1) / 2]uint8

// pairIndex returns the index of node pair (i, j), i != j, in distances.
func pairIndex(i, j int) int {
	if i > j {
		i, j = j, i
	}
	return i*(2*MaxDistanceNodes-i-1)/2 + j - i - 1
}

// Distance returns the NUMA distance between nodes i and j as the guest
// kernel must report it: [LocalDistance] when i == j, the explicit
// distance when the topology has them (see [Parse]), else
// [RemoteDistance].
func (t Topology) Distance(i, j int) int {
	if i == j {
		return LocalDistance
	}
	if t.HasDistances() && i < MaxDistanceNodes && j < MaxDistanceNodes {
		return int(t.dist[pairIndex(i, j)])
	}
	return RemoteDistance
}

// HasDistances reports whether t has explicit NUMA distances.
func (t Topology) HasDistances() bool { return t.dist != distances{} }

// DistanceRow returns node i's distances to every node, as the guest's
// nodeN/distance file lists them.
func (t Topology) DistanceRow(i int) []int {
	row := make([]int, t.Nodes())
	for j := range row {
		row[j] = t.Distance(i, j)
	}
	return row
}

// distanceList returns the explicit distances in text order: d(0,1),
// d(0,2), ..., d(1,2), ...
func (t Topology) distanceList() []int {
	var out []int
	for i := 0; i < t.Nodes(); i++ {
		for j := i + 1; j < t.Nodes() && j < MaxDistanceNodes; j++ {
			out = append(out, int(t.dist[pairIndex(i, j)]))
		}
	}
	return out
}

// parseDistances reads the value of -dist ("20.28.36") into t, whose node
// count must be final.
func (t *Topology) parseDistances(val string) error {
	k := t.Nodes()
	if k < 2 || k > MaxDistanceNodes {
		return fmt.Errorf("-%s%s: distances need 2 to %d NUMA nodes, memory-only ones included; this topology has %d", optDistances, val, MaxDistanceNodes, k)
	}
	parts := strings.Split(val, ".")
	if want := k * (k - 1) / 2; len(parts) != want {
		return fmt.Errorf("-%s%s: %d nodes need %d distances, one per pair d(0,1).d(0,2)...d(%d,%d), got %d", optDistances, val, k, want, k-2, k-1, len(parts))
	}
	n := 0
	for i := 0; i < k; i++ {
		for j := i + 1; j < k; j++ {
			d, err := strconv.Atoi(parts[n])
			if err != nil || d <= LocalDistance || d > MaxDistance {
				return fmt.Errorf("-%s%s: distance %q between nodes %d and %d: want a number from %d to %d", optDistances, val, parts[n], i, j, LocalDistance+1, MaxDistance)
			}
			t.dist[pairIndex(i, j)] = uint8(d)
			n++
		}
	}
	return nil
}

// validateDistances checks that explicit distances cover exactly the
// pairs of t's nodes, each in range.
func (t Topology) validateDistances() error {
	if !t.HasDistances() {
		return nil
	}
	k := t.Nodes()
	if k > MaxDistanceNodes {
		return fmt.Errorf("explicit distances allow at most %d NUMA nodes, memory-only ones included; this topology has %d", MaxDistanceNodes, k)
	}
	for i := 0; i < MaxDistanceNodes; i++ {
		for j := i + 1; j < MaxDistanceNodes; j++ {
			d, inside := int(t.dist[pairIndex(i, j)]), j < k
			if inside && (d <= LocalDistance || d > MaxDistance) || !inside && d != 0 {
				return fmt.Errorf("distance between nodes %d and %d is %d; want %d to %d for each pair of the %d nodes", i, j, d, LocalDistance+1, MaxDistance, k)
			}
		}
	}
	return nil
}
