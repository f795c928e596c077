package topo

import (
	"slices"
	"strings"
	"testing"
)

func TestGuestMemoryMiB(t *testing.T) {
	tests := []struct {
		t    Topology
		min  int
		want int
	}{
		{shape(1, 1, 2, 1), 0, 512},
		{shape(1, 8, 4, 2), 0, 64 * 64},
		{shape(1, 1, 2, 1), 2000, 2000},
		{shape(4, 8, 4, 1), 2049, 2052}, // rounded up to a multiple of 4 nodes
		{shape(3, 3, 1, 1), 0, 513},
		{Topology{NUMA: 2, LLCs: 2, CoresPerLLC: 2, ThreadsPerCore: 1, MemoryNodes: 1}, 0, 768}, // 256 for each of 3 nodes
		{Topology{NUMA: 2, LLCs: 2, CoresPerLLC: 2, ThreadsPerCore: 1, MemoryNodes: 2}, 1000, 2000},
		{Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 4, ThreadsPerCore: 1, PossibleCPUs: 64}, 0, 512}, // offline CPUs cost nothing
	}
	for _, tt := range tests {
		if got := GuestMemoryMiB(tt.t, tt.min); got != tt.want {
			t.Errorf("GuestMemoryMiB(%s, %d) = %d, want %d", tt.t, tt.min, got, tt.want)
		}
	}
}

// TestCapacityTwoCPUHost: the default factor on this 2-CPU machine keeps
// exactly the presets up to 32 vCPUs.
func TestCapacityTwoCPUHost(t *testing.T) {
	c := Capacity{CPUs: 2, MemoryMiB: 24 * 1024}
	kept, excluded := c.Filter(Presets(), 0)
	want := []string{"tiny-1llc", "tiny-2llc", "odd-3llc", "odd-5llc", "odd-7llc", "smt-2llc", "smt-3llc",
		"medium-4llc", "medium-4llc-nosmt", "numa2-4llc", "numa4-8llc", "offline-2llc", "offline-numa2", "numa2-memnode", "numa4-snc"}
	if !slices.Equal(names(kept), want) {
		t.Fatalf("kept %v, want %v", names(kept), want)
	}
	if len(excluded) != 13 {
		t.Fatalf("%d excluded, want 13", len(excluded))
	}
	if r := excluded[0].Reason; excluded[0].Preset.Name != "medium-8llc" || r != "64 vCPUs > 32 (2 host CPUs x oversubscription 16)" {
		t.Errorf("first exclusion %s: %q", excluded[0].Preset.Name, r)
	}
}

func TestCapacityFactor(t *testing.T) {
	tests := []struct {
		c    Capacity
		want int
	}{
		{Capacity{CPUs: 2}, 32},
		{Capacity{CPUs: 2, Oversubscribe: 1}, 2},
		{Capacity{CPUs: 3, Oversubscribe: 1.5}, 4},
		{Capacity{CPUs: 100, Oversubscribe: 0.29}, 29},
		{Capacity{CPUs: 1, Oversubscribe: 0.1}, 1},
	}
	for _, tt := range tests {
		if got := tt.c.MaxVCPUs(); got != tt.want {
			t.Errorf("%+v.MaxVCPUs() = %d, want %d", tt.c, got, tt.want)
		}
	}
}

func TestCapacityMemory(t *testing.T) {
	c := Capacity{CPUs: 64, MemoryMiB: 4096}
	err := c.Check(shape(1, 8, 8, 1), GuestMemoryMiB(shape(1, 8, 8, 1), 0))
	if err == nil || err.Error() != "4096 MiB guest memory > 3072 MiB (75% of 4096 MiB host memory)" {
		t.Fatalf("memory check: %v", err)
	}
	if err := c.Check(shape(1, 1, 2, 1), 512); err != nil {
		t.Fatalf("small guest: %v", err)
	}
	// The test's own memory request counts.
	_, excluded := c.Filter([]Preset{{"x", shape(1, 1, 2, 1)}}, 8000)
	if len(excluded) != 1 || !strings.Contains(excluded[0].Reason, "8000 MiB guest memory") {
		t.Fatalf("memory request ignored: %+v", excluded)
	}
}

func TestCapacityValidate(t *testing.T) {
	for _, c := range []Capacity{{CPUs: 0, MemoryMiB: 1}, {CPUs: 1}, {CPUs: 1, MemoryMiB: 1, Oversubscribe: -1}} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v validated", c)
		}
	}
	if err := (Capacity{CPUs: 2, MemoryMiB: 1024}).Validate(); err != nil {
		t.Error(err)
	}
}
