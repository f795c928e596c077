package topo

import (
	"fmt"
	"strings"

	"github.com/gauntlet-sched/gauntlet/internal/nearest"
)

// Preset is a named topology from the gauntlet's preset table.
type Preset struct {
	Name     string   `json:"name"`
	Topology Topology `json:"topology"`
}

// presets is ktstr's table of 24 topologies, in its order, then the
// opt-in shapes ktstr lacks (see [Presets]).
var presets = []Preset{
	{"tiny-1llc", shape(1, 1, 4, 1)},
	{"tiny-2llc", shape(1, 2, 2, 1)},
	{"odd-3llc", shape(1, 3, 3, 1)},
	{"odd-5llc", shape(1, 5, 3, 1)},
	{"odd-7llc", shape(1, 7, 2, 1)},
	{"smt-2llc", shape(1, 2, 2, 2)},
	{"smt-3llc", shape(1, 3, 2, 2)},
	{"medium-4llc", shape(1, 4, 4, 2)},
	{"medium-8llc", shape(1, 8, 4, 2)},
	{"large-4llc", shape(1, 4, 16, 2)},
	{"large-8llc", shape(1, 8, 8, 2)},
	{"near-max-llc", shape(1, 15, 8, 2)},
	{"max-cpu", shape(1, 14, 9, 2)},
	{"medium-4llc-nosmt", shape(1, 4, 8, 1)},
	{"medium-8llc-nosmt", shape(1, 8, 8, 1)},
	{"large-4llc-nosmt", shape(1, 4, 32, 1)},
	{"large-8llc-nosmt", shape(1, 8, 16, 1)},
	{"near-max-llc-nosmt", shape(1, 15, 16, 1)},
	{"max-cpu-nosmt", shape(1, 14, 18, 1)},
	{"numa2-4llc", shape(2, 4, 4, 1)},
	{"numa2-8llc", shape(2, 8, 8, 2)},
	{"numa2-8llc-nosmt", shape(2, 8, 16, 1)},
	{"numa4-8llc", shape(4, 8, 4, 1)},
	{"numa4-12llc", shape(4, 12, 8, 2)},
	{"offline-2llc", compact("1n2l2c1t-possible8")},
	{"offline-numa2", compact("2n4l2c1t-possible16")},
	{"numa2-memnode", compact("2n4l2c1t-memnodes1-dist21.24.34")},
	{"numa4-snc", compact("4n4l2c1t-dist12.21.21.21.21.12")},
}

// Presets returns the topology presets in table order: ktstr's 24 (tiny,
// odd, SMT, medium, large and near-maximum single-node layouts, their
// no-SMT twins, then the multi-node ones), then four shapes ktstr lacks:
//
//   - offline-2llc (1n2l2c1t-possible8) and offline-numa2
//     (2n4l2c1t-possible16): as many CPUs offline as online, for
//     schedulers that size arrays by possible CPUs;
//   - numa2-memnode (2n4l2c1t-memnodes1-dist21.24.34): two CPU nodes and a
//     memory-only node nearer node 0, like CXL memory;
//   - numa4-snc (4n4l2c1t-dist12.21.21.21.21.12): two sockets split into
//     two sub-NUMA clusters each.
//
// All four are opt-in: the default [Constraints] exclude offline CPUs,
// memory-only nodes and more than one NUMA node, as they exclude ktstr's
// multi-node presets. The slice is a copy the caller may modify.
func Presets() []Preset {
	return append([]Preset(nil), presets...)
}

// LookupPreset returns the preset called name. The error lists the known
// names.
func LookupPreset(name string) (Preset, error) {
	for _, p := range presets {
		if p.Name == name {
			return p, nil
		}
	}
	return Preset{}, fmt.Errorf("unknown preset %q%s; known presets: %s", name, nearest.Hint(name, PresetNames()), strings.Join(PresetNames(), ", "))
}

// PresetNames returns the preset names in table order.
func PresetNames() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.Name
	}
	return names
}

// ParsePresets reads a comma-separated list of preset names, as typed on
// the command line ("tiny-1llc,smt-2llc"), in the order given. Empty items
// are ignored; a name given twice is an error, as is an unknown name.
func ParsePresets(list string) ([]Preset, error) {
	var out []Preset
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if seen[name] {
			return nil, fmt.Errorf("preset %q given twice", name)
		}
		seen[name] = true
		p, err := LookupPreset(name)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("preset list %q names no preset; want names like tiny-1llc,smt-2llc", list)
	}
	return out, nil
}

// compact parses a preset's compact form, which must be valid.
func compact(s string) Topology {
	t, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return t
}

// shape returns the topology with n NUMA nodes, l LLCs, c cores per LLC
// and t threads per core, without options.
func shape(n, l, c, t int) Topology {
	return Topology{NUMA: n, LLCs: l, CoresPerLLC: c, ThreadsPerCore: t}
}
