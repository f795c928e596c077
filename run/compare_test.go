package run

import (
	"errors"
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

// writeMetricsJUnit writes a JUnit file with one gauntlet variant whose
// guest result carries latency and work numbers.
func writeMetricsJUnit(t *testing.T, latency float64, work uint64) string {
	t.Helper()
	r := spec.Result{Test: "TestPayloads", Variant: "TestPayloads", Outcome: spec.OutcomePass, Topology: "1n1l2c1t",
		Scenarios: []spec.ScenarioStats{{Cgroups: []spec.CgroupStats{{Name: "cg_0", WorkUnits: work, SpreadPct: 2}}}},
		Metrics:   []spec.Metric{{Name: "cyclictest.latency_max_us", Value: latency, Unit: "us"}, {Name: "hackbench.time_s", Value: 0.07, Unit: "s"}}}
	line, err := r.Line()
	if err != nil {
		t.Fatal(err)
	}
	c := report.Case{Package: "example", Test: "TestPayloads", Variant: "TestPayloads", Topology: "1n1l2c1t", Accel: "tcg", Outcome: spec.OutcomePass,
		Output: []byte("=== RUN   TestPayloads\n    " + line + "\n--- PASS: TestPayloads (1.00s)\n")}
	p := filepath.Join(t.TempDir(), "junit.xml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := report.JUnit([]report.Case{c}, "host", time.Unix(0, 0)).WriteXML(f); err != nil {
		t.Fatal(err)
	}
	return p
}

// The metrics survive the JUnit file: Compare reads both the payloads'
// metrics and the workers' numbers back and flags what regressed.
func TestCompareReadsJUnit(t *testing.T) {
	old := writeMetricsJUnit(t, 1000, 5000)
	same, err := Compare(CompareConfig{Old: old, New: writeMetricsJUnit(t, 1000, 5000)})
	if err != nil || same.Regressions() != 0 || len(same.Rows) < 4 {
		t.Fatalf("same results: %+v, %v; want 4+ rows and no regression", same, err)
	}
	worse := writeMetricsJUnit(t, 3000, 4000)
	c, err := Compare(CompareConfig{Old: old, New: worse})
	if err != nil {
		t.Fatal(err)
	}
	var flagged []string
	for _, r := range c.Rows {
		if r.Regression {
			flagged = append(flagged, r.Metric)
		}
	}
	if strings.Join(flagged, " ") != "s0.cg_0.work_units cyclictest.latency_max_us" {
		t.Errorf("flagged %v, want work units and latency", flagged)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "1 old and 1 new variants ran under TCG") {
		t.Errorf("notes %q, want the TCG caveat", c.Notes)
	}
	c, err = Compare(CompareConfig{Old: old, New: worse, Gates: []string{"*.latency_max_us=off", "s*.*.work_units=30%"}})
	if err != nil || c.Regressions() != 0 {
		t.Errorf("with the gates relaxed: %d regressions, %v", c.Regressions(), err)
	}
}

func TestCompareBadInput(t *testing.T) {
	old := writeMetricsJUnit(t, 1, 1)
	for name, cfg := range map[string]CompareConfig{
		"one input": {Old: old},
		"bad gate":  {Old: old, New: old, Gates: []string{"nogate"}},
		"missing":   {Old: old, New: filepath.Join(t.TempDir(), "nosuch")},
	} {
		var ue *UsageError
		if _, err := Compare(cfg); !errors.As(err, &ue) {
			t.Errorf("%s: %v, want a *UsageError", name, err)
		}
	}
	if !errors.Is(ErrRegression, ErrTestsFailed) {
		t.Error("ErrRegression must exit 1 like ErrTestsFailed")
	}
}

// A results.json file (a merged one, say) is compared the same way, by
// the metrics each variant carries.
func TestCompareReadsResultsJSON(t *testing.T) {
	write := func(latency float64) string {
		p := filepath.Join(t.TempDir(), "results.json")
		res := &budget.Results{Version: budget.ResultsVersion, RunID: "r", Started: time.Unix(1, 0).UTC(), Host: budget.Host{CPUs: 2, MemoryMiB: 4096}, Accel: "tcg", Variants: []budget.VariantResult{{
			Package: "example", Test: "TestPayloads", Variant: "TestPayloads", Outcome: spec.OutcomePass, Accel: "tcg", VCPUs: 2,
			Topology: topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1},
			Metrics:  []spec.Metric{{Name: "cyclictest.latency_max_us", Value: latency, Unit: "us"}},
		}}}
		var b strings.Builder
		if err := budget.WriteResults(&b, res); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := Compare(CompareConfig{Old: write(1000), New: write(3000)})
	if err != nil || len(c.Rows) != 1 || !c.Rows[0].Regression {
		t.Fatalf("results.json compare: %+v, %v; want the latency flagged", c, err)
	}
	// Against the JUnit of the same numbers: the variants pair up.
	c, err = Compare(CompareConfig{Old: write(1000), New: writeMetricsJUnit(t, 1000, 5000)})
	if err != nil || len(c.OnlyOld)+len(c.OnlyNew) != 0 || c.Regressions() != 0 {
		t.Errorf("results.json vs JUnit: %+v, %v", c, err)
	}
}

// --profiles compares two profiles of one run: EEVDF's variants against a
// scheduler's, paired by test and preset.
func TestCompareProfilesOfOneRun(t *testing.T) {
	var cases []report.Case
	for _, v := range []struct {
		profile string
		latency float64
	}{{"default", 1000}, {"scx_simple", 4000}} {
		name := "TestX/tiny-1llc/" + v.profile
		r := spec.Result{Test: "TestX", Variant: name, Outcome: spec.OutcomePass, Topology: "1n1l4c1t",
			Metrics: []spec.Metric{{Name: "cyclictest.latency_max_us", Value: v.latency, Unit: "us"}}}
		line, err := r.Line()
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, report.Case{Package: "example", Test: "TestX", Variant: name, Preset: "tiny-1llc", Profile: v.profile,
			Topology: "1n1l4c1t", Accel: "kvm", Outcome: spec.OutcomePass,
			Output: []byte("=== RUN   TestX\n    " + line + "\n--- PASS: TestX (1.00s)\n")})
	}
	p := filepath.Join(t.TempDir(), "junit.xml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.JUnit(cases, "host", time.Unix(0, 0)).WriteXML(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	c, err := Compare(CompareConfig{Old: p, New: p, Profiles: [2]string{"default", "scx_simple"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rows) != 1 || c.Rows[0].Variant != "TestX/tiny-1llc/PROFILE" || !c.Rows[0].Regression {
		t.Errorf("rows %+v; want one regressed latency row of TestX/tiny-1llc/PROFILE", c.Rows)
	}
	var ue *UsageError
	if _, err := Compare(CompareConfig{Old: p, New: p, Profiles: [2]string{"default", "nosuch"}}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "0 of nosuch") {
		t.Errorf("a profile without variants: %v", err)
	}
	if _, err := Compare(CompareConfig{Old: p, New: p, Profiles: [2]string{"default", ""}}); !errors.As(err, &ue) {
		t.Errorf("one profile: %v", err)
	}
}
