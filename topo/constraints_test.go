package topo

import (
	"slices"
	"strings"
	"testing"
)

func names(ps []Preset) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// TestConstraintsKtstrExample is ktstr's worked example: min_llcs=2 and
// requires_smt with the default max_numa=1 leave exactly six presets.
func TestConstraintsKtstrExample(t *testing.T) {
	c := Constraints{MinLLCs: 2, RequiresSMT: true}
	kept, excluded := c.Filter(Presets())
	want := []string{"smt-2llc", "smt-3llc", "medium-4llc", "medium-8llc", "large-4llc", "large-8llc"}
	if !slices.Equal(names(kept), want) {
		t.Fatalf("kept %v, want %v", names(kept), want)
	}
	if len(kept)+len(excluded) != len(Presets()) {
		t.Fatalf("kept %d + excluded %d != %d presets", len(kept), len(excluded), len(Presets()))
	}
	reasons := map[string]string{}
	for _, e := range excluded {
		reasons[e.Preset.Name] = e.Reason
	}
	for name, want := range map[string]string{
		"tiny-1llc":         "1 LLC < min_llcs 2",
		"tiny-2llc":         "no SMT but requires_smt",
		"near-max-llc":      "15 LLCs > max_llcs 12",
		"max-cpu":           "14 LLCs > max_llcs 12",
		"numa2-8llc":        "2 NUMA nodes > max_numa 1",
		"medium-4llc-nosmt": "no SMT but requires_smt",
	} {
		if reasons[name] != want {
			t.Errorf("%s excluded for %q, want %q", name, reasons[name], want)
		}
	}
}

func TestConstraintsDefaults(t *testing.T) {
	kept, excluded := Constraints{}.Filter(Presets())
	// Default: one node, at most 12 LLCs and 192 CPUs.
	want := []string{"tiny-1llc", "tiny-2llc", "odd-3llc", "odd-5llc", "odd-7llc", "smt-2llc", "smt-3llc",
		"medium-4llc", "medium-8llc", "large-4llc", "large-8llc", "medium-4llc-nosmt", "medium-8llc-nosmt",
		"large-4llc-nosmt", "large-8llc-nosmt"}
	if !slices.Equal(names(kept), want) {
		t.Fatalf("kept %v, want %v", names(kept), want)
	}
	for _, e := range excluded {
		if e.Reason == "" {
			t.Errorf("%s excluded without a reason", e.Preset.Name)
		}
	}
}

func TestConstraintsCheckEachRule(t *testing.T) {
	tp := shape(2, 4, 2, 2) // 16 CPUs
	tests := []struct {
		c    Constraints
		want string
	}{
		{Constraints{MaxNUMA: 4}, ""},
		{Constraints{MinNUMA: 3, MaxNUMA: 4}, "2 NUMA nodes < min_numa 3"},
		{Constraints{}, "2 NUMA nodes > max_numa 1"},
		{Constraints{MaxNUMA: 2, MinLLCs: 5}, "4 LLCs < min_llcs 5"},
		{Constraints{MaxNUMA: 2, MaxLLCs: 3}, "4 LLCs > max_llcs 3"},
		{Constraints{MaxNUMA: 2, MinCPUs: 17}, "16 CPUs < min_cpus 17"},
		{Constraints{MaxNUMA: 2, MaxCPUs: 15}, "16 CPUs > max_cpus 15"},
		{Constraints{MaxNUMA: 2, RequiresSMT: true}, ""},
	}
	for _, tt := range tests {
		err := tt.c.Check(tp)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%+v.Check(%s) = %q, want %q", tt.c, tp, got, tt.want)
		}
	}
	offline := mustParse(t, "2n2l2c1t-possible8-memnodes1")
	for _, tt := range []struct {
		c    Constraints
		want string
	}{
		{Constraints{MaxNUMA: 2}, "4 offline CPUs > max_offline_cpus 0"},
		{Constraints{MaxNUMA: 2, MaxOfflineCPUs: 8}, "1 memory-only NUMA node > max_memory_nodes 0"},
		{Constraints{MaxNUMA: 2, MinOfflineCPUs: 5, MaxOfflineCPUs: 8, MaxMemoryNodes: 1}, "4 offline CPUs < min_offline_cpus 5"},
		{Constraints{MaxNUMA: 2, MaxOfflineCPUs: 8, MinMemoryNodes: 2, MaxMemoryNodes: 2}, "1 memory-only NUMA node < min_memory_nodes 2"},
		{Constraints{MaxNUMA: 2, MaxOfflineCPUs: 4, MaxMemoryNodes: 1}, ""},
	} {
		got := ""
		if err := tt.c.Check(offline); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%+v.Check(%s) = %q, want %q", tt.c, offline, got, tt.want)
		}
	}
	if err := (Constraints{RequiresSMT: true}).Check(shape(1, 1, 2, 1)); err == nil {
		t.Error("requires_smt allowed a topology without SMT")
	}
}

func TestConstraintsValidate(t *testing.T) {
	if err := (Constraints{}).Validate(); err != nil {
		t.Errorf("zero constraints: %v", err)
	}
	if err := (Constraints{MinCPUs: 8, MaxCPUs: 4}).Validate(); err == nil || !strings.Contains(err.Error(), "min_cpus (8) is more than max_cpus (4)") {
		t.Errorf("min > max: %v", err)
	}
	// A minimum above the default maximum is an error unless the maximum
	// is raised too.
	if err := (Constraints{MinNUMA: 2}).Validate(); err == nil || !strings.Contains(err.Error(), "min_numa (2) is more than max_numa (1)") {
		t.Errorf("min_numa 2 with default max: %v", err)
	}
	if err := (Constraints{MinOfflineCPUs: 4}).Validate(); err == nil || !strings.Contains(err.Error(), "min_offline_cpus (4) is more than max_offline_cpus (0)") {
		t.Errorf("min_offline_cpus 4 with default max: %v", err)
	}
	if err := (Constraints{MaxMemoryNodes: -1}).Validate(); err == nil || !strings.Contains(err.Error(), "max_memory_nodes (-1) must not be negative") {
		t.Errorf("negative max_memory_nodes: %v", err)
	}
	if err := (Constraints{MinLLCs: -1}).Validate(); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative: %v", err)
	}
}
