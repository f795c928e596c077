package budget_test

import (
	"fmt"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

func ExampleSelect() {
	base := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
	smt, _ := topo.LookupPreset("smt-2llc")
	numa, _ := topo.LookupPreset("numa2-4llc")
	cands := []budget.Candidate{
		{Package: "example.com/m", Test: "TestFair", Variant: "TestFair", Base: true, Profile: "default", Topology: base},
		{Package: "example.com/m", Test: "TestFair", Variant: "TestFair/smt-2llc/default", Preset: "smt-2llc", Profile: "default", Topology: smt.Topology},
		{Package: "example.com/m", Test: "TestFair", Variant: "TestFair/numa2-4llc/default", Preset: "numa2-4llc", Profile: "default", Topology: numa.Topology},
	}
	plan, err := budget.Select(cands, budget.Options{
		Budget: 16 * time.Second,
		Host:   budget.Host{CPUs: 2, MemoryMiB: 24 << 10, Accel: spec.AccelTCG},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range plan.Selected {
		fmt.Printf("run %s at +%s in slot %d (est %s)\n", a.Variant, a.Start, a.Slot, a.Cost.Total())
	}
	for _, l := range plan.LeftOut {
		fmt.Printf("skip %s: %s\n", l.Variant, l.Reason)
	}
	fmt.Printf("%d/%d variants, %s of %s on %d slots, %d/%d features\n", len(plan.Selected), len(cands),
		plan.EstWall, plan.Budget, plan.Slots, plan.Coverage.Covered, plan.Coverage.Possible)
	// Output:
	// run TestFair/smt-2llc/default at +0s in slot 0 (est 8.95s)
	// run TestFair at +8.95s in slot 0 (est 6.7s)
	// skip TestFair/numa2-4llc/default: budget: estimated 12.2s (boot 5.5s + test 6.2s + teardown 500ms, model); after the more valuable variants it would end the plan at 18.9s, past the 16s budget
	// 2/3 variants, 15.65s of 16s on 2 slots, 15/20 features
}
