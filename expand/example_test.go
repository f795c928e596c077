package expand_test

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// A scheduler with three flags; the test requires llc and excludes
// borrow, so the profiles are llc and llc+steal.
func ExampleProfiles() {
	s := spec.Spec{
		Scheduler: &spec.Scheduler{Name: "scx_demo", Flags: []spec.Flag{
			{Name: "llc"}, {Name: "steal", Requires: []string{"llc"}}, {Name: "borrow"},
		}},
		RequiredFlags: []string{"llc"},
		ExcludedFlags: []string{"borrow"},
	}
	ps, err := expand.Profiles(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range ps {
		fmt.Println(p.Name)
	}
	// Output:
	// llc
	// llc+steal
}

// The variants of one test on two presets, on a 2-CPU host.
func ExampleExpandSpec() {
	d := spec.Description{Test: "TestSteady", Spec: spec.Spec{
		Topology:    "1n1l2c1t",
		Constraints: topo.Constraints{RequiresSMT: true},
	}}
	presets, _ := topo.ParsePresets("tiny-1llc,smt-2llc")
	vs, _ := expand.ExpandSpec("example.com/sched", d, expand.Options{
		Presets:  presets,
		Capacity: topo.Capacity{CPUs: 2, MemoryMiB: 8192},
	})
	for _, v := range vs {
		if v.Excluded != "" {
			fmt.Printf("%s %s: excluded by %s: %s\n", v.Name, v.Topology, v.Excluded, v.Reason)
			continue
		}
		fmt.Println(v.Name, v.Topology)
	}
	// Output:
	// TestSteady 1n1l2c1t
	// TestSteady/tiny-1llc/default 1n1l4c1t: excluded by constraint: no SMT but requires_smt
	// TestSteady/smt-2llc/default 1n2l2c2t
}
