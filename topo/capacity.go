package topo

import "fmt"

// DefaultOversubscribe is the default number of vCPUs allowed per host CPU.
// Under TCG a 2-CPU host boots a 32-vCPU guest in 5-35 s and a 64-vCPU
// one in up to 105 s (measured boot times under TCG; see
// spec.TCGBootTime); 16 keeps every preset up to 32 vCPUs on such a host
// and drops the ones whose boot alone may eat minutes.
const DefaultOversubscribe = 16

// Guest memory sizing, see [GuestMemoryMiB].
const (
	// MinGuestMemoryMiB is the least memory a guest gets.
	MinGuestMemoryMiB = 512
	// GuestMemoryPerCPUMiB is the memory a guest gets per vCPU.
	GuestMemoryPerCPUMiB = 64
	// HostMemoryShare is the percentage of host memory one guest may use;
	// the rest is left to the host and its other work.
	HostMemoryShare = 75
)

// GuestMemoryMiB returns the memory a VM with topology t gets: the larger
// of minMiB (what the test asks for; 0 = no request), [MinGuestMemoryMiB]
// and [GuestMemoryPerCPUMiB] per vCPU, rounded up so that every NUMA node
// with CPUs gets the same whole number of MiB; each memory-only node
// ([Topology.MemoryNodes]) gets that share again on top.
func GuestMemoryMiB(t Topology, minMiB int) int {
	m := max(minMiB, MinGuestMemoryMiB, GuestMemoryPerCPUMiB*t.CPUs())
	n := max(t.NUMA, 1)
	per := (m + n - 1) / n
	return per * (n + max(t.MemoryNodes, 0))
}

// Capacity is what the host offers to one VM. Hosts are small next to the
// presets (ktstr drops every preset larger than the host, which leaves
// nothing on a 2-CPU machine), so vCPUs are oversubscribed by an explicit
// factor instead.
type Capacity struct {
	// CPUs is the number of host CPUs usable for VMs.
	CPUs int
	// MemoryMiB is the host's memory.
	MemoryMiB int
	// Oversubscribe is the most vCPUs one VM may have per host CPU; zero
	// means [DefaultOversubscribe].
	Oversubscribe float64
}

// Validate checks that c describes a host: positive CPUs and memory, a
// factor that is zero (default) or positive.
func (c Capacity) Validate() error {
	switch {
	case c.CPUs < 1:
		return fmt.Errorf("host capacity: %d CPUs; want at least 1", c.CPUs)
	case c.MemoryMiB < 1:
		return fmt.Errorf("host capacity: %d MiB of memory; want at least 1", c.MemoryMiB)
	case c.Oversubscribe < 0:
		return fmt.Errorf("host capacity: oversubscription factor %g; want a positive number", c.Oversubscribe)
	}
	return nil
}

// MaxVCPUs returns the largest vCPU count one VM may have on this host:
// CPUs x the oversubscription factor, rounded down, at least 1.
func (c Capacity) MaxVCPUs() int {
	return max(1, int(float64(c.CPUs)*c.Factor()+1e-9)) // 1e-9: 0.29*100 is 28.99...
}

// MaxGuestMemoryMiB returns the most memory one VM may have:
// [HostMemoryShare] percent of the host's memory.
func (c Capacity) MaxGuestMemoryMiB() int { return c.MemoryMiB * HostMemoryShare / 100 }

// Check reports whether a VM with topology t and memMiB of memory fits the
// host. The error says which limit it breaks and how to lift it, e.g.
// "64 vCPUs > 32 (2 host CPUs x oversubscription 16)".
func (c Capacity) Check(t Topology, memMiB int) error {
	if n := t.CPUs(); n > c.MaxVCPUs() {
		return fmt.Errorf("%d vCPUs > %d (%d host CPUs x oversubscription %g)", n, c.MaxVCPUs(), c.CPUs, c.Factor())
	}
	if memMiB > c.MaxGuestMemoryMiB() {
		return fmt.Errorf("%d MiB guest memory > %d MiB (%d%% of %d MiB host memory)", memMiB, c.MaxGuestMemoryMiB(), HostMemoryShare, c.MemoryMiB)
	}
	return nil
}

// Factor returns the oversubscription factor in effect: Oversubscribe, or
// [DefaultOversubscribe] when it is zero.
func (c Capacity) Factor() float64 {
	if c.Oversubscribe == 0 {
		return DefaultOversubscribe
	}
	return c.Oversubscribe
}

// Filter splits presets into those that fit the host and those that do
// not, sizing each guest with [GuestMemoryMiB](topology, minMiB). Both keep
// the input order.
func (c Capacity) Filter(presets []Preset, minMiB int) (kept []Preset, excluded []Exclusion) {
	for _, p := range presets {
		if err := c.Check(p.Topology, GuestMemoryMiB(p.Topology, minMiB)); err != nil {
			excluded = append(excluded, Exclusion{Preset: p, Reason: err.Error()})
			continue
		}
		kept = append(kept, p)
	}
	return kept, excluded
}
