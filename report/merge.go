package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
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

// MergeJUnit combines documents, e.g. the shards of one plan, without
// losing a testcase: suites with the same name become one, and testcases
// are keyed on their full (classname, name), so gauntlet's variants
// ("TestX" and "TestX/PRESET/PROFILE") never shadow each other. A
// testcase present in several documents keeps its worst result (a
// failure anywhere is a failure in the merge; see [resultRank]), so the
// same inputs in any order give the same document. Suites and testcases
// come out sorted by name; totals are recomputed from the testcases.
func MergeJUnit(docs ...Suites) Suites {
	suites := map[string]*Suite{}
	cases := map[string]map[[2]string]Testcase{}
	for _, d := range docs {
		for _, s := range d.Suites {
			m, ok := suites[s.Name]
			if !ok {
				c := s
				c.Testcases, c.Properties = nil, nil
				m = &c
				suites[s.Name] = m
				cases[s.Name] = map[[2]string]Testcase{}
			}
			mergeSuiteAttrs(m, s)
			for _, tc := range s.Testcases {
				k := [2]string{tc.Classname, tc.Name}
				if have, ok := cases[s.Name][k]; !ok || worse(tc, have) {
					cases[s.Name][k] = tc
				}
			}
		}
	}
	var out Suites
	for i, name := range slices.Sorted(maps.Keys(suites)) {
		s := suites[name]
		s.ID = i
		for _, k := range slices.SortedFunc(maps.Keys(cases[name]), compareKeys) {
			s.Testcases = append(s.Testcases, cases[name][k])
		}
		out.Suites = append(out.Suites, *s)
	}
	return recount(out)
}

func compareKeys(a, b [2]string) int {
	if c := strings.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return strings.Compare(a[1], b[1])
}

// mergeSuiteAttrs folds s's attributes into m in an order-independent
// way: the earliest timestamp, the sorted set of hostnames, the union of
// properties (sorted), and no total time (recount sums the testcases).
func mergeSuiteAttrs(m *Suite, s Suite) {
	if m.Timestamp == "" || (s.Timestamp != "" && s.Timestamp < m.Timestamp) {
		m.Timestamp = s.Timestamp
	}
	hosts := strings.Split(m.Hostname, ",")
	hosts = append(hosts, strings.Split(s.Hostname, ",")...)
	slices.Sort(hosts)
	hosts = slices.Compact(hosts)
	m.Hostname = strings.Trim(strings.Join(hosts, ","), ",")
	m.Time = ""
	if s.Properties == nil {
		return
	}
	var props []XMLProp
	if m.Properties != nil {
		props = *m.Properties
	}
	props = append(props, *s.Properties...)
	slices.SortFunc(props, func(a, b XMLProp) int { return compareKeys([2]string{a.Name, a.Value}, [2]string{b.Name, b.Value}) })
	props = slices.Compact(props)
	m.Properties = &props
}

// resultRank orders a testcase's results for merging: an error or a
// failure outranks an inconclusive pass, which outranks a flaky pass (a
// pass with <flakyFailure> or <flakyError> attempts), which outranks a
// pass, which outranks a skip. The attempts never change the verdict: a
// flaky pass stays a pass, a failure with <rerunFailure> attempts a
// failure; they only make a testcase that carries them win over the same
// verdict without them.
func resultRank(tc Testcase) int {
	switch {
	case tc.Error != nil:
		return 5
	case tc.Failure != nil:
		return 4
	case tc.Skipped != nil && strings.HasPrefix(tc.Skipped.Message, inconclusivePrefix):
		return 3
	case tc.Skipped != nil:
		return 0
	case len(tc.FlakyFailures) > 0 || len(tc.FlakyErrors) > 0:
		return 2
	}
	return 1
}

// worse reports whether a should replace b in a merge: a higher
// [resultRank]; for equal ranks more recorded attempts (so a merge keeps
// a variant's retries, losing none); then the larger encoding, so the
// choice between two different results of one rank does not depend on
// the order of the inputs.
func worse(a, b Testcase) bool {
	if ra, rb := resultRank(a), resultRank(b); ra != rb {
		return ra > rb
	}
	if na, nb := attemptCount(a), attemptCount(b); na != nb {
		return na > nb
	}
	ea, _ := xml.Marshal(a)
	eb, _ := xml.Marshal(b)
	return bytes.Compare(ea, eb) > 0
}

func attemptCount(tc Testcase) int {
	return len(tc.FlakyFailures) + len(tc.FlakyErrors) + len(tc.RerunFailures) + len(tc.RerunErrors)
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
// tables. Testcases written by gauntlet (recognised by their facts line)
// keep their facts and are never folded. Other testcases become host
// cases named by the testcase, and Go's subtest folding applies to them
// only: a testcase "A/B" is folded into "A" when the same suite has a
// testcase "A" (a gauntlet variant's subtests are folded into the
// variant that way).
func CasesFromJUnit(s Suites) []Case {
	var cases []Case
	for _, suite := range s.Suites {
		names := map[string]bool{}
		for _, tc := range suite.Testcases {
			names[tc.Name] = true
		}
		for _, tc := range suite.Testcases {
			c, ours := caseFromTestcase(suite.Name, tc)
			if !ours && folded(names, tc.Name) {
				continue
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// folded reports whether a parent test of name ("A" for "A/B") is among
// names.
func folded(names map[string]bool, name string) bool {
	for p := range parents(name) {
		if names[p] {
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
	}
	if tc.SystemOut != nil {
		data = tc.SystemOut.Data + "\n" + data // facts first; older files had them with the verdict
	}
	if f, err := strconv.ParseFloat(tc.Time, 64); err == nil {
		c.Total = time.Duration(f * float64(time.Second))
	}
	m := headerLine.FindStringSubmatch(data)
	if m == nil || m[1] != tc.Name {
		return c, false
	}
	c.Outcome = outcomeOf(m[2], c.Outcome)
	readFacts(&c, strings.Fields(m[3]))
	if c.Preset == "" {
		if parts := strings.Split(c.Variant, "/"); len(parts) == 3 {
			c.Preset, c.Profile = parts[1], parts[2]
		}
	}
	c.Properties = readProperties(data)
	c.Attempts = attemptsFromTestcase(c.Package, tc)
	return c, true
}

// readProperties reads the property lines of a [factsBlock] in data.
func readProperties(data string) []Property {
	var ps []Property
	for _, pm := range propertyLine.FindAllStringSubmatch(data, -1) {
		ps = append(ps, Property{Name: pm[1], Value: strings.ReplaceAll(pm[2], `\n`, "\n")})
	}
	return ps
}

// propertyLine matches the property lines of a [factsBlock].
var propertyLine = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(propLine) + `([^=\n]+)=(.*)$`)

// readFacts sets c's fields from the key=value pairs of a facts line.
func readFacts(c *Case, kvs []string) {
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "preset":
			c.Preset = v
		case "profile":
			c.Profile = v
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
