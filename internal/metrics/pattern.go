package metrics

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// CompilePattern checks p: its regexp compiles and has a submatch for the
// value.
func CompilePattern(p spec.MetricPattern) (*regexp.Regexp, error) {
	if p.Name == "" {
		return nil, fmt.Errorf("metric pattern %q: no name", p.Regexp)
	}
	re, err := regexp.Compile(p.Regexp)
	if err != nil {
		return nil, fmt.Errorf("metric pattern %s: %w", p.Name, err)
	}
	if re.NumSubexp() < 1 {
		return nil, fmt.Errorf("metric pattern %s: %q has no (group) for the value", p.Name, p.Regexp)
	}
	return re, nil
}

// Patterns returns one metric "PREFIX.NAME" per pattern: the first
// submatch of the pattern's first match in text, a number. A pattern
// that matches nothing, or whose submatch is not a number, is an error
// naming it.
func Patterns(text []byte, prefix string, ps []spec.MetricPattern) ([]spec.Metric, error) {
	var out []spec.Metric
	for _, p := range ps {
		re, err := CompilePattern(p)
		if err != nil {
			return nil, err
		}
		m := re.FindSubmatch(text)
		if m == nil {
			return nil, fmt.Errorf("metric %s.%s: pattern %q matched nothing in the output", prefix, p.Name, p.Regexp)
		}
		v, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			return nil, fmt.Errorf("metric %s.%s: %q is not a number", prefix, p.Name, m[1])
		}
		out = append(out, spec.Metric{Name: prefix + "." + p.Name, Value: v, Unit: p.Unit})
	}
	return out, nil
}
