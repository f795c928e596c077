package metrics

import (
	"strconv"
	"strings"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// PropertyPrefix starts the JUnit property of each payload metric:
// "gauntlet.metric.NAME" with the value and unit, "1403.66 ops/s".
const PropertyPrefix = "gauntlet.metric."

// PropertyValue is m's property value: the number, a space and the unit
// when it has one.
func PropertyValue(m spec.Metric) string {
	s := strconv.FormatFloat(m.Value, 'f', -1, 64)
	if m.Unit != "" {
		s += " " + m.Unit
	}
	return s
}

// builtinUnits are the workers' statistics among a result's JUnit
// properties ("gauntlet.s<i>.<cgroup>.<stat>") that are metrics too.
var builtinUnits = map[string]string{
	"work_units":   "units",
	"spread_pct":   "%",
	"max_gap_ms":   "ms",
	"wake_p50_us":  "us",
	"wake_p99_us":  "us",
	"run_delay_us": "us",
	"migrations":   "",
}

// FromProperties returns the metrics among a testcase's JUnit properties
// (name to value, in order): the payloads' ("gauntlet.metric.NAME") and
// the workers' built-in statistics, named "s<i>.<cgroup>.<stat>"
// (work_units, spread_pct, max_gap_ms, wake_p50_us, wake_p99_us,
// run_delay_us, migrations). Unparsable values are skipped.
func FromProperties(props [][2]string) []spec.Metric {
	var out []spec.Metric
	for _, p := range props {
		name, ok := strings.CutPrefix(p[0], "gauntlet.")
		if !ok {
			continue
		}
		if m, ok := strings.CutPrefix(p[0], PropertyPrefix); ok {
			num, unit, _ := strings.Cut(p[1], " ")
			if v, err := strconv.ParseFloat(num, 64); err == nil {
				out = append(out, spec.Metric{Name: m, Value: v, Unit: unit})
			}
			continue
		}
		dot := strings.LastIndexByte(name, '.')
		if dot < 0 || !isScenario(name) {
			continue
		}
		unit, ok := builtinUnits[name[dot+1:]]
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(p[1], 64); err == nil {
			out = append(out, spec.Metric{Name: name, Value: v, Unit: unit})
		}
	}
	return out
}

// isScenario reports whether name starts "s<digits>.".
func isScenario(name string) bool {
	head, _, ok := strings.Cut(name, ".")
	if !ok || len(head) < 2 || head[0] != 's' {
		return false
	}
	_, err := strconv.Atoi(head[1:])
	return err == nil
}
