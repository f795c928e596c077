package metrics

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// stressNGUnits are the units of the per-stressor fields stress-ng 0.15
// writes under "metrics:".
var stressNGUnits = map[string]string{
	"bogo-ops":                         "ops",
	"bogo-ops-per-second-usr-sys-time": "ops/s",
	"bogo-ops-per-second-real-time":    "ops/s",
	"wall-clock-time":                  "s",
	"user-time":                        "s",
	"system-time":                      "s",
	"cpu-usage-per-instance":           "%",
	"max-rss":                          "KiB",
}

// StressNGYAML returns the metrics of stress-ng's --yaml report data, one
// per numeric field of each stressor's entry, named
// "PREFIX.STRESSOR.FIELD" ("stress-ng.cpu.bogo-ops-per-second-real-time").
//
// It reads the subset of YAML stress-ng emits (a "---" document of
// top-level sections; "metrics:" a sequence of flat "key: value"
// mappings), not YAML at large: a section-free document or a metrics
// entry without "stressor" is an error, and so is a report without
// metrics (stress-ng writes them only with --metrics or --metrics-brief,
// and -q suppresses them).
func StressNGYAML(data []byte, prefix string) ([]spec.Metric, error) {
	items, err := yamlSequence(data, "metrics")
	if err != nil {
		return nil, fmt.Errorf("stress-ng yaml: %w", err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("stress-ng yaml: no metrics section (stress-ng writes it with --metrics; -q/--quiet suppresses it)")
	}
	var out []spec.Metric
	for i, it := range items {
		name := it.get("stressor")
		if name == "" {
			return nil, fmt.Errorf("stress-ng yaml: metrics entry %d has no stressor", i)
		}
		for _, kv := range it {
			v, err := strconv.ParseFloat(kv[1], 64)
			if kv[0] == "stressor" || err != nil {
				continue
			}
			out = append(out, spec.Metric{Name: prefix + "." + name + "." + kv[0], Value: v, Unit: stressNGUnits[kv[0]]})
		}
	}
	return out, nil
}

// mapping is one flat YAML mapping, its pairs in order.
type mapping [][2]string

func (m mapping) get(k string) string {
	for _, kv := range m {
		if kv[0] == k {
			return kv[1]
		}
	}
	return ""
}

// yamlSequence returns the entries of the top-level sequence section of
// a stress-ng style YAML document.
func yamlSequence(data []byte, section string) ([]mapping, error) {
	var items []mapping
	cur, in, sawSection := "", false, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		trim := strings.TrimSpace(line)
		switch {
		case trim == "" || trim == "---" || trim == "..." || strings.HasPrefix(trim, "#"):
			continue
		case line[0] != ' ' && line[0] != '-':
			k, v, ok := strings.Cut(line, ":")
			if !ok || strings.TrimSpace(v) != "" {
				return nil, fmt.Errorf("line %d: %q is not a section header", n, line)
			}
			cur, in, sawSection = k, false, true
			continue
		}
		if cur != section {
			continue
		}
		if rest, ok := strings.CutPrefix(trim, "- "); ok {
			items, in, trim = append(items, nil), true, rest
		}
		if !in {
			return nil, fmt.Errorf("line %d: %q outside a sequence entry", n, line)
		}
		k, v, ok := strings.Cut(trim, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not key: value", n, line)
		}
		items[len(items)-1] = append(items[len(items)-1], [2]string{strings.TrimSpace(k), unquote(strings.TrimSpace(v))})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !sawSection && len(bytes.TrimSpace(data)) > 0 {
		return nil, fmt.Errorf("no top-level sections")
	}
	return items, nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
