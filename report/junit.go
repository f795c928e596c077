package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/gtr"
	"github.com/jstemmer/go-junit-report/v2/junit"
	"github.com/jstemmer/go-junit-report/v2/parser/gotest"
)

// JUnit builds JUnit XML suites from cases: one suite per package, one
// testcase per variant named by the variant ("TestX/PRESET/PROFILE"), its
// subtests below it. Each case's `go test -v` output is parsed with
// go-junit-report; outcomes where the test gave no verdict (crash, kernel
// panic, timeout, QEMU failure) become <error> elements typed by outcome,
// with the output and the console tail attached. stamp is the run's start.
func JUnit(cases []Case, hostname string, stamp time.Time) junit.Testsuites {
	var suites junit.Testsuites
	var order []string
	byPkg := map[string][]Case{}
	for _, c := range cases {
		if _, ok := byPkg[c.Package]; !ok {
			order = append(order, c.Package)
		}
		byPkg[c.Package] = append(byPkg[c.Package], c)
	}
	for _, pkg := range order {
		s := junit.Testsuite{Name: pkg, Hostname: hostname, ID: len(suites.Suites)}
		s.SetTimestamp(stamp)
		var total time.Duration
		for _, c := range byPkg[pkg] {
			for _, tc := range testcases(c) {
				s.AddTestcase(tc)
			}
			total += c.Total
		}
		s.Time = seconds(total)
		suites.AddSuite(s)
	}
	return suites
}

// testcases turns one case into its JUnit testcases: the variant first,
// then any subtests found in its output.
func testcases(c Case) []junit.Testcase {
	tests := parseTests(c)
	main := junit.Testcase{Name: c.Variant, Classname: c.Package, Time: seconds(c.Total)}
	var subs []junit.Testcase
	var mainOut []string
	for _, t := range tests {
		if t.Name == c.Test {
			mainOut = t.Output
			continue
		}
		if rest, ok := strings.CutPrefix(t.Name, c.Test+"/"); ok {
			subs = append(subs, subtestcase(c, rest, t))
		}
	}
	out := header(c) + strings.Join(mainOut, "\n")
	if len(mainOut) == 0 && len(c.Output) > 0 {
		out = header(c) + string(c.Output)
	}
	msg := c.Message
	if msg == "" && c.Outcome != Pass {
		msg = failureLine(mainOut)
	}
	switch {
	case c.Outcome == Pass:
		main.SystemOut = &junit.Output{Data: clean(out)}
	case c.Outcome == Skip:
		main.Skipped = &junit.Result{Message: orDefault(msg, "skipped"), Data: clean(out)}
	case c.Outcome == Fail:
		main.Failure = &junit.Result{Message: orDefault(msg, "failed"), Type: string(c.Outcome), Data: clean(out)}
	default:
		data := out
		if c.ConsoleTail != "" {
			data += "\n--- kernel console (tail) ---\n" + c.ConsoleTail
		}
		main.Error = &junit.Result{Message: orDefault(msg, string(c.Outcome)), Type: string(c.Outcome), Data: clean(data)}
	}
	return append([]junit.Testcase{main}, subs...)
}

func subtestcase(c Case, rest string, t gtr.Test) junit.Testcase {
	tc := junit.Testcase{Name: c.Variant + "/" + rest, Classname: c.Package, Time: seconds(t.Duration)}
	out := clean(strings.Join(t.Output, "\n"))
	switch t.Result {
	case gtr.Fail:
		tc.Failure = &junit.Result{Message: orDefault(failureLine(t.Output), "failed"), Type: string(Fail), Data: out}
	case gtr.Skip:
		tc.Skipped = &junit.Result{Message: "skipped", Data: out}
	case gtr.Pass:
		tc.SystemOut = &junit.Output{Data: out}
	default:
		tc.Error = &junit.Result{Message: "no result: the test did not finish", Type: string(c.Outcome), Data: out}
	}
	return tc
}

// parseTests reads the case's go test -v output with go-junit-report's
// parser and returns the tests it found.
func parseTests(c Case) []gtr.Test {
	if len(c.Output) == 0 {
		return nil
	}
	rep, err := gotest.NewParser(gotest.PackageName(c.Package)).Parse(bytes.NewReader(c.Output))
	if err != nil {
		return nil
	}
	var tests []gtr.Test
	for _, p := range rep.Packages {
		tests = append(tests, p.Tests...)
	}
	return tests
}

// detail is the one-line reason shown for a case: its Message, else the
// failure line of its own output.
func detail(c Case) string {
	if c.Message != "" || c.Outcome == Pass {
		return c.Message
	}
	for _, t := range parseTests(c) {
		if t.Name == c.Test {
			return failureLine(t.Output)
		}
	}
	return ""
}

// header is the block of facts printed above a case's output.
func header(c Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "gauntlet: variant=%s outcome=%s", c.Variant, c.Outcome)
	for _, kv := range [][2]string{{"topology", c.Topology}, {"accel", c.Accel}, {"kernel", c.Kernel}, {"console_log", c.ConsoleLog}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
	}
	if c.Boot > 0 {
		fmt.Fprintf(&b, " boot=%s test=%s", seconds(c.Boot)+"s", seconds(c.TestTime)+"s")
	}
	b.WriteByte('\n')
	for _, p := range c.Properties {
		fmt.Fprintf(&b, "gauntlet: %s=%s\n", p.Name, p.Value)
	}
	return b.String()
}

// goLogLine matches a t.Error/t.Log line: "    file.go:12: message".
var goLogLine = regexp.MustCompile(`^\s*[\w.-]+\.go:\d+: (.+)$`)

// failureLine picks the message of the last t.Error-style line (a failing
// test usually ends with its error; t.Fatal always does), else the first
// line that is not test-runner chatter.
func failureLine(out []string) string {
	for i := len(out) - 1; i >= 0; i-- {
		if m := goLogLine.FindStringSubmatch(out[i]); m != nil {
			return m[1]
		}
	}
	for _, l := range out {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "--- ") {
			return l
		}
	}
	return ""
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// clean drops characters XML 1.0 cannot carry.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return '\uFFFD'
	}, s)
}
