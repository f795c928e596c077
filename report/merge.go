package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// ReadJUnit decodes a JUnit XML document: <testsuites> or a lone
// <testsuite>, as written by gauntlet or by other tools. name is used in
// errors.
func ReadJUnit(r io.Reader, name string) (Suites, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Suites{}, fmt.Errorf("read %s: %w", name, err)
	}
	var probe struct{ XMLName xml.Name }
	if err := xml.Unmarshal(data, &probe); err != nil {
		return Suites{}, fmt.Errorf("%s is not JUnit XML: %w", name, err)
	}
	var s Suites
	switch probe.XMLName.Local {
	case "testsuites":
		err = xml.Unmarshal(data, &s)
	case "testsuite":
		var one Suite
		err = xml.Unmarshal(data, &one)
		s.Suites = []Suite{one}
	default:
		return Suites{}, fmt.Errorf("%s is not JUnit XML: root element is <%s>, want <testsuites> or <testsuite>", name, probe.XMLName.Local)
	}
	if err != nil {
		return Suites{}, fmt.Errorf("%s is not JUnit XML: %w", name, err)
	}
	return recount(s), nil
}

// MergeJUnit combines documents, e.g. the shards of one plan: suites with
// the same name become one suite, and a testcase (classname, name) that
// appears again replaces the earlier one (a re-run shard wins). Totals are
// recomputed from the testcases.
func MergeJUnit(docs ...Suites) Suites {
	var order []string
	suites := map[string]*Suite{}
	for _, d := range docs {
		for _, s := range d.Suites {
			m, ok := suites[s.Name]
			if !ok {
				c := s
				c.Testcases = nil
				m = &c
				suites[s.Name] = m
				order = append(order, s.Name)
			}
			m.Testcases = upsert(m.Testcases, s.Testcases)
			if s.Properties != nil && m.Properties == nil {
				m.Properties = s.Properties
			}
		}
	}
	var out Suites
	for i, name := range order {
		s := suites[name]
		s.ID = i
		out.Suites = append(out.Suites, *s)
	}
	return recount(out)
}

// upsert appends add to have; a testcase in add replaces any earlier one
// with the same (classname, name) together with its subtests
// ("name/..."), so a re-run variant does not keep stale subtest results.
func upsert(have, add []Testcase) []Testcase {
	replaced := map[[2]string]bool{}
	for _, tc := range add {
		replaced[[2]string{tc.Classname, tc.Name}] = true
	}
	kept := have[:0]
	for _, tc := range have {
		if !replaced[[2]string{tc.Classname, tc.Name}] && !subtestOf(replaced, tc) {
			kept = append(kept, tc)
		}
	}
	return append(kept, add...)
}

func subtestOf(replaced map[[2]string]bool, tc Testcase) bool {
	for p := range parents(tc.Name) {
		if replaced[[2]string{tc.Classname, p}] {
			return true
		}
	}
	return false
}

// recount recomputes every total from the testcases, so hand-edited or
// merged documents stay consistent.
func recount(in Suites) Suites {
	out := Suites{Name: in.Name}
	for _, s := range in.Suites {
		tcs := s.Testcases
		s.Testcases, s.Tests, s.Failures, s.Errors, s.Skipped = nil, 0, 0, 0, 0
		var total float64
		for _, tc := range tcs {
			s.add(tc)
			f, _ := strconv.ParseFloat(tc.Time, 64)
			total += f
		}
		if s.Time == "" {
			s.Time = fmt.Sprintf("%.3f", total)
		}
		out.addSuite(s)
	}
	return out
}

// headerLine matches the facts line [JUnit] writes at the top of a case's
// output, so cases read back from gauntlet's own JUnit keep their topology,
// accelerator and timings.
var headerLine = regexp.MustCompile(`(?m)^gauntlet: variant=(\S+) outcome=(\S+)(.*)$`)

// CasesFromJUnit turns JUnit testcases back into cases for the terminal
// tables. Testcases written by gauntlet keep their facts; others become
// host cases named by the testcase. Subtest testcases of a gauntlet variant
// are folded into their variant.
func CasesFromJUnit(s Suites) []Case {
	var cases []Case
	for _, suite := range s.Suites {
		variants := map[string]bool{}
		for _, tc := range suite.Testcases {
			c, ours := caseFromTestcase(suite.Name, tc)
			if !ours && folded(variants, tc.Name) {
				continue
			}
			if ours {
				variants[c.Variant] = true
			}
			cases = append(cases, c)
		}
	}
	return cases
}

func folded(variants map[string]bool, name string) bool {
	for p := range parents(name) {
		if variants[p] {
			return true
		}
	}
	return false
}

// parents yields "a/b" and "a" for "a/b/c".
func parents(name string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for i := strings.LastIndexByte(name, '/'); i > 0; i = strings.LastIndexByte(name[:i], '/') {
			if !yield(name[:i]) {
				return
			}
		}
	}
}

func caseFromTestcase(pkg string, tc Testcase) (Case, bool) {
	c := Case{Package: orDefault(tc.Classname, pkg), Variant: tc.Name, Outcome: spec.OutcomePass}
	c.Test, _, _ = strings.Cut(tc.Name, "/")
	var data string
	switch {
	case tc.Failure != nil:
		c.Outcome, c.Message, data = spec.OutcomeFail, tc.Failure.Message, tc.Failure.Data
	case tc.Error != nil:
		c.Outcome, c.Message, data = outcomeOf(tc.Error.Type, spec.OutcomeCrash), tc.Error.Message, tc.Error.Data
	case tc.Skipped != nil:
		c.Outcome, c.Message, data = spec.OutcomeSkip, tc.Skipped.Message, tc.Skipped.Data
	case tc.SystemOut != nil:
		data = tc.SystemOut.Data
	}
	if f, err := strconv.ParseFloat(tc.Time, 64); err == nil {
		c.Total = time.Duration(f * float64(time.Second))
	}
	m := headerLine.FindStringSubmatch(data)
	if m == nil || m[1] != tc.Name {
		return c, false
	}
	c.Outcome = outcomeOf(m[2], c.Outcome)
	for _, kv := range strings.Fields(m[3]) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "topology":
			c.Topology = v
		case "accel":
			c.Accel = v
		case "kernel":
			c.Kernel = v
		case "console_log":
			c.ConsoleLog = v
		case "boot":
			c.Boot = parseSecs(v)
		case "test":
			c.TestTime = parseSecs(v)
		}
	}
	if parts := strings.Split(c.Variant, "/"); len(parts) == 3 {
		c.Preset, c.Profile = parts[1], parts[2]
	}
	return c, true
}

func outcomeOf(s string, def spec.Outcome) spec.Outcome {
	if o, err := spec.ParseOutcome(s); err == nil {
		return o
	}
	return def
}

func parseSecs(s string) time.Duration {
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
	if err != nil {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}
