package metrics

import (
	"os"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// The testdata reports were recorded on Debian bookworm:
//
//	stress-ng --cpu 1 --vm 1 --vm-bytes 16M --timeout 1s --metrics --yaml stress-ng-0.15.06.yaml
//	cyclictest -D 1 -q -i 1000 -t 2 --json=cyclictest-2.4.json
//	hackbench -l 50 -g 1 > hackbench-2.4.txt

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func find(ms []spec.Metric, name string) (spec.Metric, bool) {
	for _, m := range ms {
		if m.Name == name {
			return m, true
		}
	}
	return spec.Metric{}, false
}

func TestStressNGYAML(t *testing.T) {
	ms, err := StressNGYAML(read(t, "stress-ng-0.15.06.yaml"), "stress-ng")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 16 {
		t.Errorf("got %d metrics, want 8 per stressor (cpu, vm): %v", len(ms), ms)
	}
	for name, want := range map[string]spec.Metric{
		"stress-ng.cpu.bogo-ops":                     {Value: 1651, Unit: "ops"},
		"stress-ng.vm.bogo-ops-per-second-real-time": {Value: 71258.022316, Unit: "ops/s"},
		"stress-ng.cpu.max-rss":                      {Value: 6448, Unit: "KiB"},
		"stress-ng.vm.cpu-usage-per-instance":        {Value: 96.107388, Unit: "%"},
	} {
		m, ok := find(ms, name)
		if !ok || m.Value != want.Value || m.Unit != want.Unit {
			t.Errorf("%s = %+v, want %+v", name, m, want)
		}
	}
}

func TestStressNGYAMLErrors(t *testing.T) {
	for name, in := range map[string]string{
		"quiet (no metrics)": "---\nsystem-info:\n      stress-ng-version: 0.15.06\n...\n",
		"no stressor":        "---\nmetrics:\n    - bogo-ops: 5\n",
		"not yaml sections":  "hello: world\n",
		"stray line":         "metrics:\n  bogo-ops: 5\n",
	} {
		if _, err := StressNGYAML([]byte(in), "s"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, err := StressNGYAML([]byte("---\nsystem-info:\n  x: 1\n"), "s")
	if err == nil || !strings.Contains(err.Error(), "--metrics") {
		t.Errorf("a report without metrics: %v, want the hint to pass --metrics", err)
	}
}

func TestCyclictestJSON(t *testing.T) {
	ms, err := CyclictestJSON(read(t, "cyclictest-2.4.json"), "cyclictest")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"cyclictest.latency_min_us":    21,
		"cyclictest.latency_max_us":    1944,
		"cyclictest.cycles":            1660,
		"cyclictest.t0.latency_max_us": 1709,
		"cyclictest.t1.latency_avg_us": 106.68,
	}
	for name, v := range want {
		if m, ok := find(ms, name); !ok || m.Value != v {
			t.Errorf("%s = %+v, want %v", name, m, v)
		}
	}
	avg, _ := find(ms, "cyclictest.latency_avg_us")
	if w := (92.66*995 + 106.68*665) / 1660; avg.Value-w > 1e-9 || w-avg.Value > 1e-9 || avg.Unit != "us" {
		t.Errorf("avg = %+v, want %v us (weighted by cycles)", avg, w)
	}
}

func TestCyclictestJSONErrors(t *testing.T) {
	for name, in := range map[string]string{
		"failed run": `{"return_code": 1, "thread": {"0": {"max": 5}}}`,
		"no threads": `{"return_code": 0, "thread": {}}`,
		"bad thread": `{"thread": {"x": {"max": 5}}}`,
		"not json":   `T: 0 ( 5) P: 0`,
	} {
		if _, err := CyclictestJSON([]byte(in), "c"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Stopped at once: a thread without cycles has a nan average.
	stopped := `{"thread": {"0": {"cycles": 0, "min": 1000000, "max": 0, "avg": -nan}, "1": {"cycles": 2, "min": 5, "max": 9, "avg": 7.00}}}`
	ms, err := CyclictestJSON([]byte(stopped), "c")
	if m, _ := find(ms, "c.latency_max_us"); err != nil || m.Value != 9 || len(ms) != 6 {
		t.Errorf("a thread without cycles: %v, %v; want thread 1 alone", ms, err)
	}
	if _, err := CyclictestJSON([]byte(`{"thread": {"0": {"cycles": 0, "avg": nan}}}`), "c"); err == nil {
		t.Error("no thread with cycles: no error")
	}
	ms, err = CyclictestJSON([]byte(`{"resolution_in_ns": 1, "thread": {"0": {"cycles": 1, "min": 1000, "max": 5000, "avg": 2000}}}`), "c")
	if m, _ := find(ms, "c.latency_max_us"); err != nil || m.Value != 5 {
		t.Errorf("--nsecs report: max %+v (%v), want 5 us", m, err)
	}
}

func TestPatterns(t *testing.T) {
	ps := []spec.MetricPattern{{Name: "time_s", Regexp: `(?m)^Time: ([0-9.]+)`, Unit: "s"}}
	ms, err := Patterns(read(t, "hackbench-2.4.txt"), "hackbench", ps)
	if err != nil || len(ms) != 1 || ms[0] != (spec.Metric{Name: "hackbench.time_s", Value: 0.070, Unit: "s"}) {
		t.Fatalf("Patterns = %v, %v", ms, err)
	}
	for _, p := range []spec.MetricPattern{
		{Name: "x", Regexp: `Nope: (\d+)`},
		{Name: "x", Regexp: `Time: [0-9.]+`},
		{Name: "x", Regexp: `(Running)`},
		{Name: "x", Regexp: `(`},
		{Regexp: `Time: (\S+)`},
	} {
		if _, err := Patterns(read(t, "hackbench-2.4.txt"), "h", []spec.MetricPattern{p}); err == nil {
			t.Errorf("pattern %+v: no error", p)
		}
	}
}

func TestCheck(t *testing.T) {
	lo, hi := 10.0, 500.0
	ms := []spec.Metric{{Name: "c.latency_max_us", Value: 7671, Unit: "us"}, {Name: "s.ops", Value: 3, Unit: "ops"}}
	got := Check(ms, []spec.MetricBound{{Metric: "c.latency_max_us", Max: &hi}, {Metric: "s.ops", Min: &lo}, {Metric: "s.ops", Max: &hi}})
	want := []string{"metric c.latency_max_us = 7671 us, above its bound 500 us", "metric s.ops = 3 ops, below its bound 10 ops"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check = %q, want %q", got, want)
	}
	un := Unmeasured(ms, []spec.MetricBound{{Metric: "c.latency_max_us", Max: &hi}, {Metric: "typo", Max: &hi}})
	if len(un) != 1 || !strings.Contains(un[0], "typo is bounded but was never measured (measured: c.latency_max_us, s.ops)") {
		t.Errorf("Unmeasured = %q", un)
	}
	for _, b := range []spec.MetricBound{{Max: &hi}, {Metric: "x"}, {Metric: "x", Min: &hi, Max: &lo}} {
		if ValidateBound(b) == nil {
			t.Errorf("bound %+v: no error", b)
		}
	}
}

func FuzzStressNGYAML(f *testing.F) {
	f.Add(seed(f, "stress-ng-0.15.06.yaml"))
	f.Add([]byte("metrics:\n - stressor: a\n   x: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := StressNGYAML(data, "p")
		if err == nil && len(ms) == 0 && !strings.Contains(string(data), "stressor") {
			t.Errorf("no error and no metrics for %q", data)
		}
	})
}

func FuzzCyclictestJSON(f *testing.F) {
	f.Add(seed(f, "cyclictest-2.4.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := CyclictestJSON(data, "c")
		if err == nil && len(ms) < 4 {
			t.Errorf("no error but %d metrics", len(ms))
		}
	})
}

func seed(f *testing.F, name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func TestValidatePayloads(t *testing.T) {
	ok := spec.Payload{Name: "h", Binary: "/usr/bin/hackbench", Patterns: []spec.MetricPattern{{Name: "t", Regexp: `Time: (\S+)`}}}
	if err := ValidatePayloads([]spec.Payload{ok}, nil); err != nil {
		t.Errorf("valid payload: %v", err)
	}
	one := 1.0
	for name, tc := range map[string]struct {
		ps []spec.Payload
		bs []spec.MetricBound
	}{
		"no name":     {ps: []spec.Payload{{Binary: "/x"}}},
		"duplicate":   {ps: []spec.Payload{ok, ok}},
		"no binary":   {ps: []spec.Payload{{Name: "x"}}},
		"bad output":  {ps: []spec.Payload{{Name: "x", Binary: "/x", Output: "xml"}}},
		"bad pattern": {ps: []spec.Payload{{Name: "x", Binary: "/x", Patterns: []spec.MetricPattern{{Name: "p", Regexp: "no group"}}}}},
		"bad bound":   {bs: []spec.MetricBound{{Max: &one}}},
	} {
		if err := ValidatePayloads(tc.ps, tc.bs); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
