package topo

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// mustParse parses s or fails the test.
func mustParse(t testing.TB, s string) Topology {
	t.Helper()
	tp, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		in, canonical         string
		cpus, possible, nodes int
		offline, memoryNodes  int
	}{
		{"1n2l4c2t-possible32", "1n2l4c2t-possible32", 16, 32, 1, 16, 0},
		{"2N4L2C1T-POSSIBLE16", "2n4l2c1t-possible16", 8, 16, 2, 8, 0},
		{"2n4l2c1t-memnodes1", "2n4l2c1t-memnodes1", 8, 8, 3, 0, 1},
		{"2n2l2c1t-dist20.28.36-memnodes1", "2n2l2c1t-memnodes1-dist20.28.36", 4, 4, 3, 0, 1},
		{" 2n4l2c1t-memnodes1-possible16-dist21.24.34 ", "2n4l2c1t-possible16-memnodes1-dist21.24.34", 8, 16, 3, 8, 1},
		{"4n4l2c1t-dist12.21.21.21.21.12", "4n4l2c1t-dist12.21.21.21.21.12", 8, 8, 4, 0, 0},
		{"1n1l2c1t-memnodes1-dist30", "1n1l2c1t-memnodes1-dist30", 2, 2, 2, 0, 1},
	}
	for _, tt := range tests {
		tp, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		got := []int{tp.CPUs(), tp.Possible(), tp.Nodes(), tp.Offline(), tp.MemoryNodes}
		if want := []int{tt.cpus, tt.possible, tt.nodes, tt.offline, tt.memoryNodes}; !slices.Equal(got, want) || tp.String() != tt.canonical {
			t.Errorf("Parse(%q) = %s with cpus, possible, nodes, offline, memory nodes %v; want %s with %v", tt.in, tp, got, tt.canonical, want)
		}
	}
}

func TestParseOptionErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1n2l4c2t-possible16", "possible CPUs must be more than the 16 online ones; drop the option or raise it to 24"},
		{"1n2l4c2t-possible20", "the 4 offline CPUs must fill whole LLCs, the same number in each NUMA node: a multiple of 8 (1 node x 4 cores x 2 threads); try -possible24"},
		{"2n2l2c1t-possible6", "a multiple of 4 (2 nodes x 2 cores x 1 thread); try -possible8"},
		{"1n1l4c1t-possible292", "292 vCPUs is more than QEMU's q35 machine allows (288)"},
		{"1n1l4c1t-possible", "-possible: want a positive number after -possible, e.g. -possible2"},
		{"1n1l4c1t-possible0", "want a positive number"},
		{"1n1l4c1t-memnodes-1", "want a positive number after -memnodes"},
		{"1n1l4c1t-memnodes200", "201 NUMA nodes is more than QEMU allows (128)"},
		{"1n1l4c1t-possible8-possible12", "option -possible given twice"},
		{"1n1l4c1t-max8", `unknown option "-max8"; want -possibleN, -memnodesN, -distD.D...`},
		{"1n1l4c1t-dist20", "distances need 2 to 8 NUMA nodes, memory-only ones included; this topology has 1"},
		{"2n2l1c1t-memnodes7-dist20", "distances need 2 to 8 NUMA nodes"},
		{"2n2l1c1t-memnodes1-dist20.30", "3 nodes need 3 distances, one per pair d(0,1).d(0,2)...d(1,2), got 2"},
		{"2n2l1c1t-dist10", `distance "10" between nodes 0 and 1: want a number from 11 to 254`},
		{"2n2l1c1t-dist255", `distance "255" between nodes 0 and 1`},
		{"2n2l1c1t-dist2x", `distance "2x"`},
		{"2,4,1-possible16", "options (-possibleN, -memnodesN, -distD.D...) need the compact form, e.g. 1n2l4c2t-possible32"},
		{"1n2l4c2t+8", `trailing "+8"; want the form 1n2l4c2t, options (-possibleN, -memnodesN, -distD.D...) after it`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "topology "+`"`+tt.in+`": `) {
			t.Errorf("Parse(%q) error = %v, want %q after the input", tt.in, err, tt.want)
		}
	}
}

// TestParseOldFormsUnchanged pins what results.json history holds: every
// old compact string parses to the same plain topology and prints back
// unchanged.
func TestParseOldFormsUnchanged(t *testing.T) {
	for _, p := range Presets() {
		s := shape(p.Topology.NUMA, p.Topology.LLCs, p.Topology.CoresPerLLC, p.Topology.ThreadsPerCore).String()
		tp := mustParse(t, s)
		if tp.PossibleCPUs != 0 || tp.MemoryNodes != 0 || tp.HasDistances() || tp.String() != s {
			t.Errorf("%s parses to %s (%+v)", s, tp, tp)
		}
	}
}

func TestTopologyOptionsJSON(t *testing.T) {
	for _, s := range []string{"1n2l4c2t", "2n4l2c1t-possible16-memnodes1-dist21.24.34", "4n4l2c1t-dist12.21.21.21.21.12"} {
		in := mustParse(t, s)
		b, err := json.Marshal(in)
		if err != nil || string(b) != `"`+s+`"` {
			t.Errorf("marshal %s = %s, %v", s, b, err)
		}
		var out Topology
		if err := json.Unmarshal(b, &out); err != nil || out != in {
			t.Errorf("round trip of %s = %v, %v", s, out, err)
		}
	}
}

func TestDistance(t *testing.T) {
	tp := mustParse(t, "2n2l1c1t-memnodes1-dist20.28.36")
	want := [][]int{{10, 20, 28}, {20, 10, 36}, {28, 36, 10}}
	for i, w := range want {
		if got := tp.DistanceRow(i); !slices.Equal(got, w) {
			t.Errorf("row %d = %v, want %v", i, got, w)
		}
	}
	plain := mustParse(t, "4n4l1c1t")
	if plain.HasDistances() || !slices.Equal(plain.DistanceRow(2), []int{20, 20, 10, 20}) {
		t.Errorf("default distances of %s: %v", plain, plain.DistanceRow(2))
	}
	bad := tp
	bad.MemoryNodes = 2 // pairs with node 3 have no distance
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "distance between nodes 0 and 3 is 0") {
		t.Errorf("distances missing a node: %v", err)
	}
}

func TestNodeCPUs(t *testing.T) {
	tp := mustParse(t, "2n4l2c1t-possible16-memnodes1")
	for n, want := range map[int]string{0: "0-3,8-11", 1: "4-7,12-15", 2: "", 3: "", -1: ""} {
		if got := FormatCPUList(tp.NodeCPUs(n)); got != want {
			t.Errorf("node %d cpus %q, want %q", n, got, want)
		}
	}
	if tp.PossibleLLCs() != 8 {
		t.Errorf("possible LLCs %d, want 8", tp.PossibleLLCs())
	}
}
