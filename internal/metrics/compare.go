package metrics

import (
	"fmt"
	"io"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// Direction says which way a metric gets better.
type Direction int

// Directions of a metric.
const (
	// Neutral metrics are shown but never flagged.
	Neutral Direction = iota
	// HigherIsBetter: a drop is a regression (work done, ops/s).
	HigherIsBetter
	// LowerIsBetter: a rise is a regression (latency, spread, gaps).
	LowerIsBetter
)

// Gate decides when a change of a metric is a regression: it moves the
// worse way by more than Abs (in the metric's unit) and by more than Rel
// (a fraction of the old value, 0.10 for 10 %). A zero limit is always
// passed, so a gate with both zero flags every worsening.
type Gate struct {
	Dir Direction
	Abs float64
	Rel float64
}

// GateRule gives the metrics whose name matches Pattern ([path.Match]
// syntax against the metric name, e.g. "*.latency_max_us") their gate.
type GateRule struct {
	Pattern string
	Gate    Gate
}

// DefaultGates are the gates of metrics no override names, first match
// wins: the workers' numbers (work units, spread, gaps, wake latency)
// and the payloads' (stress-ng's bogo ops, cyclictest's latencies,
// hackbench's time). Unmatched metrics are [Neutral].
var DefaultGates = []GateRule{
	{"s*.*.work_units", Gate{HigherIsBetter, 0, 0.10}},
	{"s*.*.spread_pct", Gate{LowerIsBetter, 5, 0}},
	{"s*.*.max_gap_ms", Gate{LowerIsBetter, 50, 0.25}},
	{"s*.*.wake_p*_us", Gate{LowerIsBetter, 100, 0.25}},
	{"s*.*.run_delay_us", Gate{LowerIsBetter, 100, 0.25}},
	{"*.bogo-ops", Gate{HigherIsBetter, 0, 0.10}},
	{"*.bogo-ops-per-second-*", Gate{HigherIsBetter, 0, 0.10}},
	{"*latency_*_us", Gate{LowerIsBetter, 50, 0.25}},
	{"*.time_s", Gate{LowerIsBetter, 0, 0.10}},
}

// GateFor returns the gate of metric name: the first of overrides, then
// of [DefaultGates], whose pattern matches; else a neutral gate.
func GateFor(name string, overrides []GateRule) Gate {
	for _, rules := range [][]GateRule{overrides, DefaultGates} {
		for _, r := range rules {
			if ok, _ := path.Match(r.Pattern, name); ok {
				return r.Gate
			}
		}
	}
	return Gate{}
}

// ParseGate reads a --gate override "PATTERN=SPEC", where SPEC is a
// comma-separated list of "N%" (relative limit), "N" (absolute limit),
// "higher", "lower" (the better direction; default the direction the
// default gates give metrics matching PATTERN, else lower) or "off"
// (never flag). Example: "*.latency_max_us=lower,20%,100".
func ParseGate(s string) (GateRule, error) {
	pat, def, ok := strings.Cut(s, "=")
	if !ok || pat == "" || def == "" {
		return GateRule{}, fmt.Errorf("gate %q: want PATTERN=SPEC, e.g. '*.latency_max_us=lower,20%%,100'", s)
	}
	if _, err := path.Match(pat, ""); err != nil {
		return GateRule{}, fmt.Errorf("gate %q: pattern: %w", s, err)
	}
	g := Gate{Dir: GateFor(pat, nil).Dir}
	if g.Dir == Neutral {
		g.Dir = LowerIsBetter
	}
	for _, part := range strings.Split(def, ",") {
		switch part = strings.TrimSpace(part); {
		case part == "higher":
			g.Dir = HigherIsBetter
		case part == "lower":
			g.Dir = LowerIsBetter
		case part == "off":
			g.Dir = Neutral
		case strings.HasSuffix(part, "%"):
			f, err := strconv.ParseFloat(strings.TrimSuffix(part, "%"), 64)
			if err != nil || f < 0 {
				return GateRule{}, fmt.Errorf("gate %q: %q is not a percentage", s, part)
			}
			g.Rel = f / 100
		default:
			f, err := strconv.ParseFloat(part, 64)
			if err != nil || f < 0 {
				return GateRule{}, fmt.Errorf("gate %q: %q is none of N%%, N, higher, lower, off", s, part)
			}
			g.Abs = f
		}
	}
	return GateRule{Pattern: pat, Gate: g}, nil
}

// Row is one metric of one variant in a comparison. Old or New is NaN
// when that side lacks the metric.
type Row struct {
	Variant    string
	Metric     string
	Unit       string
	Old, New   float64
	Regression bool
}

// Delta is New minus Old.
func (r Row) Delta() float64 { return r.New - r.Old }

// Rel is the change relative to Old (NaN when Old is 0 or missing).
func (r Row) Rel() float64 {
	if r.Old == 0 {
		return math.NaN()
	}
	return r.Delta() / math.Abs(r.Old)
}

// Comparison is the A/B comparison of two runs.
type Comparison struct {
	Rows []Row
	// OnlyOld and OnlyNew are the variants found in one run only.
	OnlyOld, OnlyNew []string
	// Notes are printed before the summary line (caveats of the inputs).
	Notes []string
}

// Regressions counts the flagged rows.
func (c Comparison) Regressions() int {
	n := 0
	for _, r := range c.Rows {
		if r.Regression {
			n++
		}
	}
	return n
}

// Compare pairs the variants of old and new (variant name to metrics) by
// name and compares each metric the pair has, flagging regressions past
// its gate ([GateFor] with overrides). Rows are ordered by variant, then
// by the metric's first appearance.
func Compare(old, new map[string][]spec.Metric, overrides []GateRule) Comparison {
	var c Comparison
	gates := map[string]Gate{} // metric name to gate, matched once
	for _, v := range sortedKeys(old) {
		if _, ok := new[v]; !ok {
			c.OnlyOld = append(c.OnlyOld, v)
			continue
		}
		c.Rows = append(c.Rows, comparePair(v, old[v], new[v], overrides, gates)...)
	}
	for _, v := range sortedKeys(new) {
		if _, ok := old[v]; !ok {
			c.OnlyNew = append(c.OnlyNew, v)
		}
	}
	return c
}

func comparePair(variant string, old, new []spec.Metric, overrides []GateRule, gates map[string]Gate) []Row {
	var rows []Row
	index := map[string]int{}
	add := func(m spec.Metric, isNew bool) {
		i, ok := index[m.Name]
		if !ok {
			i, index[m.Name] = len(rows), len(rows)
			rows = append(rows, Row{Variant: variant, Metric: m.Name, Unit: m.Unit, Old: math.NaN(), New: math.NaN()})
		}
		if isNew {
			rows[i].New = m.Value
		} else {
			rows[i].Old = m.Value
		}
	}
	for _, m := range old {
		add(m, false)
	}
	for _, m := range new {
		add(m, true)
	}
	for i := range rows {
		g, ok := gates[rows[i].Metric]
		if !ok {
			g = GateFor(rows[i].Metric, overrides)
			gates[rows[i].Metric] = g
		}
		rows[i].Regression = regressed(rows[i], g)
	}
	return rows
}

// regressed reports whether r moved the worse way past both of g's
// limits.
func regressed(r Row, g Gate) bool {
	if math.IsNaN(r.Old) || math.IsNaN(r.New) {
		return false
	}
	worse := r.Delta()
	switch g.Dir {
	case HigherIsBetter:
		worse = -worse
	case LowerIsBetter:
	default:
		return false
	}
	if worse <= 0 || worse <= g.Abs {
		return false
	}
	if g.Rel > 0 {
		return r.Old != 0 && worse/math.Abs(r.Old) > g.Rel || r.Old == 0
	}
	return true
}

func sortedKeys(m map[string][]spec.Metric) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WriteText writes c as one block per variant, a line per metric (old,
// new, delta, relative change, "REGRESSION" past the gate), then the
// unpaired variants and a summary line.
func (c Comparison) WriteText(w io.Writer) error {
	var b strings.Builder
	width := 0
	for _, r := range c.Rows {
		width = max(width, len(r.Metric))
	}
	last := ""
	for _, r := range c.Rows {
		if r.Variant != last {
			fmt.Fprintf(&b, "%s\n", r.Variant)
			last = r.Variant
		}
		flag := ""
		if r.Regression {
			flag = "  REGRESSION"
		}
		fmt.Fprintf(&b, "  %-*s  %12s -> %-12s  %12s  %8s%s\n", width, r.Metric, num(r.Old, r.Unit), num(r.New, r.Unit), signed(r.Delta()), relText(r), flag)
	}
	for _, v := range c.OnlyOld {
		fmt.Fprintf(&b, "only in old: %s\n", v)
	}
	for _, v := range c.OnlyNew {
		fmt.Fprintf(&b, "only in new: %s\n", v)
	}
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	variants := map[string]bool{}
	for _, r := range c.Rows {
		variants[r.Variant] = true
	}
	fmt.Fprintf(&b, "%d variants compared, %d metrics, %d regressions\n", len(variants), len(c.Rows), c.Regressions())
	_, err := io.WriteString(w, b.String())
	return err
}

func num(v float64, unit string) string {
	if math.IsNaN(v) {
		return "-"
	}
	return Format(v, unit)
}

func signed(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	s := Format(v, "")
	if v >= 0 && !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

func relText(r Row) string {
	rel := r.Rel()
	if math.IsNaN(rel) || math.IsInf(rel, 0) {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", rel*100)
}
