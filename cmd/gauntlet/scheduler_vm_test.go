package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/run"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// TestRunSchedulerOverrideInVMs: `gauntlet run --scheduler scx_simple`
// runs the example's EEVDF TestSteady, unchanged, under the real
// scx_simple in one VM on the sched_ext kernel: it passes (inconclusive
// under TCG) with the scheduler attached (the guest names its ops, its
// BPF programs' verifier counts are in JUnit, results.json and the
// verifier table), and its loader's log is in logs/. It skips without GAUNTLET_SCX_KERNEL and
// GAUNTLET_SCHEDULERS (failing under GAUNTLET_REQUIRE_SCX=1).
func TestRunSchedulerOverrideInVMs(t *testing.T) {
	bin := testutil.SchedulerBinary(t, "scx_simple")
	if _, err := vm.LookQEMU(); err != nil {
		testutil.SkipNotPossible(t, "no QEMU: apt-get install qemu-system-x86")
	}
	// --kernel is the sched_ext kernel: the run needs none other.
	dir, stdout, _, suites := runInVMs(t, "--kernel", os.Getenv(spec.EnvSchedExtKernel),
		"--topology", "1n1l2c1t", "--run", "^TestSteady$/1n1l2c1t/scx_simple$", "--scheduler", bin, "../../testdata/example")
	var found bool
	for _, c := range report.CasesFromJUnit(suites) {
		if c.Variant != "TestSteady/1n1l2c1t/scx_simple" {
			continue
		}
		found = true
		props := map[string]string{}
		for _, p := range c.Properties {
			props[p.Name] = p.Value
		}
		// Under TCG the checks' limits are scaled past their bounds, so a
		// pass reads inconclusive; either way the scenario ran to its end.
		if (c.Outcome != spec.OutcomePass && c.Outcome != spec.OutcomeInconclusive) || props["gauntlet.scheduler"] != "simple" || props["gauntlet.verifier.simple_enqueue.insns"] == "" {
			t.Errorf("%s: outcome %s, scheduler %q, simple_enqueue verified insns %q; want a pass (or inconclusive) under scx_simple (ops \"simple\") with its programs",
				c.Variant, c.Outcome, props["gauntlet.scheduler"], props["gauntlet.verifier.simple_enqueue.insns"])
		}
		if loader := props["gauntlet.log.sched-simple-loader.log"]; loader == "" {
			t.Errorf("no loader log named in the case's properties: %v", props)
		} else if _, err := os.Stat(filepath.Join(dir, loader)); err != nil {
			t.Errorf("loader log: %v", err)
		}
	}
	if !found {
		t.Errorf("no TestSteady/1n1l2c1t/scx_simple in JUnit:\n%s", stdout)
	}
	res := readResults(t, filepath.Join(dir, run.ResultsFile))
	if len(res.Variants) != 1 || res.Variants[0].Scheduler != "simple" || len(res.Variants[0].BPFPrograms) == 0 {
		t.Errorf("results.json variants %+v: want scx_simple's with its BPF programs", res.Variants)
	}
	if !strings.Contains(stdout, "| simple    | scx_simple | simple_enqueue") {
		t.Errorf("stdout lacks the verifier table's scx_simple rows:\n%s", stdout)
	}
}
