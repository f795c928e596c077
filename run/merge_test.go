package run

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// writeShards writes three run directories the way a run of shard K/3
// does, with the base variant and a failing preset variant in different
// shards.
func writeShards(t *testing.T) []string {
	t.Helper()
	tp := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
	shard := func(i int, c report.Case) string {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("shard%d", i))
		if err := os.MkdirAll(filepath.Join(dir, LogsDir), 0o755); err != nil {
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
func TestMergeKeepsEveryVariant(t *testing.T) {
	t.Parallel()
	shards := writeShards(t)
	orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	for _, o := range orders {
		dir := t.TempDir()
		cfg := MergeConfig{JUnit: filepath.Join(dir, "all.xml"), Results: filepath.Join(dir, "all", ResultsFile)}
		for _, i := range o {
			cfg.Paths = append(cfg.Paths, shards[i])
		}
		merged, err := Merge(cfg)
		if err != nil || merged.Tests != 3 || merged.Failures != 1 {
			t.Errorf("order %v: merged tests=%d failures=%d (%v), want 3 and 1", o, merged.Tests, merged.Failures, err)
		}
		written, err := readJUnitPath(cfg.JUnit)
		if err != nil || written.Tests != 3 || written.Failures != 1 {
			t.Errorf("order %v: written JUnit tests=%d failures=%d (%v), want 3 and 1", o, written.Tests, written.Failures, err)
		}
		r, err := readResultsFile(cfg.Results)
		if err != nil || len(r.Variants) != 3 || r.RunID != "run1+run2+run3" {
			t.Errorf("order %v: merged results %+v (%v), want the 3 variants of run1+run2+run3", o, r, err)
		}
	}
}

func TestMergeBadInput(t *testing.T) {
	t.Parallel()
	garbage := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(garbage, []byte("{not xml"), 0o644)
	junitOnly := filepath.Join(writeShards(t)[0], JUnitFile)
	for name, cfg := range map[string]MergeConfig{
		"no input":           {},
		"missing":            {Paths: []string{"nosuch.xml"}},
		"garbage":            {Paths: []string{garbage}},
		"results from junit": {Paths: []string{junitOnly}, Results: filepath.Join(t.TempDir(), ResultsFile)},
	} {
		if _, err := Merge(cfg); !errors.As(err, new(*UsageError)) {
			t.Errorf("%s: %v, want a *UsageError", name, err)
		}
	}
}
