package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/internal/golden"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// makePlan plans cfg with the test planner; the plan is closed when the
// test ends.
func makePlan(t *testing.T, cfg PlanConfig) *Plan {
	t.Helper()
	p := testPlanner()
	pl, err := p.Plan(context.Background(), cfg)
	if err != nil {
		t.Fatalf("plan %+v: %v", cfg, err)
	}
	t.Cleanup(func() { pl.Close() })
	return pl
}

// jsonOf is the plan's JSON, decoded strictly.
func jsonOf(t *testing.T, pl *Plan) planJSON {
	t.Helper()
	var b bytes.Buffer
	if err := pl.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var p planJSON
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	return p
}

func planJSONOf(t *testing.T, cfg PlanConfig) planJSON {
	t.Helper()
	return jsonOf(t, makePlan(t, cfg))
}

func sched(cfg PlanConfig) PlanConfig {
	cfg.Patterns = []string{schedFixture}
	return cfg
}

// TestPlanBadConfig: bad input is a *UsageError naming it.
func TestPlanBadConfig(t *testing.T) {
	t.Parallel()
	one := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
	for _, tt := range []struct {
		cfg  PlanConfig
		want string
	}{
		{PlanConfig{Run: "Test("}, `-run "Test(": error parsing regexp`},
		{PlanConfig{Topologies: []topo.Topology{one, one}}, "topology 1n1l2c1t given twice"},
		{sched(PlanConfig{Run: "TestNoSuch"}), `--run "TestNoSuch" --skip "" match no test or variant`},
		{sched(PlanConfig{ShardK: 3, ShardN: 2}), "--shard: "},
		{PlanConfig{Patterns: []string{"../expand/testdata/nopkg/..."}}, `pattern "../expand/testdata/nopkg/..." matched no packages`},
	} {
		p := testPlanner()
		pl, err := p.Plan(context.Background(), tt.cfg)
		var ue *UsageError
		if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("plan %+v: %v; want a one-line *UsageError with %q", tt.cfg, err, tt.want)
		}
		if pl != nil {
			t.Errorf("plan %+v: a plan with the error", tt.cfg)
		}
	}
}

// TestPlanPackageFailures: a package that fails to build is reported with
// the compiler's message, a describe crash, garbage describe output and a
// bad Spec each with one line naming the package; the good package is
// still planned, and Report returns a *UsageError.
func TestPlanPackageFailures(t *testing.T) {
	t.Parallel()
	pl := makePlan(t, PlanConfig{Budget: 5 * time.Minute, Patterns: []string{
		badFixtures + "broken", badFixtures + "crash", badFixtures + "garbage", badFixtures + "badspec", schedFixture}})
	var stderr bytes.Buffer
	err := pl.Report(&stderr)
	if ue := new(UsageError); !errors.As(err, &ue) || err.Error() != "4 of 5 packages could not be planned" {
		t.Errorf("Report: %v, want the count as a *UsageError", err)
	}
	for _, want := range []string{
		"bad/broken: build failed\n    ../expand/testdata/bad/broken/broken_test.go:7:14: cannot use \"not an int\"",
		"bad/crash: describe failed: test binary crashed (exit status 2): panic: assignment to entry in nil map",
		"bad/garbage: describe failed: GAUNTLET_DESCRIBE: line 1 is not a test description",
		`bad/badspec: bad spec: TestBadFlag: required_flags names "nosuch"`,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stderr.String())
		}
	}
	p := jsonOf(t, pl)
	if len(p.Selected) == 0 || len(p.Failed) != 4 {
		t.Errorf("selected %d, failed %+v", len(p.Selected), p.Failed)
	}
	for _, s := range p.Selected {
		if !strings.HasSuffix(s.Package, "/fixture/sched") {
			t.Errorf("selected a variant of %s", s.Package)
		}
	}
}

// TestPlanJSON checks the JSON contract on the fixture packages.
func TestPlanJSON(t *testing.T) {
	t.Parallel()
	p := planJSONOf(t, PlanConfig{Budget: 2 * time.Minute, Patterns: fixtures})
	checkPlanJSON(t, p, 120)
	if p.Accel != "tcg" || p.Host.CPUs != 2 || p.Host.MaxVCPUs != 32 {
		t.Errorf("accel %s, host %+v", p.Accel, p.Host)
	}
	var plain []string
	for _, pt := range p.Plain {
		plain = append(plain, filepath.Base(pt.Package)+"."+pt.Test)
	}
	if !slices.Contains(plain, "sched.TestHostOnly") || !slices.Contains(plain, "plain.TestAdd") {
		t.Errorf("plain tests %v", plain)
	}
	kinds := map[string]int{}
	for _, e := range p.Excluded {
		kinds[e.Kind]++
		if !strings.HasPrefix(e.Reason, e.Kind+": ") {
			t.Errorf("%s: reason %q does not start with its kind %s", e.Variant, e.Reason, e.Kind)
		}
	}
	if kinds["constraint"] == 0 || kinds["capacity"] == 0 || kinds["budget"] == 0 {
		t.Errorf("excluded kinds %v: want constraint, capacity and budget", kinds)
	}
	// Every variant of the matrix is either selected or excluded, once.
	if n := len(p.Selected) + len(p.Excluded); n != 115 {
		t.Errorf("selected + excluded = %d, want the 115 variants of the sched fixture", n)
	}
}

// checkPlanJSON asserts the documented fields of a plan.
func checkPlanJSON(t *testing.T, p planJSON, budgetS float64) {
	t.Helper()
	if p.BudgetS != budgetS || p.Slots < 1 || p.EstWallS <= 0 || (budgetS > 0 && p.EstWallS > budgetS) {
		t.Errorf("budget_s %v, slots %d, est_wall_s %v", p.BudgetS, p.Slots, p.EstWallS)
	}
	if len(p.Selected) == 0 || p.Coverage.Possible == 0 || p.Coverage.Covered > p.Coverage.Possible {
		t.Fatalf("selected %d, coverage %+v", len(p.Selected), p.Coverage)
	}
	seen := map[string]bool{}
	for _, s := range p.Selected {
		key := s.Package + " " + s.Variant
		if seen[key] {
			t.Errorf("%s selected twice", key)
		}
		seen[key] = true
		base := s.Variant == s.Test
		if s.Package == "" || s.Test == "" || s.Topology == "" || s.Profile == "" || s.VCPUs < 1 || s.EstS <= 0 ||
			s.Slot < 0 || s.Slot >= p.Slots || base != (s.Preset == "") {
			t.Errorf("bad selected entry %+v", s)
		}
		if !base && s.Variant != s.Test+"/"+s.Preset+"/"+s.Profile {
			t.Errorf("variant %q is not test/preset/profile", s.Variant)
		}
	}
	for _, e := range p.Excluded {
		if e.Package == "" || e.Test == "" || e.Variant == "" || e.Reason == "" {
			t.Errorf("bad excluded entry %+v", e)
		}
	}
}

// TestPlanShardUnion: the shards' selections partition the unsharded one.
func TestPlanShardUnion(t *testing.T) {
	t.Parallel()
	whole := planJSONOf(t, sched(PlanConfig{Budget: 5 * time.Minute}))
	var union []string
	for k := 1; k <= 3; k++ {
		s := planJSONOf(t, sched(PlanConfig{Budget: 5 * time.Minute, ShardK: k, ShardN: 3}))
		if s.Shard != fmt.Sprintf("%d/3", k) || s.EstWallS > whole.EstWallS {
			t.Errorf("shard %d/3: shard %q, est_wall_s %v > %v", k, s.Shard, s.EstWallS, whole.EstWallS)
		}
		for _, a := range s.Selected {
			union = append(union, a.Variant)
		}
	}
	var want []string
	for _, a := range whole.Selected {
		want = append(want, a.Variant)
	}
	slices.Sort(union)
	slices.Sort(want)
	if !slices.Equal(union, want) {
		t.Errorf("union of shards %v\nwant %v", union, want)
	}
}

func presets(t *testing.T, names string) []topo.Preset {
	t.Helper()
	ps, err := topo.ParsePresets(names)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestPlanNoBudget selects every variant that passes the filters.
func TestPlanNoBudget(t *testing.T) {
	t.Parallel()
	p := planJSONOf(t, sched(PlanConfig{Presets: presets(t, "tiny-1llc,smt-2llc,medium-8llc")}))
	checkPlanJSON(t, p, 0)
	for _, e := range p.Excluded {
		if e.Kind == "budget" {
			t.Errorf("no budget, yet %s left out: %s", e.Variant, e.Reason)
		}
	}
	// 3 bases; tiny-1llc: Steady, Flags x2; smt-2llc: Steady, SMTOnly,
	// Flags x2; medium-8llc does not fit 2 CPUs.
	if len(p.Selected) != 10 {
		t.Errorf("selected %d, want 10", len(p.Selected))
	}
}

// TestPlanRunSkip filters variants like go test -run/-skip.
func TestPlanRunSkip(t *testing.T) {
	t.Parallel()
	p := planJSONOf(t, sched(PlanConfig{Run: "TestFlags/tiny", Skip: "//steal"}))
	var got []string
	for _, s := range p.Selected {
		got = append(got, s.Variant)
	}
	for _, e := range p.Excluded {
		got = append(got, e.Variant)
	}
	slices.Sort(got)
	want := []string{"TestFlags/tiny-1llc/llc", "TestFlags/tiny-2llc/llc"}
	if !slices.Equal(got, want) {
		t.Errorf("variants %v, want %v", got, want)
	}
}

// TestPlanTopologies plans custom topologies instead of the presets.
func TestPlanTopologies(t *testing.T) {
	t.Parallel()
	p := planJSONOf(t, sched(PlanConfig{Topologies: []topo.Topology{{NUMA: 1, LLCs: 2, CoresPerLLC: 2, ThreadsPerCore: 1}}}))
	var got []string
	for _, s := range p.Selected {
		if s.Test == "TestSteady" {
			got = append(got, s.Variant+"@"+s.Topology)
		}
	}
	want := []string{"TestSteady/1n2l2c1t/default@1n2l2c1t", "TestSteady@1n1l2c1t"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("selected %v, want %v", got, want)
	}
}

// TestPlanTextGolden: the human plan with explain for a small budget (in
// fresh VMs, so that variants are left out by it).
// Regenerate: go test ./run -run TestPlanTextGolden -update
func TestPlanTextGolden(t *testing.T) {
	t.Parallel()
	pl := makePlan(t, PlanConfig{Budget: 90 * time.Second, Patterns: fixtures, FreshVM: true,
		Presets: presets(t, "tiny-1llc,tiny-2llc,smt-2llc,medium-8llc,numa2-4llc")})
	var b bytes.Buffer
	if err := pl.WriteText(&b, true); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "plan-explain.golden"), b.Bytes())
	for _, want := range []string{"legend: run = selected", "left out (", "selected ", "on 2 slots, budget 1m30s; features covered"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestPlanBootSharing: the plan of TestPlanTextGolden without --fresh-vm
// counts that variants of one boot run back to back in one VM: it says
// so in one line, selects more within the same budget, and the shared
// variants are estimated without their boot.
func TestPlanBootSharing(t *testing.T) {
	t.Parallel()
	cfg := PlanConfig{Budget: 70 * time.Second, Patterns: fixtures, Presets: presets(t, "tiny-1llc,tiny-2llc,smt-2llc,medium-8llc,numa2-4llc")}
	shared := makePlan(t, cfg)
	cfg.FreshVM = true
	fresh := makePlan(t, cfg)
	var b bytes.Buffer
	if err := shared.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	sj, fj := jsonOf(t, shared), jsonOf(t, fresh)
	line := fmt.Sprintf("\nboot sharing: %d variants expected to reuse a boot, saving ~", sj.SharedBoots)
	if sj.SharedBoots == 0 || !strings.Contains(b.String(), line) {
		t.Errorf("plan lacks %q:\n%s", line, b.String())
	}
	if len(sj.Selected) <= len(fj.Selected) || sj.EstWallS > sj.BudgetS || fj.SharedBoots != 0 {
		t.Errorf("sharing selects %d (est. %vs), fresh VMs %d (%d shared); want more within the %vs budget", len(sj.Selected), sj.EstWallS, len(fj.Selected), fj.SharedBoots, sj.BudgetS)
	}
	est := map[string]float64{}
	for _, s := range fj.Selected {
		est[s.Variant] = s.EstS
	}
	for _, s := range sj.Selected {
		if f, ok := est[s.Variant]; ok && s.SharedBoot != (s.EstS < f) {
			t.Errorf("%s: shared %v, est %vs against %vs in a fresh VM", s.Variant, s.SharedBoot, s.EstS, f)
		}
	}
}

// TestPlanPayloadsHostOthers: in the example, TestPayloads' VM is packed
// with its payloads, so the plan boots it first for its topology and the
// variants of that topology that need no payloads run in its VM; none of
// them boots before it on its own (which would cost TestPayloads a boot
// of its own).
func TestPlanPayloadsHostOthers(t *testing.T) {
	t.Parallel()
	pl := makePlan(t, PlanConfig{Budget: 20 * time.Minute, Patterns: []string{"../testdata/example"}})
	sj := jsonOf(t, pl)
	files := map[string][]string{}
	for _, c := range pl.candidates() {
		files[c.Variant] = c.BootFiles
	}
	type boot struct {
		slot  int
		start float64
	}
	payloads := map[string]boot{} // by topology and kernel
	for _, s := range sj.Selected {
		if s.Test == "TestPayloads" && s.Profile == "default" {
			if s.SharedBoot {
				t.Errorf("%s shares a boot; a VM booted without its payloads cannot run it", s.Variant)
			}
			payloads[s.Topology+" "+s.Kernel] = boot{s.Slot, s.StartS}
		}
	}
	if len(payloads) == 0 {
		t.Fatal("the plan selects no TestPayloads variant")
	}
	hosted := 0
	for _, s := range sj.Selected {
		p, ok := payloads[s.Topology+" "+s.Kernel]
		if !ok || s.Test == "TestPayloads" || len(files[s.Variant]) > 0 {
			continue // its scheduler binary is not in TestPayloads' VM
		}
		if !s.SharedBoot && s.StartS < p.start {
			t.Errorf("%s boots at %vs before TestPayloads of its topology (%vs)", s.Variant, s.StartS, p.start)
		}
		if s.SharedBoot && s.Slot == p.slot && s.StartS > p.start {
			hosted++
		}
	}
	if hosted == 0 {
		t.Errorf("no variant is expected to run in a VM booted for TestPayloads:\n%+v", sj.Selected)
	}
}

// TestPlanShardFrom: the summary names where an automatic shard came
// from.
func TestPlanShardFrom(t *testing.T) {
	t.Parallel()
	pl := makePlan(t, sched(PlanConfig{ShardK: 2, ShardN: 4, ShardFrom: "Kubernetes indexed Job: JOB_COMPLETION_INDEX"}))
	var b bytes.Buffer
	if err := pl.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nshard 2/4 (Kubernetes indexed Job: JOB_COMPLETION_INDEX): selected ") {
		t.Errorf("summary lacks the shard's source:\n%s", b.String())
	}
}

// TestPlanExampleModule runs the CI check of the issue on the example
// package: its JSON plan for a 20 minute budget parses and obeys the
// documented fields.
func TestPlanExampleModule(t *testing.T) {
	t.Parallel()
	checkPlanJSON(t, planJSONOf(t, PlanConfig{Budget: 20 * time.Minute, Patterns: []string{"../testdata/example"}}), 1200)
}

// TestPlanHistory: measured durations in earlier runs' results.json
// replace the model; an unreadable results.json is a warning.
func TestPlanHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res := &budget.Results{
		Version: budget.ResultsVersion, RunID: "run1", Started: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		Host: budget.Host{CPUs: 2, MemoryMiB: 24 * 1024, Accel: "tcg"}, Accel: "tcg",
		Variants: []budget.VariantResult{{
			Package: "github.com/gauntlet-sched/gauntlet/expand/testdata/fixture/sched", Test: "TestSteady",
			Variant: "TestSteady", Profile: "default", Topology: topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1},
			VCPUs: 2, Accel: "tcg", BootS: 40, TestS: 20, TotalS: 61, Outcome: spec.OutcomePass,
		}},
	}
	writeFile(t, filepath.Join(dir, "run1", ResultsFile), func(f *os.File) error { return budget.WriteResults(f, res) })
	writeFile(t, filepath.Join(dir, "run2", ResultsFile), func(f *os.File) error { _, err := f.WriteString("garbage"); return err })
	pl := makePlan(t, sched(PlanConfig{History: dir}))
	var stderr bytes.Buffer
	if err := pl.Report(&stderr); err != nil || !strings.Contains(stderr.String(), "run2/results.json") || !strings.Contains(stderr.String(), "(ignored)") {
		t.Fatalf("Report: %v, %q", err, stderr.String())
	}
	found := false
	for _, s := range jsonOf(t, pl).Selected {
		if s.Variant == "TestSteady" {
			found = true
			if s.Source != "history" || s.EstS != 61 {
				t.Errorf("base variant estimate %v from %s, want 61 from history", s.EstS, s.Source)
			}
		} else if s.Source != "model" {
			t.Errorf("%s: estimate from %s, want model", s.Variant, s.Source)
		}
	}
	if !found {
		t.Fatal("TestSteady not selected")
	}
}

func writeFile(t *testing.T, path string, fill func(*os.File) error) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(fill(f), f.Close()); err != nil {
		t.Fatal(err)
	}
}

// Kernels are a dimension: with two, every variant is planned on each
// and named with its label; a kernel without sched_ext excludes the
// variants with a scheduler on it alone, with its reason; with one
// kernel names stay as they are but the kernel still decides.
func TestPlanKernels(t *testing.T) {
	t.Parallel()
	no := false
	why := noSchedExtReason(kernel.Kernel{Path: "/boot/vmlinuz-x", SchedExt: &no}, "6.12.117-deb12", true)
	if !strings.Contains(why, "kernel 6.12.117-deb12 (/boot/vmlinuz-x) has no sched_ext") || !strings.Contains(why, "--kernel") {
		t.Fatalf("reason %q", why)
	}
	yes := true
	for _, k := range []kernel.Kernel{{Path: "a", SchedExt: &yes}, {Path: "b"}} {
		if r := noSchedExtReason(k, "l", true); r != "" {
			t.Errorf("%+v: reason %q, want none", k, r)
		}
	}
	deb, scx := PlanKernel{Label: "deb", NoSchedExt: why}, PlanKernel{Label: "scx"}
	presets := presets(t, "tiny-1llc")
	one := planJSONOf(t, sched(PlanConfig{Run: "TestSteady|TestFlags", Presets: presets}))
	two := planJSONOf(t, sched(PlanConfig{Run: "TestSteady|TestFlags", Presets: presets, Kernels: []PlanKernel{deb, scx}}))
	if n1, n2 := len(one.Selected)+len(one.Excluded), len(two.Selected)+len(two.Excluded); n2 != 2*n1 {
		t.Errorf("two kernels: %d variants, want twice the %d of one", n2, n1)
	}
	kernelOut := 0
	for _, s := range two.Selected {
		if !strings.HasSuffix(s.Variant, "/"+s.Kernel) || s.Kernel == "" || (s.Test == "TestFlags" && s.Kernel != "scx") {
			t.Errorf("selected %s on kernel %q", s.Variant, s.Kernel)
		}
	}
	for _, e := range two.Excluded {
		switch {
		case e.Kind == stKernel && strings.HasPrefix(e.Variant, "TestFlags/") && strings.HasSuffix(e.Variant, "/deb") && strings.Contains(e.Reason, why):
			kernelOut++
		case e.Kind == stKernel:
			t.Errorf("%s: excluded by the kernel: %s", e.Variant, e.Reason)
		}
	}
	if kernelOut == 0 {
		t.Error("no TestFlags variant excluded on the kernel without sched_ext")
	}
	// One kernel: names as before; without sched_ext it excludes every
	// variant with a scheduler, unless a sched_ext kernel takes them.
	p := planJSONOf(t, sched(PlanConfig{Run: "TestFlags", Kernels: []PlanKernel{deb}}))
	if len(p.Selected) != 0 || len(p.Excluded) == 0 {
		t.Fatalf("selected %d, excluded %d; want every TestFlags variant excluded", len(p.Selected), len(p.Excluded))
	}
	p = planJSONOf(t, sched(PlanConfig{Run: "TestFlags|TestSteady", Kernels: []PlanKernel{deb}, SchedExtKernel: &scx}))
	for _, s := range p.Selected {
		if want := map[bool]string{true: "scx", false: "deb"}[s.Test == "TestFlags"]; s.Kernel != want || strings.Contains(s.Variant, "/"+s.Kernel) {
			t.Errorf("%s on kernel %q, want %s and no label in the name", s.Variant, s.Kernel, want)
		}
	}
}

// --conclusive leaves out the variants whose default limits would scale
// past their bounds, with the reason: under TCG those with more vCPUs
// than host CPUs, and under KVM those with more than 1.5 vCPUs per host
// CPU.
func TestPlanConclusiveExcludesRelaxedVariants(t *testing.T) {
	t.Parallel()
	tcg := planJSONOf(t, PlanConfig{Patterns: fixtures, Accel: spec.AccelTCG, Conclusive: true})
	if len(tcg.Selected) == 0 {
		t.Error("tcg --conclusive selected nothing, want the 2-vCPU variants")
	}
	for _, a := range tcg.Selected {
		if a.VCPUs > 2 {
			t.Errorf("%s with %d vCPUs on 2 host CPUs selected as conclusive under TCG", a.Variant, a.VCPUs)
		}
	}
	for _, e := range tcg.Excluded {
		if e.Kind != stInconcl && e.Kind != stConstraint && e.Kind != stCapacity {
			t.Errorf("%s: %s %q", e.Variant, e.Kind, e.Reason)
		}
		if e.Kind == stInconcl && !strings.Contains(e.Reason, "under TCG") {
			t.Errorf("%s: reason %q does not say why", e.Variant, e.Reason)
		}
	}
	kvm := planJSONOf(t, PlanConfig{Patterns: fixtures, Accel: spec.AccelKVM, Conclusive: true})
	if len(kvm.Selected) == 0 {
		t.Fatal("kvm --conclusive selected nothing")
	}
	for _, a := range kvm.Selected {
		if a.VCPUs > 3 {
			t.Errorf("%s with %d vCPUs on 2 host CPUs selected as conclusive", a.Variant, a.VCPUs)
		}
	}
	inconcl := 0
	for _, e := range kvm.Excluded {
		if e.Kind == stInconcl {
			inconcl++
		}
	}
	if inconcl == 0 {
		t.Error("kvm --conclusive excluded no big variant")
	}
}
