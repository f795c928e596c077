package topo

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseForms(t *testing.T) {
	tests := []struct {
		in   string
		want Topology
	}{
		{"1n2l4c2t", shape(1, 2, 4, 2)},
		{"2N8L16C1T", shape(2, 8, 16, 1)},
		{" 4n12l8c2t ", shape(4, 12, 8, 2)},
		{"2,4,1", shape(1, 2, 4, 1)},
		{"1, 1, 1", shape(1, 1, 1, 1)},
		{"2,4,4,1", shape(2, 4, 4, 1)},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0,1,1", `topology "0,1,1": sockets must be at least 1, got 0`},
		{"1,0,1", "cores must be at least 1"},
		{"0,1,1,1", "NUMA nodes must be at least 1"},
		{"1n0l1c1t", "LLCs must be at least 1"},
		{"2n3l1c1t", "LLCs (3) must be a multiple of NUMA nodes (2)"},
		{"1n16l10c2t", "320 vCPUs is more than QEMU's q35 machine allows (288)"},
		{"1n1000000l1000000c1000000t", "LLCs (1000000) is more than"},
		{"1,2", "want 3 numbers"},
		{"1,x,2", `"x" is not a number`},
		{"1n2l4c", "want the form 1n2l4c2t"},
		{"1n2l4c2t9", `trailing "9"`},
		{"an2l4c2t", `"a" before "n" is not a number`},
		{"", "want the form"},
		{"tiny-1llc", "want the form"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error containing %q", tt.in, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "topology") {
			t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
		}
		if strings.Count(err.Error(), "topology") > 1 && tt.in != "" {
			t.Errorf("Parse(%q) error names the topology twice: %q", tt.in, err)
		}
	}
}

func TestTopologyDerived(t *testing.T) {
	tp := Topology{NUMA: 2, LLCs: 8, CoresPerLLC: 4, ThreadsPerCore: 2}
	if tp.CPUs() != 64 || tp.LLCsPerNode() != 4 || !tp.SMT() || tp.String() != "2n8l4c2t" {
		t.Errorf("derived values of %+v: cpus %d, llcs/node %d, smt %v, %s", tp, tp.CPUs(), tp.LLCsPerNode(), tp.SMT(), tp)
	}
	if shape(1, 1, 1, 1).SMT() {
		t.Error("1 thread per core reports SMT")
	}
}

func TestTopologyJSON(t *testing.T) {
	in := struct {
		T Topology `json:"t"`
	}{shape(1, 2, 4, 2)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"t":"1n2l4c2t"}` {
		t.Errorf("marshal = %s", b)
	}
	var out struct {
		T Topology `json:"t"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("round trip = %+v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"t":"0n1l1c1t"}`), &out); err == nil {
		t.Error("unmarshal of an invalid topology succeeded")
	}
}

// FuzzParse checks that Parse never panics, that what it accepts is valid,
// and that the compact form of an accepted topology parses back to it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1n2l4c2t", "2,4,1", "2,4,4,1", "0,1,1", "1n1000000l1000000c1000000t", "-1n1l1c1t",
		"2n4l2c1t-possible16-memnodes1-dist21.24.34", "1n1l4c1t-possible8", "4n4l1c1t-dist12.21.21.21.21.12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := Parse(s)
		if err != nil {
			return
		}
		if err := tp.Validate(); err != nil {
			t.Fatalf("Parse(%q) = %v, which does not validate: %v", s, tp, err)
		}
		back, err := Parse(tp.String())
		if err != nil || back != tp {
			t.Fatalf("Parse(%q) = %v; reparse = %v, %v", s, tp, back, err)
		}
	})
}
