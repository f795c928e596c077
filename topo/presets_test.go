package topo

import (
	"strings"
	"testing"
)

// TestPresetTable checks the table against ktstr's: names, order, layouts
// and CPU counts, and that every preset is a valid topology.
func TestPresetTable(t *testing.T) {
	want := []struct {
		name, topo string
		cpus       int
	}{
		{"tiny-1llc", "1n1l4c1t", 4}, {"tiny-2llc", "1n2l2c1t", 4}, {"odd-3llc", "1n3l3c1t", 9},
		{"odd-5llc", "1n5l3c1t", 15}, {"odd-7llc", "1n7l2c1t", 14}, {"smt-2llc", "1n2l2c2t", 8},
		{"smt-3llc", "1n3l2c2t", 12}, {"medium-4llc", "1n4l4c2t", 32}, {"medium-8llc", "1n8l4c2t", 64},
		{"large-4llc", "1n4l16c2t", 128}, {"large-8llc", "1n8l8c2t", 128}, {"near-max-llc", "1n15l8c2t", 240},
		{"max-cpu", "1n14l9c2t", 252}, {"medium-4llc-nosmt", "1n4l8c1t", 32}, {"medium-8llc-nosmt", "1n8l8c1t", 64},
		{"large-4llc-nosmt", "1n4l32c1t", 128}, {"large-8llc-nosmt", "1n8l16c1t", 128},
		{"near-max-llc-nosmt", "1n15l16c1t", 240}, {"max-cpu-nosmt", "1n14l18c1t", 252},
		{"numa2-4llc", "2n4l4c1t", 16}, {"numa2-8llc", "2n8l8c2t", 128}, {"numa2-8llc-nosmt", "2n8l16c1t", 128},
		{"numa4-8llc", "4n8l4c1t", 32}, {"numa4-12llc", "4n12l8c2t", 192},
		// Opt-in shapes ktstr lacks.
		{"offline-2llc", "1n2l2c1t-possible8", 4}, {"offline-numa2", "2n4l2c1t-possible16", 8},
		{"numa2-memnode", "2n4l2c1t-memnodes1-dist21.24.34", 8}, {"numa4-snc", "4n4l2c1t-dist12.21.21.21.21.12", 8},
	}
	got := Presets()
	if len(got) != len(want) {
		t.Fatalf("%d presets, want %d", len(got), len(want))
	}
	for i, w := range want {
		p := got[i]
		if p.Name != w.name || p.Topology.String() != w.topo || p.Topology.CPUs() != w.cpus {
			t.Errorf("preset %d = %s %s (%d CPUs), want %s %s (%d)", i, p.Name, p.Topology, p.Topology.CPUs(), w.name, w.topo, w.cpus)
		}
		if err := p.Topology.Validate(); err != nil {
			t.Errorf("preset %s: %v", p.Name, err)
		}
		if strings.ContainsAny(p.Name, "/+ ") {
			t.Errorf("preset name %q has a character that breaks variant names", p.Name)
		}
	}
}

// TestNewPresetsAreOptIn: the default constraints keep none of the
// presets with offline CPUs, memory-only nodes or explicit distances, and
// raising the one limit each breaks lets it in.
func TestNewPresetsAreOptIn(t *testing.T) {
	for name, c := range map[string]Constraints{
		"offline-2llc":  {MaxOfflineCPUs: 4},
		"offline-numa2": {MaxNUMA: 2, MaxOfflineCPUs: 8},
		"numa2-memnode": {MaxNUMA: 2, MaxMemoryNodes: 1},
		"numa4-snc":     {MaxNUMA: 4},
	} {
		p, err := LookupPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := (Constraints{}).Check(p.Topology); err == nil {
			t.Errorf("%s is allowed by default", name)
		}
		if err := c.Check(p.Topology); err != nil {
			t.Errorf("%s with %+v: %v", name, c, err)
		}
	}
}

func TestPresetsReturnsCopy(t *testing.T) {
	p := Presets()
	p[0].Name = "changed"
	if Presets()[0].Name != "tiny-1llc" {
		t.Fatal("Presets exposes the package table")
	}
}

func TestLookupPreset(t *testing.T) {
	p, err := LookupPreset("numa2-4llc")
	if err != nil || p.Topology != shape(2, 4, 4, 1) {
		t.Fatalf("LookupPreset(numa2-4llc) = %+v, %v", p, err)
	}
	_, err = LookupPreset("nosuch")
	if err == nil || !strings.Contains(err.Error(), `unknown preset "nosuch"`) || !strings.Contains(err.Error(), "tiny-1llc") {
		t.Fatalf("LookupPreset(nosuch) error = %v", err)
	}
}

func TestParsePresets(t *testing.T) {
	ps, err := ParsePresets("smt-2llc, tiny-1llc,")
	if err != nil || len(ps) != 2 || ps[0].Name != "smt-2llc" || ps[1].Name != "tiny-1llc" {
		t.Fatalf("ParsePresets = %+v, %v", ps, err)
	}
	for in, want := range map[string]string{
		"nosuch":              `unknown preset "nosuch"`,
		"tiny-1llc,tiny-1llc": `preset "tiny-1llc" given twice`,
		" , ":                 "names no preset",
	} {
		if _, err := ParsePresets(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePresets(%q) error = %v, want %q", in, err, want)
		}
	}
}
