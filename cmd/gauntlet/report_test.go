package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestReportFailingShard(t *testing.T) {
	code, out, _ := gauntlet(t, "report", "testdata/report/shard1.xml")
	if code != exitFail {
		t.Errorf("exit %d, want %d for a failed testcase", code, exitFail)
	}
	for _, want := range []string{"TestA/tiny-2llc/default", "stuck 3500ms on cpu1 at +1200ms", "tiny-2llc", "FAIL: 1 of 2 variants failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// writeShards writes three run directories the way `gauntlet run
// --shard K/3` does, with the base variant and a failing preset variant
// in different shards.
func writeShards(t *testing.T) []string {
	t.Helper()
	tp := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
	shard := func(i int, c report.Case) string {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("shard%d", i))
		if err := os.MkdirAll(filepath.Join(dir, runLogsDir), 0o755); err != nil {
			t.Fatal(err)
		}
		c.Package, c.Test, c.Topology, c.Accel = "example.com/sched", "TestSteady", tp.String(), "tcg"
		c.Boot, c.TestTime, c.Total = 2*time.Second, 2*time.Second, 4*time.Second
		c.Output = []byte("=== RUN   TestSteady\n--- PASS: TestSteady (2.00s)\n")
		if c.Outcome == spec.OutcomeFail {
			c.Output = []byte("=== RUN   TestSteady\n    x_test.go:9: stuck 3500ms on cpu1 at +1200ms\n--- FAIL: TestSteady (2.00s)\n")
		}
		started := time.Date(2026, 11, 26, 12, i, 0, 0, time.UTC)
		res := &budget.Results{Version: budget.ResultsVersion, RunID: fmt.Sprintf("run%d", i), Started: started, Host: budget.Host{CPUs: 2, MemoryMiB: 4096}, Accel: "tcg",
			Variants: []budget.VariantResult{{Package: c.Package, Test: c.Test, Variant: c.Variant, Topology: tp, VCPUs: 2, Accel: "tcg", BootS: 2, TestS: 2, TotalS: 4, Outcome: c.Outcome}}}
		if err := writeRun(dir, "", res, []report.Case{c}, started); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return []string{
		shard(1, report.Case{Variant: "TestSteady/tiny-2llc/default", Preset: "tiny-2llc", Profile: "default", Outcome: spec.OutcomeFail}),
		shard(2, report.Case{Variant: "TestSteady", Outcome: spec.OutcomePass}),
		shard(3, report.Case{Variant: "TestSteady/smt-2llc/default", Preset: "smt-2llc", Profile: "default", Outcome: spec.OutcomePass}),
	}
}

// A merge never drops a variant: in every order of the shards, the
// failing preset variant is there beside the base variant and fails the
// merge, and the merged history holds all three.
func TestReportShardMergeKeepsEveryVariant(t *testing.T) {
	shards := writeShards(t)
	orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	for _, o := range orders {
		dir := t.TempDir()
		args := []string{"report", "--junit", filepath.Join(dir, "all.xml"), "--results", filepath.Join(dir, "all", "results.json")}
		for _, i := range o {
			args = append(args, shards[i])
		}
		code, out, errs := gauntlet(t, args...)
		if code != exitFail {
			t.Errorf("order %v: exit %d, want %d; stderr %s", o, code, exitFail, errs)
		}
		for _, want := range []string{"TestSteady/tiny-2llc/default", "stuck 3500ms on cpu1", "FAIL: 1 of 3 variants failed"} {
			if !strings.Contains(out, want) {
				t.Errorf("order %v: output lacks %q:\n%s", o, want, out)
			}
		}
		f, err := os.Open(filepath.Join(dir, "all.xml"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := report.ReadJUnit(f, "all.xml")
		f.Close()
		if err != nil || s.Tests != 3 || s.Failures != 1 {
			t.Errorf("order %v: merged JUnit tests=%d failures=%d (%v), want 3 and 1", o, s.Tests, s.Failures, err)
		}
		r, err := readResultsFile(filepath.Join(dir, "all", "results.json"))
		if err != nil || len(r.Variants) != 3 || r.RunID != "run1+run2+run3" {
			t.Errorf("order %v: merged results %+v (%v), want the 3 variants of run1+run2+run3", o, r, err)
		}
	}
}

func TestReportBadInput(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(garbage, []byte("{not xml"), 0o644)
	for name, args := range map[string][]string{
		"no input": {"report"},
		"missing":  {"report", "nosuch.xml"},
		"garbage":  {"report", garbage},
		"bad flag": {"report", "--nosuch", "x.xml"},
	} {
		code, out, errs := gauntlet(t, args...)
		lines := strings.Count(strings.TrimSpace(errs), "\n") + 1
		if code != exitSetup || lines != 1 || out != "" {
			t.Errorf("%s: exit %d, stderr %q (%d lines), stdout %q; want exit 2 and one line", name, code, errs, lines, out)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	code, out, stderr := gauntlet(t, "repotr", "x")
	if code != exitSetup || out != "" || !strings.Contains(stderr, `unknown command "repotr"`) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line naming the command", code, out, stderr)
	}
}

func TestNearestNameHints(t *testing.T) {
	for args, want := range map[string]string{
		"reprot x.xml":            `unknown command "reprot" (did you mean "report"?)`,
		"plan --budgte 5m":        "(did you mean --budget?)",
		"plan --presets tiny-2lc": `(did you mean "tiny-2llc"?)`,
	} {
		code, _, errs := gauntlet(t, strings.Fields(args)...)
		if code != exitSetup || !strings.Contains(errs, want) {
			t.Errorf("gauntlet %s: exit %d, stderr %q; want 2 and %q", args, code, errs, want)
		}
	}
}
