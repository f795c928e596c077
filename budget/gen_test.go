package budget

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// genSet describes a generated candidate set, the kind `gauntlet plan`
// produces for a module of scheduler tests.
type genSet struct {
	seed     uint64
	tests    int
	packages int
	presets  []topo.Preset
}

// schedulers of the generated tests, each with two flags: four profiles.
var genSchedulers = []struct{ name, a, b string }{
	{"scx_simple", "fifo", "slice"},
	{"scx_lavd", "llc", "steal"},
	{"scx_rusty", "numa", "borrow"},
}

var genBaseTopologies = []topo.Topology{
	{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1},
	{NUMA: 1, LLCs: 2, CoresPerLLC: 2, ThreadsPerCore: 1},
	{NUMA: 1, LLCs: 1, CoresPerLLC: 4, ThreadsPerCore: 1},
	{NUMA: 1, LLCs: 2, CoresPerLLC: 1, ThreadsPerCore: 2},
}

// generate returns, per test, its base variant and presets x 4 profiles,
// with durations, schedulers and base topologies drawn from a seeded
// generator: the same genSet gives the same candidates.
func (g genSet) generate() []Candidate {
	rng := rand.New(rand.NewPCG(g.seed, 0x9e3779b97f4a7c15))
	var out []Candidate
	for t := range g.tests {
		s := genSchedulers[rng.IntN(len(genSchedulers))]
		base := Candidate{
			Package:   fmt.Sprintf("example.com/scheds/p%d", t%max(g.packages, 1)),
			Test:      fmt.Sprintf("Test%04d", t),
			Scheduler: s.name,
			Duration:  []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 5 * time.Second, 5 * time.Second, 15 * time.Second}[rng.IntN(6)],
			MemoryMiB: []int{0, 0, 0, 1024}[rng.IntN(4)],
		}
		c := base
		c.Variant, c.Base, c.Profile = base.Test, true, "default"
		c.Topology = genBaseTopologies[rng.IntN(len(genBaseTopologies))]
		out = append(out, c)
		profiles := [][]string{nil, {s.a}, {s.b}, {s.a, s.b}}
		for _, p := range g.presets {
			for _, flags := range profiles {
				c := base
				c.Preset, c.Topology, c.Flags = p.Name, p.Topology, flags
				c.Profile = profileName(flags)
				c.Variant = c.Test + "/" + p.Name + "/" + c.Profile
				out = append(out, c)
			}
		}
	}
	return out
}

func profileName(flags []string) string {
	if len(flags) == 0 {
		return "default"
	}
	s := flags[0]
	for _, f := range flags[1:] {
		s += "+" + f
	}
	return s
}

// hostScenario is a host with the presets its capacity filter keeps.
type hostScenario struct {
	name string
	host Host
}

var (
	// thisHost is the machine this project is built on: 2 cores, 24 GiB,
	// TCG only.
	thisHost = hostScenario{"tcg-2cpu", Host{CPUs: 2, MemoryMiB: 24 << 10, Accel: spec.AccelTCG}}
	// bigHost is a CI-class KVM machine on which every preset fits.
	bigHost = hostScenario{"kvm-64cpu", Host{CPUs: 64, MemoryMiB: 256 << 10, Accel: spec.AccelKVM}}
)

// presets returns the presets that fit h (topo's capacity filter with its
// default oversubscription).
func (h hostScenario) presets() []topo.Preset {
	kept, _ := topo.Capacity{CPUs: h.host.CPUs, MemoryMiB: h.host.MemoryMiB}.Filter(topo.Presets(), 0)
	return kept
}

// bigTopology is the max-cpu preset, 252 vCPUs.
var bigTopology = topo.Topology{NUMA: 1, LLCs: 14, CoresPerLLC: 9, ThreadsPerCore: 2}
