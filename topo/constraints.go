package topo

// Constraints limit which topologies a test may run on. A zero field means
// the default from [DefaultConstraints]: NUMA 1..1, LLCs 1..12, CPUs 1..192,
// SMT not required.
type Constraints struct {
	MinNUMA     int  `json:"min_numa,omitempty"`
	MaxNUMA     int  `json:"max_numa,omitempty"`
	MinLLCs     int  `json:"min_llcs,omitempty"`
	MaxLLCs     int  `json:"max_llcs,omitempty"`
	MinCPUs     int  `json:"min_cpus,omitempty"`
	MaxCPUs     int  `json:"max_cpus,omitempty"`
	RequiresSMT bool `json:"requires_smt,omitempty"`
}

// DefaultConstraints are the limits a test gets when it sets none.
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
