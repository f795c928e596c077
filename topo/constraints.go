package topo

import (
	"errors"
	"fmt"
)

// Constraints limit which topologies a test may run on. A zero field means
// the default from [DefaultConstraints]: NUMA 1..1, LLCs 1..12, CPUs 1..192,
// SMT not required, no offline CPUs, no memory-only nodes. NUMA counts
// the nodes with CPUs and CPUs the online ones; offline CPUs
// ([Topology.Offline]) and memory-only nodes ([Topology.MemoryNodes])
// have limits of their own, so presets with them are opt-in: a test
// raises MaxOfflineCPUs or MaxMemoryNodes to run on them, as it raises
// MaxNUMA for several nodes.
type Constraints struct {
	MinNUMA        int  `json:"min_numa,omitempty"`
	MaxNUMA        int  `json:"max_numa,omitempty"`
	MinLLCs        int  `json:"min_llcs,omitempty"`
	MaxLLCs        int  `json:"max_llcs,omitempty"`
	MinCPUs        int  `json:"min_cpus,omitempty"`
	MaxCPUs        int  `json:"max_cpus,omitempty"`
	RequiresSMT    bool `json:"requires_smt,omitempty"`
	MinOfflineCPUs int  `json:"min_offline_cpus,omitempty"`
	MaxOfflineCPUs int  `json:"max_offline_cpus,omitempty"`
	MinMemoryNodes int  `json:"min_memory_nodes,omitempty"`
	MaxMemoryNodes int  `json:"max_memory_nodes,omitempty"`
}

// DefaultConstraints are the limits a test gets when it sets none. Their
// offline CPU and memory-only node limits are 0..0, which is also what
// zero fields mean.
var DefaultConstraints = Constraints{MinNUMA: 1, MaxNUMA: 1, MinLLCs: 1, MaxLLCs: 12, MinCPUs: 1, MaxCPUs: 192}

// WithDefaults returns c with every zero field replaced by its default.
func (c Constraints) WithDefaults() Constraints {
	d := DefaultConstraints
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&c.MinNUMA, d.MinNUMA)
	set(&c.MaxNUMA, d.MaxNUMA)
	set(&c.MinLLCs, d.MinLLCs)
	set(&c.MaxLLCs, d.MaxLLCs)
	set(&c.MinCPUs, d.MinCPUs)
	set(&c.MaxCPUs, d.MaxCPUs)
	return c
}

// Validate checks that c (after [Constraints.WithDefaults]) makes sense:
// no negative field and every minimum at most its maximum. Errors name the
// fields involved.
func (c Constraints) Validate() error {
	d := c.WithDefaults()
	ranges := []struct {
		name     string
		min, max int
	}{{"numa", d.MinNUMA, d.MaxNUMA}, {"llcs", d.MinLLCs, d.MaxLLCs}, {"cpus", d.MinCPUs, d.MaxCPUs},
		{"offline_cpus", d.MinOfflineCPUs, d.MaxOfflineCPUs}, {"memory_nodes", d.MinMemoryNodes, d.MaxMemoryNodes}}
	for _, r := range ranges {
		if r.min < 0 || r.max < 0 {
			return fmt.Errorf("constraints: min_%s (%d) and max_%s (%d) must not be negative", r.name, r.min, r.name, r.max)
		}
		if r.min > r.max {
			return fmt.Errorf("constraints: min_%s (%d) is more than max_%s (%d)", r.name, r.min, r.name, r.max)
		}
	}
	return nil
}

// Check reports whether t satisfies c (with defaults applied). The error
// names the first constraint t breaks, e.g. "2 NUMA nodes > max_numa 1";
// it is nil when t is allowed.
func (c Constraints) Check(t Topology) error {
	d := c.WithDefaults()
	for _, r := range []struct {
		n        int
		thing    string
		name     string
		min, max int
	}{
		{t.NUMA, "NUMA node", "numa", d.MinNUMA, d.MaxNUMA},
		{t.LLCs, "LLC", "llcs", d.MinLLCs, d.MaxLLCs},
		{t.CPUs(), "CPU", "cpus", d.MinCPUs, d.MaxCPUs},
		{t.Offline(), "offline CPU", "offline_cpus", d.MinOfflineCPUs, d.MaxOfflineCPUs},
		{t.MemoryNodes, "memory-only NUMA node", "memory_nodes", d.MinMemoryNodes, d.MaxMemoryNodes},
	} {
		if r.n < r.min {
			return fmt.Errorf("%s < min_%s %d", count(r.n, r.thing), r.name, r.min)
		}
		if r.n > r.max {
			return fmt.Errorf("%s > max_%s %d", count(r.n, r.thing), r.name, r.max)
		}
	}
	if d.RequiresSMT && !t.SMT() {
		return errors.New("no SMT but requires_smt")
	}
	return nil
}

// count prints n things, e.g. "1 LLC", "2 LLCs".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// Exclusion is a preset a filter dropped, with the reason.
type Exclusion struct {
	Preset Preset
	// Reason is a short phrase, e.g. "2 NUMA nodes > max_numa 1".
	Reason string
}

// Filter splits presets into those c allows and those it excludes, each
// exclusion with the constraint that caused it. Both keep the input order.
func (c Constraints) Filter(presets []Preset) (kept []Preset, excluded []Exclusion) {
	for _, p := range presets {
		if err := c.Check(p.Topology); err != nil {
			excluded = append(excluded, Exclusion{Preset: p, Reason: err.Error()})
			continue
		}
		kept = append(kept, p)
	}
	return kept, excluded
}
