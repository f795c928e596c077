package metrics

import (
	"math"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/golden"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func abRuns() (old, new map[string][]spec.Metric) {
	old = map[string][]spec.Metric{
		"TestPayloads": {
			{Name: "s0.cg_0.work_units", Value: 1000, Unit: "units"},
			{Name: "s0.cg_0.spread_pct", Value: 3, Unit: "%"},
			{Name: "s0.cg_0.wake_p99_us", Value: 400, Unit: "us"},
			{Name: "stress-ng.cpu.bogo-ops", Value: 1651, Unit: "ops"},
			{Name: "cyclictest.latency_max_us", Value: 1944, Unit: "us"},
			{Name: "hackbench.time_s", Value: 0.07, Unit: "s"},
			{Name: "gone", Value: 1},
		},
		"TestOld": {{Name: "x", Value: 1}},
	}
	new = map[string][]spec.Metric{
		"TestPayloads": {
			{Name: "s0.cg_0.work_units", Value: 850, Unit: "units"},      // -15 %: regression
			{Name: "s0.cg_0.spread_pct", Value: 7, Unit: "%"},            // +4 points: within 5
			{Name: "s0.cg_0.wake_p99_us", Value: 450, Unit: "us"},        // +50 us: within 100
			{Name: "stress-ng.cpu.bogo-ops", Value: 1900, Unit: "ops"},   // better
			{Name: "cyclictest.latency_max_us", Value: 4000, Unit: "us"}, // regression
			{Name: "hackbench.time_s", Value: 0.075, Unit: "s"},          // +7 %: within 10
			{Name: "added", Value: 2},
		},
		"TestNew": {{Name: "x", Value: 1}},
	}
	return old, new
}

// TestCompareGolden checks the comparison's text.
// Regenerate: go test ./internal/metrics -run CompareGolden -update
func TestCompareGolden(t *testing.T) {
	old, new := abRuns()
	c := Compare(old, new, nil)
	var b strings.Builder
	if err := c.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden.CheckString(t, "testdata/compare.golden", b.String())
	if c.Regressions() != 2 {
		t.Errorf("%d regressions, want 2 (work units, cyclictest max latency)", c.Regressions())
	}
}

func TestCompareGates(t *testing.T) {
	old, new := abRuns()
	over := []GateRule{mustGate(t, "*.latency_max_us=lower,200%"), mustGate(t, "s*.*.spread_pct=2")}
	c := Compare(old, new, over)
	flagged := map[string]bool{}
	for _, r := range c.Rows {
		flagged[r.Metric] = r.Regression
	}
	if flagged["cyclictest.latency_max_us"] || !flagged["s0.cg_0.spread_pct"] || !flagged["s0.cg_0.work_units"] {
		t.Errorf("with overrides: %v; want latency allowed +200 %%, spread flagged past 2 points", flagged)
	}
	if c.OnlyOld[0] != "TestOld" || c.OnlyNew[0] != "TestNew" {
		t.Errorf("unpaired: %v %v", c.OnlyOld, c.OnlyNew)
	}
}

func TestRegressed(t *testing.T) {
	for _, tc := range []struct {
		old, new float64
		g        Gate
		want     bool
	}{
		{100, 89, Gate{HigherIsBetter, 0, 0.10}, true},
		{100, 91, Gate{HigherIsBetter, 0, 0.10}, false},
		{100, 200, Gate{HigherIsBetter, 0, 0.10}, false},
		{10, 14, Gate{LowerIsBetter, 5, 0}, false},
		{10, 16, Gate{LowerIsBetter, 5, 0}, true},
		{10, 16, Gate{LowerIsBetter, 5, 1}, false},
		{0, 16, Gate{LowerIsBetter, 5, 0.5}, true},
		{10, 1000, Gate{Neutral, 0, 0}, false},
		{math.NaN(), 1000, Gate{LowerIsBetter, 0, 0}, false},
	} {
		if got := regressed(Row{Old: tc.old, New: tc.new}, tc.g); got != tc.want {
			t.Errorf("%v -> %v under %+v: %v, want %v", tc.old, tc.new, tc.g, got, tc.want)
		}
	}
}

func TestParseGate(t *testing.T) {
	r := mustGate(t, "*.bogo-ops=15%")
	if r.Gate != (Gate{HigherIsBetter, 0, 0.15}) {
		t.Errorf("bogo-ops gate keeps the default direction: %+v", r.Gate)
	}
	if r := mustGate(t, "x=off"); r.Gate.Dir != Neutral {
		t.Errorf("off: %+v", r.Gate)
	}
	for _, bad := range []string{"", "x", "=5", "x=", "x=fast", "x=-5%", "[=5"} {
		if _, err := ParseGate(bad); err == nil {
			t.Errorf("ParseGate(%q): no error", bad)
		}
	}
}

func TestFromProperties(t *testing.T) {
	props := [][2]string{
		{"gauntlet.outcome", "pass"},
		{"gauntlet.s0.cg_0.work_units", "1234"},
		{"gauntlet.s0.cg_0.gap_cpu", "1"},
		{"gauntlet.s1.outer/inner.wake_p99_us", "87"},
		{"gauntlet.threshold.max_gap_ms", "2000"},
		{"gauntlet.metric.stress-ng.cpu.bogo-ops", "1651 ops"},
		{"gauntlet.metric.bare", "2.5"},
		{"gauntlet.metric.bad", "many"},
	}
	got := FromProperties(props)
	want := []spec.Metric{
		{Name: "s0.cg_0.work_units", Value: 1234, Unit: "units"},
		{Name: "s1.outer/inner.wake_p99_us", Value: 87, Unit: "us"},
		{Name: "stress-ng.cpu.bogo-ops", Value: 1651, Unit: "ops"},
		{Name: "bare", Value: 2.5},
	}
	if len(got) != len(want) {
		t.Fatalf("FromProperties = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("metric %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if v := PropertyValue(spec.Metric{Value: 1403.663036, Unit: "ops/s"}); v != "1403.663036 ops/s" {
		t.Errorf("PropertyValue = %q", v)
	}
}

func mustGate(t *testing.T, s string) GateRule {
	t.Helper()
	r, err := ParseGate(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
