package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestMeasureAndPrint(t *testing.T) {
	one := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 1, ThreadsPerCore: 1}
	res := &budget.Results{WallS: 100, Slots: 2, Host: budget.Host{CPUs: 2, Accel: spec.AccelTCG}, Variants: []budget.VariantResult{
		{Variant: "TestA", Outcome: spec.OutcomePass, TestS: 20, HostCPUs: 2},                                           // held both host CPUs
		{Variant: "TestB", Outcome: spec.OutcomeInconclusive, TestS: 10, Topology: one, Attempts: []budget.Attempt{{}}}, // no host_cpus: weighed, 1
		{Variant: "TestC", Outcome: spec.OutcomeSkip, TestS: 0},
		{Variant: "TestD", Outcome: spec.OutcomePass, TestS: 0, SharedBoot: "gauntlet-1-1"}, // ran in TestA's VM
	}}
	r := measure(res, "/runs/x")
	if r.ran != 4 || r.boots != 4 || r.scenarioS != 30 || r.slots != 2 || r.wallS != 100 || r.hostCPUs != 2 || r.cpuScenarioS != 50 {
		t.Fatalf("measure = %+v", r)
	}
	r.pass = "cold"
	var b strings.Builder
	printRows(&b, 2*time.Minute, []row{r})
	out := b.String()
	// 4 variants in a 2-minute budget; 4 boots for 4 variants; 30 s of 200
	// slot-seconds; 20 s x 2 + 10 s x 1 of 200 host CPU-seconds.
	for _, want := range []string{"cold", " 2.00 ", " 1.00 ", "30.0", "200.0", " 15% ", " 50.0 ", " 25% ", "100s / 120s (83%)",
		"each VM counted once, in its slot", "each VM counted once per host CPU it holds"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "clamped") {
		t.Errorf("output says clamped without oversubscription:\n%s", out)
	}
}

// The host CPU share never passes 100 %; past it, the output says so. A
// results.json without the host's CPUs has no host CPU share.
func TestCPUShare(t *testing.T) {
	for _, tc := range []struct {
		name    string
		r       row
		slot    float64
		cpu     float64
		clamped bool
		printed string
		note    bool
	}{
		{"within", row{slots: 2, hostCPUs: 2, wallS: 10, scenarioS: 5, cpuScenarioS: 10}, 0.25, 0.5, false, " 50% ", false},
		{"oversubscribed", row{slots: 2, hostCPUs: 1, wallS: 10, scenarioS: 15, cpuScenarioS: 15}, 0.75, 1, true, " 100%* ", true},
		{"no host CPUs", row{slots: 2, wallS: 10, scenarioS: 5, cpuScenarioS: 5}, 0.25, 0, false, " - ", false},
	} {
		slot, cpu, clamped := tc.r.shares()
		if slot != tc.slot || cpu != tc.cpu || clamped != tc.clamped {
			t.Errorf("%s: shares = %v, %v, %v; want %v, %v, %v", tc.name, slot, cpu, clamped, tc.slot, tc.cpu, tc.clamped)
		}
		tc.r.pass = "cold"
		var b strings.Builder
		printRows(&b, time.Minute, []row{tc.r})
		if out := b.String(); !strings.Contains(out, tc.printed) || strings.Contains(out, "clamped to 100%") != tc.note {
			t.Errorf("%s: output lacks %q or its clamp note is not %v:\n%s", tc.name, tc.printed, tc.note, out)
		}
	}
}

func TestNewest(t *testing.T) {
	before := []string{"r/1/results.json"}
	after := []string{"r/3/results.json", "r/1/results.json", "r/2/results.json"}
	if got := newest(after, before); got != "r/3/results.json" {
		t.Errorf("newest = %q", got)
	}
	if got := newest(before, before); got != "" {
		t.Errorf("newest with nothing new = %q", got)
	}
}

// Outcomes compare over the variants the shared run ran: a different
// outcome and a variant the fresh run lacks (or did not run) are named;
// variants only the fresh run has, and ones the shared run did not run,
// are not counted.
func TestCompareVerdicts(t *testing.T) {
	run := map[string]spec.Outcome{
		"TestA": spec.OutcomePass, "TestA/tiny": spec.OutcomeInconclusive, "TestB": spec.OutcomeSkip,
		"TestC": spec.OutcomeFail, "TestD": spec.OutcomePass, "TestE": spec.OutcomeNotRun,
	}
	fresh := map[string]spec.Outcome{
		"TestA": spec.OutcomePass, "TestA/tiny": spec.OutcomePass, "TestB": spec.OutcomeSkip,
		"TestC": spec.OutcomeFail, "TestE": spec.OutcomePass, "TestF": spec.OutcomePass,
	}
	d := compareVerdicts(run, fresh)
	if d.same != 3 || len(d.differ) != 1 || len(d.missing) != 1 {
		t.Fatalf("compareVerdicts = %+v; want 3 same, TestA/tiny differing, TestD missing", d)
	}
	out := d.String()
	for _, want := range []string{"3 of 5 outcomes the same", "differs: TestA/tiny: inconclusive here, pass fresh", "not in the --fresh-vm run: TestD"} {
		if !strings.Contains(out, want) {
			t.Errorf("String lacks %q:\n%s", want, out)
		}
	}
	if d := compareVerdicts(run, run); d.same != 5 || len(d.differ)+len(d.missing) != 0 {
		t.Errorf("a run against itself: %+v", d)
	}
}

// A gauntlet that wrote results.json and exited 2 (a variant could not be
// started) is still measured, and the exit is reported; one that wrote
// nothing is an error naming the exit.
func TestRunOnceMeasuresAfterExit2(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "gauntlet")
	script := `#!/bin/sh
while [ "$1" != --out ]; do shift; done
[ -n "$WRITE" ] && mkdir -p "$2/r1" && echo '{"version":1,"wall_s":10,"slots":2,"variants":[{"variant":"TestA","outcome":"pass","test_s":1}]}' > "$2/r1/results.json"
exit 2
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WRITE", "")
	if _, err := runOnce(t.Context(), bin, filepath.Join(dir, "none"), "./pkg"); err == nil || !strings.Contains(err.Error(), "exit status 2") {
		t.Errorf("no results: err %v, want one naming exit status 2", err)
	}
	t.Setenv("WRITE", "1")
	r, err := runOnce(t.Context(), bin, filepath.Join(dir, "runs"), "./pkg")
	if err != nil {
		t.Fatal(err)
	}
	if r.ran != 1 || r.exit != "gauntlet exited 2" {
		t.Errorf("row %+v; want 1 variant and the exit noted", r)
	}
	var b strings.Builder
	r.pass = "cold"
	printRows(&b, time.Minute, []row{r})
	if !strings.Contains(b.String(), "(gauntlet exited 2: see its output above)") {
		t.Errorf("output does not report the exit:\n%s", b.String())
	}
}
