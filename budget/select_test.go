package budget

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	golden_ "github.com/gauntlet-sched/gauntlet/internal/golden"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// smallSet is a hand-sized candidate set: 3 tests x 3 presets x 2
// profiles plus bases.
func smallSet() []Candidate {
	presets := []topo.Preset{}
	for _, n := range []string{"tiny-1llc", "smt-2llc", "numa2-4llc"} {
		p, err := topo.LookupPreset(n)
		if err != nil {
			panic(err)
		}
		presets = append(presets, p)
	}
	var out []Candidate
	for ti, test := range []string{"TestFair", "TestStuck", "TestIsolation"} {
		base := Candidate{Package: "example.com/m/sched", Test: test, Scheduler: "scx_demo", Duration: time.Duration(2+3*ti) * time.Second}
		c := base
		c.Variant, c.Base, c.Profile, c.Topology = test, true, "default", topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
		out = append(out, c)
		for _, p := range presets {
			for _, flags := range [][]string{nil, {"llc"}} {
				c := base
				c.Preset, c.Topology, c.Flags, c.Profile = p.Name, p.Topology, flags, profileName(flags)
				c.Variant = test + "/" + p.Name + "/" + c.Profile
				out = append(out, c)
			}
		}
	}
	return out
}

var tcgHost = Host{CPUs: 2, MemoryMiB: 24 << 10, Accel: spec.AccelTCG}

func TestSelectNoBudgetTakesEverything(t *testing.T) {
	cs := smallSet()
	p, err := Select(cs, Options{Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	if len(p.Selected) != len(cs) || len(p.LeftOut) != 0 {
		t.Errorf("selected %d, left out %d; want all %d selected", len(p.Selected), len(p.LeftOut), len(cs))
	}
	if p.Coverage.Covered != p.Coverage.Possible {
		t.Errorf("coverage %+v: everything selected must cover every feature", p.Coverage)
	}
	// Every VM here with 2-8 vCPUs holds both cores, so those run one at
	// a time; the 16-vCPU ones run single-threaded and hold one core, so
	// two of them may share the host.
	var whole, half time.Duration
	for _, a := range p.Selected {
		if a.Weight.CPUs == 2 {
			whole += a.Cost.Total()
		} else {
			half += a.Cost.Total()
		}
	}
	if half == 0 {
		t.Fatal("no single-threaded VM in the set; the test needs one")
	}
	if p.EstWall >= whole+half || p.EstWall < whole+half/2 {
		t.Errorf("EstWall %s; want below the serial sum %s and at least %s (two 1-core VMs at a time)", p.EstWall, whole+half, whole+half/2)
	}
}

func TestSelectBudgetBasesFirst(t *testing.T) {
	cs := smallSet()
	// Room for the three base variants and a few more, not everything.
	p, err := Select(cs, Options{Budget: 80 * time.Second, Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	bases := 0
	for _, a := range p.Selected {
		if a.Base {
			bases++
		}
	}
	if bases != 3 {
		t.Errorf("selected %d base variants, want all 3 first", bases)
	}
	if len(p.Selected) <= 3 || len(p.LeftOut) == 0 {
		t.Errorf("selected %d, left out %d; want the bases plus some, not all", len(p.Selected), len(p.LeftOut))
	}
	for _, l := range p.LeftOut {
		if l.Kind != LeftOutBudget || !strings.Contains(l.Reason, "past the 1m20s budget") {
			t.Errorf("left out %s: kind %s, reason %q; want a budget reason naming the budget", l.id(), l.Kind, l.Reason)
		}
	}
}

func TestSelectTightBudgetPrefersValuableBases(t *testing.T) {
	cs := smallSet()
	// Only one VM fits: the cheapest base by value per cost, i.e. the
	// shortest test (all bases cover as many new features).
	p, err := Select(cs, Options{Budget: 10 * time.Second, Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	if len(p.Selected) != 1 || p.Selected[0].Variant != "TestFair" {
		t.Fatalf("selected %v; want only TestFair (2 s, the cheapest base)", variants(p.Selected))
	}
	for _, l := range p.LeftOut {
		if l.Variant == "TestIsolation" && !strings.Contains(l.Reason, "alone") {
			t.Errorf("TestIsolation (8 s test, > 10 s in all) reason %q; want \"... alone ...\"", l.Reason)
		}
	}
}

func TestSelectDeterministic(t *testing.T) {
	cs := genSet{seed: 3, tests: 12, packages: 2, presets: thisHost.presets()}.generate()
	opts := Options{Budget: 15 * time.Minute, Host: tcgHost}
	want, err := Select(cs, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, want, cs)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3 {
		shuffled := slices.Clone(cs)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got, err := Select(shuffled, opts)
		if err != nil {
			t.Fatal(err)
		}
		if render(got) != render(want) {
			t.Fatalf("a shuffled input gave another plan:\n%s\nwant:\n%s", render(got), render(want))
		}
	}
}

func TestSelectFillsBudgetOnBigHost(t *testing.T) {
	cs := genSet{seed: 5, tests: 20, packages: 2, presets: bigHost.presets()}.generate()
	for _, b := range []time.Duration{time.Minute, 10 * time.Minute} {
		p, err := Select(cs, Options{Budget: b, Host: bigHost.host})
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, p, cs)
		if p.EstWall < b*9/10 {
			t.Errorf("budget %s: plan ends at %s, under 90%% though %d candidates are left out", b, p.EstWall, len(p.LeftOut))
		}
	}
}

func TestSelectCapacityLeftOut(t *testing.T) {
	cs := smallSet()
	cs[1].MemoryMiB = 20 << 10 // more than 75 % of 24 GiB
	p, err := Select(cs, Options{Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	if len(p.LeftOut) != 1 || p.LeftOut[0].Kind != LeftOutCapacity {
		t.Fatalf("left out %+v; want exactly %s for capacity", p.LeftOut, cs[1].id())
	}
	if want := "capacity: needs 20480 MiB of guest memory, more than the 18432 MiB"; !strings.HasPrefix(p.LeftOut[0].Reason, want) {
		t.Errorf("reason %q; want it to start %q", p.LeftOut[0].Reason, want)
	}
}

func TestSelectTwoSmallVMsShareTheHost(t *testing.T) {
	one := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 1, ThreadsPerCore: 1}
	cs := []Candidate{
		{Package: "p", Test: "TestA", Variant: "TestA", Topology: one, Base: true},
		{Package: "p", Test: "TestB", Variant: "TestB", Topology: one, Base: true},
	}
	p, err := Select(cs, Options{Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	if p.Selected[0].Start != 0 || p.Selected[1].Start != 0 || p.Selected[0].Slot == p.Selected[1].Slot {
		t.Errorf("two 1-vCPU VMs on 2 cores: starts %s, %s slots %d, %d; want both at 0 in two slots",
			p.Selected[0].Start, p.Selected[1].Start, p.Selected[0].Slot, p.Selected[1].Slot)
	}
	p, err = Select(cs, Options{Host: tcgHost, Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	if p.Slots != 1 || p.Selected[1].Start == 0 {
		t.Errorf("--jobs 1: slots %d, second start %s; want one after the other", p.Slots, p.Selected[1].Start)
	}
}

func TestSelectHistoryChangesThePlan(t *testing.T) {
	cs := smallSet()
	opts := Options{Budget: 40 * time.Second, Host: tcgHost}
	before, err := Select(cs, opts)
	if err != nil {
		t.Fatal(err)
	}
	// TestFair's base turns out to take 30 s: now TestStuck's and
	// TestIsolation's bases are cheaper.
	opts.History = NewHistory(&Results{Version: 1, RunID: "r1", Host: tcgHost, Accel: spec.AccelTCG, Variants: []VariantResult{
		{Package: "example.com/m/sched", Test: "TestFair", Variant: "TestFair", Topology: cs[0].Topology, VCPUs: 2, Accel: spec.AccelTCG, BootS: 6, TestS: 23, TotalS: 30, Outcome: spec.OutcomePass},
	}})
	after, err := Select(cs, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, after, cs)
	if !slices.Contains(variants(before.Selected), "TestFair") || slices.Contains(variants(after.Selected), "TestFair") {
		t.Errorf("before history %v, after %v; want TestFair in, then out", variants(before.Selected), variants(after.Selected))
	}
	for _, l := range after.LeftOut {
		if l.Variant == "TestFair" && !strings.Contains(l.Reason, "history of 1 runs") {
			t.Errorf("TestFair reason %q; want it to cite the history", l.Reason)
		}
	}
}

func TestSelectBadInput(t *testing.T) {
	good := smallSet()
	dup := append(slices.Clone(good), good[3])
	bad := slices.Clone(good)
	bad[2].Topology.CoresPerLLC = 0
	noVariant := slices.Clone(good)
	noVariant[0].Variant = ""
	cases := []struct {
		name  string
		cands []Candidate
		opts  Options
		want  string
	}{
		{"negative budget", good, Options{Budget: -5 * time.Minute, Host: tcgHost}, "budget -5m0s is negative"},
		{"negative jobs", good, Options{Jobs: -1, Host: tcgHost}, "jobs -1 is negative"},
		{"no host CPUs", good, Options{}, "host: 0 CPUs; want at least 1"},
		{"bad accel", good, Options{Host: Host{CPUs: 2, Accel: "hvf"}}, `host accel "hvf"; want "kvm" or "tcg"`},
		{"duplicate", dup, Options{Host: tcgHost}, "given twice"},
		{"bad topology", bad, Options{Host: tcgHost}, "cores per LLC must be at least 1"},
		{"no variant", noVariant, Options{Host: tcgHost}, "empty variant name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Select(c.cands, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v; want one line containing %q", err, c.want)
			}
		})
	}
}

func TestSelectEmpty(t *testing.T) {
	p, err := Select(nil, Options{Budget: time.Minute, Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Selected)+len(p.LeftOut) != 0 || p.EstWall != 0 || p.Coverage.Possible != 0 {
		t.Errorf("empty input gave %+v", p)
	}
}

// TestPlanGolden pins a small plan, reasons included. Regenerate with
//
//	go test ./budget -run TestPlanGolden -update
func TestPlanGolden(t *testing.T) {
	cs := smallSet()
	var out strings.Builder
	for _, b := range []time.Duration{0, 90 * time.Second} {
		p, err := Select(cs, Options{Budget: b, Host: tcgHost})
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, p, cs)
		fmt.Fprintf(&out, "== budget %s\n%s\n", b, render(p))
	}
	golden(t, "plan_small.golden", out.String())
}

// render prints a plan as text, for golden files and diffs.
func render(p Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "slots %d capacity %+v est_wall %s coverage %+v\n", p.Slots, p.Capacity, p.EstWall, p.Coverage)
	for _, a := range p.Selected {
		fmt.Fprintf(&b, "  %8s slot %d  %-40s %s %-9s est %s (boot %s test %s, %s)\n", a.Start, a.Slot, a.Package+" "+a.Variant,
			a.Topology, fmt.Sprintf("%+v", a.Weight), a.Cost.Total(), a.Cost.Boot, a.Cost.Test, a.Cost.Source)
	}
	for _, l := range p.LeftOut {
		fmt.Fprintf(&b, "  left out %s: %s\n", l.Package+" "+l.Variant, l.Reason)
	}
	return b.String()
}

func variants(as []Assignment) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Variant
	}
	return out
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	golden_.CheckString(t, filepath.Join("testdata", name), got)
}

func TestSelectTightBudgetGatesVariantsOnTheirBase(t *testing.T) {
	cs := smallSet()
	// 24 s: not all three bases (6.7 + 9.7 + 12.7 s) fit, so every
	// candidate competes, but no variant runs without its test's base.
	p, err := Select(cs, Options{Budget: 24 * time.Second, Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	sel := variants(p.Selected)
	for _, a := range p.Selected {
		if !a.Base && !slices.Contains(sel, a.Test) {
			t.Errorf("selected %s without its base %s: %v", a.Variant, a.Test, sel)
		}
	}
	if len(p.Selected) < 2 || slices.Equal(sel, []string{"TestFair", "TestStuck"}) {
		t.Errorf("selected %v; want a base and one of its variants rather than bases only", sel)
	}
	orphans := 0
	for _, l := range p.LeftOut {
		if slices.Contains(sel, l.Test) {
			continue
		}
		orphans++
		if !l.Base && !strings.Contains(l.Reason, "alone") && !strings.Contains(l.Reason, "its base variant "+l.Test+" does not fit") {
			t.Errorf("%s left out with reason %q; want its base named", l.Variant, l.Reason)
		}
	}
	if orphans == 0 {
		t.Errorf("no test left out entirely at 24 s")
	}
}
