package topo

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxVCPUs is the largest vCPU count QEMU's q35 machine accepts.
const MaxVCPUs = 288

// Topology is a CPU layout a VM is booted with: NUMA nodes, last-level
// caches (LLCs, in total, spread evenly over the nodes), cores per LLC and
// hardware threads per core.
type Topology struct {
	NUMA           int `json:"numa"`
	LLCs           int `json:"llcs"`
	CoresPerLLC    int `json:"cores_per_llc"`
	ThreadsPerCore int `json:"threads_per_core"`
}

// CPUs returns the number of logical CPUs: LLCs x cores x threads.
func (t Topology) CPUs() int { return t.LLCs * t.CoresPerLLC * t.ThreadsPerCore }

// LLCsPerNode returns how many LLCs each NUMA node holds.
func (t Topology) LLCsPerNode() int { return t.LLCs / t.NUMA }

// SMT reports whether cores have more than one hardware thread.
func (t Topology) SMT() bool { return t.ThreadsPerCore > 1 }

// String prints t in the compact form "1n2l4c2t".
func (t Topology) String() string {
	return fmt.Sprintf("%dn%dl%dc%dt", t.NUMA, t.LLCs, t.CoresPerLLC, t.ThreadsPerCore)
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
// LLCs a multiple of NUMA nodes, at most [MaxVCPUs] CPUs. Every dimension
// is bounded first, so CPUs cannot overflow.
func (t Topology) Validate() error {
	dims := []struct {
		name string
		v    int
	}{{"NUMA nodes", t.NUMA}, {"LLCs", t.LLCs}, {"cores per LLC", t.CoresPerLLC}, {"threads per core", t.ThreadsPerCore}}
	for _, d := range dims {
		if d.v < 1 {
			return fmt.Errorf("topology %s: %s must be at least 1, got %d", t, d.name, d.v)
		}
		if d.v > MaxVCPUs {
			return fmt.Errorf("topology %s: %s (%d) is more than QEMU's q35 machine allows (%d vCPUs)", t, d.name, d.v, MaxVCPUs)
		}
	}
	if t.LLCs%t.NUMA != 0 {
		return fmt.Errorf("topology %s: LLCs (%d) must be a multiple of NUMA nodes (%d)", t, t.LLCs, t.NUMA)
	}
	if t.CPUs() > MaxVCPUs {
		return fmt.Errorf("topology %s: %d vCPUs is more than QEMU's q35 machine allows (%d)", t, t.CPUs(), MaxVCPUs)
	}
	return nil
}

// Parse reads a topology in one of the forms users type:
//
//	1n2l4c2t   NUMA nodes, LLCs, cores per LLC, threads per core
//	2,4,1      sockets, cores, threads (sockets = LLCs, one NUMA node)
//	1,2,4,2    NUMA nodes, LLCs, cores per LLC, threads per core
//
// The result is validated; errors name the input and the rule it broke.
func Parse(s string) (Topology, error) {
	in := strings.TrimSpace(s)
	var t Topology
	var err error
	if strings.Contains(in, ",") {
		t, err = parseComma(in)
	} else {
		t, err = parseCompact(in)
	}
	if err != nil {
		return Topology{}, fmt.Errorf("topology %q: %w", s, err)
	}
	if err := t.Validate(); err != nil {
		return Topology{}, fmt.Errorf("topology %q: %w", s, unwrapName(err, t))
	}
	return t, nil
}

// unwrapName strips the "topology X: " prefix Validate adds, so Parse does
// not name the topology twice.
func unwrapName(err error, t Topology) error {
	msg := strings.TrimPrefix(err.Error(), "topology "+t.String()+": ")
	return fmt.Errorf("%s", msg)
}

func parseComma(s string) (Topology, error) {
	parts := strings.Split(s, ",")
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return Topology{}, fmt.Errorf("%q is not a number; want S,C,T or N,L,C,T", p)
		}
		nums[i] = n
	}
	switch len(nums) {
	case 3:
		if err := positive(nums, "sockets", "cores", "threads"); err != nil {
			return Topology{}, err
		}
		return Topology{NUMA: 1, LLCs: nums[0], CoresPerLLC: nums[1], ThreadsPerCore: nums[2]}, nil
	case 4:
		return Topology{NUMA: nums[0], LLCs: nums[1], CoresPerLLC: nums[2], ThreadsPerCore: nums[3]}, nil
	}
	return Topology{}, fmt.Errorf("want 3 numbers (sockets,cores,threads) or 4 (numa,llcs,cores,threads), got %d", len(nums))
}

// positive checks that each of nums is at least 1, naming the dimension
// as the user's form calls it.
func positive(nums []int, names ...string) error {
	for i, n := range nums {
		if n < 1 {
			return fmt.Errorf("%s must be at least 1, got %d", names[i], n)
		}
	}
	return nil
}

func parseCompact(s string) (Topology, error) {
	var vals [4]int
	rest := strings.ToLower(s)
	for i, unit := range []byte{'n', 'l', 'c', 't'} {
		j := strings.IndexByte(rest, unit)
		if j <= 0 {
			return Topology{}, fmt.Errorf("want the form 1n2l4c2t (NUMA nodes, LLCs, cores per LLC, threads per core)")
		}
		n, err := strconv.Atoi(rest[:j])
		if err != nil {
			return Topology{}, fmt.Errorf("%q before %q is not a number; want the form 1n2l4c2t", rest[:j], string(unit))
		}
		vals[i] = n
		rest = rest[j+1:]
	}
	if rest != "" {
		return Topology{}, fmt.Errorf("trailing %q; want the form 1n2l4c2t", rest)
	}
	return Topology{NUMA: vals[0], LLCs: vals[1], CoresPerLLC: vals[2], ThreadsPerCore: vals[3]}, nil
}
