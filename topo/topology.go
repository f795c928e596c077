package topo

import (
	"fmt"
	"strings"
)

// MaxVCPUs is the largest vCPU count QEMU's q35 machine accepts.
const MaxVCPUs = 288

// MaxNodes is the most NUMA nodes, CPU and memory-only ones together,
// QEMU accepts.
const MaxNodes = 128

// Topology is a CPU layout a VM is booted with: NUMA nodes, last-level
// caches (LLCs, in total, spread evenly over the nodes), cores per LLC and
// hardware threads per core. These CPUs are online at boot.
//
// Three optional parts shape the machine around them:
//   - PossibleCPUs adds CPUs that exist but are offline at boot;
//   - MemoryNodes adds NUMA nodes with memory and no CPUs;
//   - explicit NUMA distances (see [Topology.Distance]) replace the
//     kernel's defaults; only [Parse] sets them.
//
// Topologies compare with ==. The zero value of each optional part means
// "none", so old topologies keep their meaning.
type Topology struct {
	NUMA           int `json:"numa"`
	LLCs           int `json:"llcs"`
	CoresPerLLC    int `json:"cores_per_llc"`
	ThreadsPerCore int `json:"threads_per_core"`
	// PossibleCPUs is how many CPUs the guest kernel counts as possible
	// (/sys/devices/system/cpu/possible); those beyond [Topology.CPUs]
	// are present but offline at boot, ready to be brought online. They
	// form whole extra LLCs of the same shape, the same number in each
	// NUMA node (see [Topology.NodeCPUs]). Zero means no offline CPUs.
	PossibleCPUs int `json:"possible_cpus,omitempty"`
	// MemoryNodes is how many NUMA nodes have memory but no CPUs. They
	// are numbered after the NUMA nodes with CPUs and get the same share
	// of memory each (see [GuestMemoryMiB]). Zero means none.
	MemoryNodes int `json:"memory_nodes,omitempty"`

	dist distances // explicit NUMA distances; zero: the kernel's defaults
}

// CPUs returns the number of logical CPUs online at boot: LLCs x cores x
// threads.
func (t Topology) CPUs() int { return t.LLCs * t.CoresPerLLC * t.ThreadsPerCore }

// Possible returns the number of possible CPUs: [Topology.PossibleCPUs],
// or [Topology.CPUs] when it is zero.
func (t Topology) Possible() int {
	if t.PossibleCPUs == 0 {
		return t.CPUs()
	}
	return t.PossibleCPUs
}

// Offline returns the number of CPUs that are possible but offline at
// boot.
func (t Topology) Offline() int { return t.Possible() - t.CPUs() }

// PossibleLLCs returns the number of LLCs counting those of offline CPUs.
func (t Topology) PossibleLLCs() int { return t.Possible() / (t.CoresPerLLC * t.ThreadsPerCore) }

// Nodes returns the number of NUMA nodes: those with CPUs and the
// memory-only ones.
func (t Topology) Nodes() int { return t.NUMA + t.MemoryNodes }

// LLCsPerNode returns how many LLCs each NUMA node holds.
func (t Topology) LLCsPerNode() int { return t.LLCs / t.NUMA }

// SMT reports whether cores have more than one hardware thread.
func (t Topology) SMT() bool { return t.ThreadsPerCore > 1 }

// String prints t in the compact form "1n2l4c2t", followed by its
// options as [Parse] reads them, e.g. "2n4l2c1t-possible16-memnodes1-dist20.28.36".
func (t Topology) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%dn%dl%dc%dt", t.NUMA, t.LLCs, t.CoresPerLLC, t.ThreadsPerCore)
	if t.PossibleCPUs != 0 {
		fmt.Fprintf(&b, "-%s%d", optPossible, t.PossibleCPUs)
	}
	if t.MemoryNodes != 0 {
		fmt.Fprintf(&b, "-%s%d", optMemoryNodes, t.MemoryNodes)
	}
	if t.HasDistances() {
		b.WriteString("-" + optDistances + formatInts(t.distanceList(), "."))
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler with the compact form.
func (t Topology) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; see [Parse].
func (t *Topology) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// Validate checks the rules every topology must obey: no zero dimension,
// LLCs a multiple of NUMA nodes, at most [MaxVCPUs] CPUs (possible ones
// included) and [MaxNodes] nodes, offline CPUs that fill whole LLCs
// evenly over the nodes, distances for every pair of nodes. Every
// dimension is bounded first, so CPUs cannot overflow.
func (t Topology) Validate() error {
	for _, check := range []func() error{t.validateShape, t.validatePossible, t.validateMemoryNodes, t.validateDistances} {
		if err := check(); err != nil {
			return fmt.Errorf("topology %s: %w", t, err)
		}
	}
	return nil
}

func (t Topology) validateShape() error {
	dims := []struct {
		name string
		v    int
	}{{"NUMA nodes", t.NUMA}, {"LLCs", t.LLCs}, {"cores per LLC", t.CoresPerLLC}, {"threads per core", t.ThreadsPerCore}}
	for _, d := range dims {
		if d.v < 1 {
			return fmt.Errorf("%s must be at least 1, got %d", d.name, d.v)
		}
		if d.v > MaxVCPUs {
			return fmt.Errorf("%s (%d) is more than QEMU's q35 machine allows (%d vCPUs)", d.name, d.v, MaxVCPUs)
		}
	}
	if t.LLCs%t.NUMA != 0 {
		return fmt.Errorf("LLCs (%d) must be a multiple of NUMA nodes (%d)", t.LLCs, t.NUMA)
	}
	if t.CPUs() > MaxVCPUs {
		return fmt.Errorf("%d vCPUs is more than QEMU's q35 machine allows (%d)", t.CPUs(), MaxVCPUs)
	}
	return nil
}

// validatePossible checks PossibleCPUs: more than the online CPUs, at most
// MaxVCPUs, and whole LLCs per node beyond them.
func (t Topology) validatePossible() error {
	p, n := t.PossibleCPUs, t.CPUs()
	step := t.NUMA * t.CoresPerLLC * t.ThreadsPerCore
	switch {
	case p == 0:
		return nil
	case p <= n:
		return fmt.Errorf("-%s%d: possible CPUs must be more than the %d online ones; drop the option or raise it to %d", optPossible, p, n, n+step)
	case p > MaxVCPUs:
		return fmt.Errorf("-%s%d: %d vCPUs is more than QEMU's q35 machine allows (%d)", optPossible, p, p, MaxVCPUs)
	case (p-n)%step != 0:
		return fmt.Errorf("-%s%d: the %d offline CPUs must fill whole LLCs, the same number in each NUMA node: a multiple of %d (%s x %s x %s); try -%s%d",
			optPossible, p, p-n, step, count(t.NUMA, "node"), count(t.CoresPerLLC, "core"), count(t.ThreadsPerCore, "thread"), optPossible, n+(p-n+step-1)/step*step)
	}
	return nil
}

func (t Topology) validateMemoryNodes() error {
	switch {
	case t.MemoryNodes < 0:
		return fmt.Errorf("-%s%d: memory-only nodes must not be negative", optMemoryNodes, t.MemoryNodes)
	case t.Nodes() > MaxNodes:
		return fmt.Errorf("%d NUMA nodes is more than QEMU allows (%d)", t.Nodes(), MaxNodes)
	}
	return nil
}

// NodeCPUs returns the CPUs of NUMA node n, offline ones included: node n
// holds LLCs n*L/N .. (n+1)*L/N-1 of the online CPUs and, of the extra
// LLCs that hold the offline CPUs (numbered after the online ones), the
// n-th equal share. A memory-only node, or n out of range, has none. t
// must be valid.
func (t Topology) NodeCPUs(n int) []int {
	if n < 0 || n >= t.NUMA {
		return nil
	}
	online, offline := t.CPUs()/t.NUMA, t.Offline()/t.NUMA
	cpus := span(n*online, online)
	return append(cpus, span(t.CPUs()+n*offline, offline)...)
}
