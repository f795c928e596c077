package metrics

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// Check returns one failure line per measured metric outside a bound,
// e.g. "metric cyclictest.latency_max_us = 7671 us, above its bound
// 500 us". Bounds on metrics not in ms are left to [Unmeasured].
func Check(ms []spec.Metric, bounds []spec.MetricBound) []string {
	var out []string
	for _, b := range bounds {
		for _, m := range ms {
			if m.Name != b.Metric {
				continue
			}
			if b.Max != nil && m.Value > *b.Max {
				out = append(out, fmt.Sprintf("metric %s = %s, above its bound %s", m.Name, Format(m.Value, m.Unit), Format(*b.Max, m.Unit)))
			}
			if b.Min != nil && m.Value < *b.Min {
				out = append(out, fmt.Sprintf("metric %s = %s, below its bound %s", m.Name, Format(m.Value, m.Unit), Format(*b.Min, m.Unit)))
			}
		}
	}
	return out
}

// Unmeasured returns one failure line per bound whose metric is not in
// ms, naming the metrics that were measured.
func Unmeasured(ms []spec.Metric, bounds []spec.MetricBound) []string {
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	var out []string
	for _, b := range bounds {
		if !slices.Contains(names, b.Metric) {
			have := "none"
			if len(names) > 0 {
				have = strings.Join(names, ", ")
			}
			out = append(out, fmt.Sprintf("metric %s is bounded but was never measured (measured: %s)", b.Metric, have))
		}
	}
	return out
}

// ValidateBound checks b is usable: a metric name and at least one limit,
// Min not above Max.
func ValidateBound(b spec.MetricBound) error {
	switch {
	case b.Metric == "":
		return fmt.Errorf("metric bound without a metric name")
	case b.Min == nil && b.Max == nil:
		return fmt.Errorf("metric bound %s: neither a minimum nor a maximum", b.Metric)
	case b.Min != nil && b.Max != nil && *b.Min > *b.Max:
		return fmt.Errorf("metric bound %s: minimum %g above maximum %g", b.Metric, *b.Min, *b.Max)
	}
	return nil
}

// Format writes v to 6 significant digits with its unit, e.g.
// "1403.66 ops/s", "7671 us".
func Format(v float64, unit string) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64) // 6 significant digits
	s := strconv.FormatFloat(r, 'f', -1, 64)
	if unit == "" {
		return s
	}
	return s + " " + unit
}

// ValidatePayloads checks a Spec's payloads and bounds before anything
// runs: every payload has a unique name and a binary, its output format
// is known and its patterns compile; every bound is usable.
func ValidatePayloads(ps []spec.Payload, bounds []spec.MetricBound) error {
	seen := map[string]bool{}
	for i, p := range ps {
		switch {
		case p.Name == "":
			return fmt.Errorf("Spec.Payloads[%d]: no name", i)
		case seen[p.Name]:
			return fmt.Errorf("Spec.Payloads: two payloads named %q; give each its own name", p.Name)
		case p.Binary == "":
			return fmt.Errorf("payload %s: no binary (Binary is the program's path on the host)", p.Name)
		}
		seen[p.Name] = true
		switch p.Output {
		case spec.OutputText, spec.OutputStressNGYAML, spec.OutputCyclictestJSON:
		default:
			return fmt.Errorf("payload %s: unknown output %q (want %q, %q or none)", p.Name, p.Output, spec.OutputStressNGYAML, spec.OutputCyclictestJSON)
		}
		for _, m := range p.Patterns {
			if _, err := CompilePattern(m); err != nil {
				return fmt.Errorf("payload %s: %w", p.Name, err)
			}
		}
	}
	for _, b := range bounds {
		if err := ValidateBound(b); err != nil {
			return err
		}
	}
	return nil
}
