package topo

import (
	"fmt"
	"strconv"
	"strings"
)

// The options of the compact form, each written "-" name value.
const (
	optPossible    = "possible"
	optMemoryNodes = "memnodes"
	optDistances   = "dist"
)

// optionsHelp names the options in errors.
const optionsHelp = "-possibleN, -memnodesN, -distD.D..."

// Parse reads a topology in one of the forms users type:
//
//	1n2l4c2t   NUMA nodes, LLCs, cores per LLC, threads per core
//	2,4,1      sockets, cores, threads (sockets = LLCs, one NUMA node)
//	1,2,4,2    NUMA nodes, LLCs, cores per LLC, threads per core
//
// The compact form may be followed by options, each at most once, in any
// order ([Topology.String] prints them in this one):
//
//	-possibleM     M possible CPUs, the ones beyond the online CPUs offline
//	               at boot (1n2l4c2t-possible32: 16 online, 32 possible);
//	               they fill whole extra LLCs, the same number per node
//	-memnodesK     K NUMA nodes with memory and no CPUs, numbered after
//	               the others (2n4l2c1t-memnodes1: nodes 0 and 1 with
//	               CPUs, node 2 memory only)
//	-distD.D...    explicit NUMA distances (11..254) between every pair of
//	               nodes, memory-only ones included, as the upper half of
//	               the distance matrix row by row: d(0,1).d(0,2)...d(0,K-1).
//	               d(1,2)... (2n4l2c1t-memnodes1-dist20.28.36: 0-1 20,
//	               0-2 28, 1-2 36); without it a node is 10 from itself
//	               and 20 from any other, at most 8 nodes
//
// The result is validated; errors name the input and the rule it broke.
func Parse(s string) (Topology, error) {
	in := strings.TrimSpace(s)
	base, opts := splitOptions(strings.ToLower(in))
	var t Topology
	var err error
	switch {
	case strings.Contains(base, ",") && opts != "":
		err = fmt.Errorf("options (%s) need the compact form, e.g. 1n2l4c2t-possible32", optionsHelp)
	case strings.Contains(base, ","):
		t, err = parseComma(base)
	default:
		t, err = parseCompact(base, opts)
	}
	if err != nil {
		return Topology{}, fmt.Errorf("topology %q: %w", s, err)
	}
	if err := t.Validate(); err != nil {
		return Topology{}, fmt.Errorf("topology %q: %w", s, unwrapName(err, t))
	}
	return t, nil
}

// splitOptions cuts s before its first "-" that a letter follows, so a
// negative number stays in the base and is reported as one.
func splitOptions(s string) (base, opts string) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '-' && s[i+1] >= 'a' && s[i+1] <= 'z' {
			return s[:i], s[i:]
		}
	}
	return s, ""
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

// parseCompact reads "1n2l4c2t" and then the options in opts
// ("-possible32-memnodes1", lower case).
func parseCompact(s, opts string) (Topology, error) {
	var vals [4]int
	rest := s
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
		return Topology{}, fmt.Errorf("trailing %q; want the form 1n2l4c2t, options (%s) after it", rest, optionsHelp)
	}
	t := Topology{NUMA: vals[0], LLCs: vals[1], CoresPerLLC: vals[2], ThreadsPerCore: vals[3]}
	return t, t.parseOptions(opts)
}

// parseOptions applies opts ("-possible32-dist20") to t. Distances come
// last: their count depends on the number of memory-only nodes.
func (t *Topology) parseOptions(opts string) error {
	if opts == "" {
		return nil
	}
	seen := map[string]bool{}
	var dist string
	for _, o := range strings.Split(opts[1:], "-") {
		name, val := cutOptionName(o)
		if seen[name] {
			return fmt.Errorf("option -%s given twice", name)
		}
		seen[name] = true
		var err error
		switch name {
		case optPossible:
			t.PossibleCPUs, err = optionNumber(name, val)
		case optMemoryNodes:
			t.MemoryNodes, err = optionNumber(name, val)
		case optDistances:
			dist = val
		default:
			err = fmt.Errorf("unknown option %q; want %s", "-"+o, optionsHelp)
		}
		if err != nil {
			return err
		}
	}
	if seen[optDistances] {
		return t.parseDistances(dist)
	}
	return nil
}

// cutOptionName splits "possible32" into "possible" and "32".
func cutOptionName(o string) (name, val string) {
	i := strings.IndexFunc(o, func(r rune) bool { return r < 'a' || r > 'z' })
	if i < 0 {
		return o, ""
	}
	return o[:i], o[i:]
}

func optionNumber(name, val string) (int, error) {
	n, err := strconv.Atoi(val)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("-%s%s: want a positive number after -%s, e.g. -%s2", name, val, name, name)
	}
	return n, nil
}
