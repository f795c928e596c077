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
