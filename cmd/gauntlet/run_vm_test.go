package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/run"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// TestRunExampleInVMs is the product end to end: `gauntlet run` plans the
// example package, boots two real VMs (the base variant and one preset)
// and writes JUnit and results.json from what the guests reported.
func TestRunExampleInVMs(t *testing.T) {
	needVMs(t)
	dir, _, junit, suites := runInVMs(t, "--presets", "tiny-2llc", "--run", "^TestTwoCgroups$", "../../testdata/example")
	testutil.ValidateXML(t, "../../report/testdata/xsd/junit-10.xsd", junit)
	var variants []string
	for _, c := range report.CasesFromJUnit(suites) {
		if !strings.HasPrefix(c.Variant, "TestTwoCgroups") {
			continue
		}
		variants = append(variants, c.Variant)
		props := map[string]string{}
		for _, p := range c.Properties {
			props[p.Name] = p.Value
		}
		// The guest's structured result came back: what it saw and what
		// each cgroup did.
		if c.Topology != props["gauntlet.topology"] || props["gauntlet.s0.cg_1.work_units"] == "" {
			t.Errorf("%s: requested %q, guest saw %q, cg_1 work %q", c.Variant, c.Topology, props["gauntlet.topology"], props["gauntlet.s0.cg_1.work_units"])
		}
	}
	slices.Sort(variants)
	if strings.Join(variants, ",") != "TestTwoCgroups,TestTwoCgroups/tiny-2llc/default" {
		t.Errorf("variants in JUnit: %v", variants)
	}
	res := readResults(t, filepath.Join(dir, run.ResultsFile))
	for _, v := range res.Variants {
		// Where the planner predicts the default limits scaled past
		// their bounds (under TCG, more vCPUs than host CPUs), a correct
		// run is inconclusive, never a plain pass; elsewhere it passes
		// (or is inconclusive when the guest saw its host stall).
		want := spec.OutcomePass
		if spec.PredictInconclusive(v.Accel, v.VCPUs, runtime.NumCPU(), spec.Checks{}) != "" {
			want = spec.OutcomeInconclusive
		}
		if (v.Outcome != want && v.Outcome != spec.OutcomeInconclusive) || v.BootS <= 0 || v.TotalS < v.BootS {
			t.Errorf("results.json %s: outcome %s (want %s) boot %.1fs total %.1fs", v.Variant, v.Outcome, want, v.BootS, v.TotalS)
		}
	}
	if len(res.Variants) != 2 {
		t.Errorf("results.json has %d variants, want 2", len(res.Variants))
	}
	cases := report.CasesFromJUnit(suites)
	if len(cases) < 2 {
		t.Errorf("report reads back %d cases", len(cases))
	}
}

// runInVMs runs `gauntlet run --history= --out DIR args...` on the real
// machine (QEMU, kernels) into a fresh DIR and fails t unless it exits 0
// with one run directory. It returns that directory, stdout, and the run's
// JUnit, as read and as parsed.
func runInVMs(t *testing.T, args ...string) (dir, stdout string, junit []byte, suites report.Suites) {
	t.Helper()
	return runInVMsExit(t, []int{exitPass}, args...)
}

// needVMs skips t, the reason named, without QEMU or a kernel to boot.
func needVMs(t *testing.T) {
	t.Helper()
	if _, err := vm.LookQEMU(); err != nil {
		testutil.SkipNotPossible(t, "no QEMU: apt-get install qemu-system-x86")
	}
	if _, err := kernel.Find(); err != nil {
		if errors.Is(err, spec.ErrNotSupported) {
			testutil.SkipNotPossible(t, "no kernel: set KTSTR_TEST_KERNEL or apt-get install linux-image-6.12-cloud-amd64")
		}
		t.Fatal(err)
	}
}

// runInVMsExit is [runInVMs] for a run that must exit with one of want.
func runInVMsExit(t *testing.T, want []int, args ...string) (dir, stdout string, junit []byte, suites report.Suites) {
	t.Helper()
	out := t.TempDir()
	var outb, errb bytes.Buffer
	c := &cli{stdout: &outb, stderr: &errb} // the real machine
	code, stdout, stderr := gauntletWith(c, &outb, &errb, append([]string{"run", "--history=", "--out", out}, args...)...)
	if !slices.Contains(want, code) {
		t.Fatalf("exit %d, want one of %v; stderr: %s\nstdout:\n%s", code, want, stderr, stdout)
	}
	dirs := runDirs(t, out)
	if len(dirs) != 1 {
		t.Fatalf("run directories %v, want one", dirs)
	}
	junit, err := os.ReadFile(filepath.Join(dirs[0], run.JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	suites, err = report.ReadJUnit(bytes.NewReader(junit), run.JUnitFile)
	if err != nil {
		t.Fatal(err)
	}
	return dirs[0], stdout, junit, suites
}

func readResults(t *testing.T, path string) *budget.Results {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := budget.ReadResults(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
