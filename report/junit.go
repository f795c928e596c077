package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/gtr"
	"github.com/jstemmer/go-junit-report/v2/parser/gotest"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// JUnit builds JUnit XML suites from cases: one suite per package, one
// testcase per variant named by the variant ("TestX/PRESET/PROFILE"), its
// subtests below it. Each case's `go test -v` output is parsed with
// go-junit-report; outcomes where the test gave no verdict (crash, kernel
// panic, timeout, QEMU failure) become <error> elements typed by outcome,
// with the output and the console tail attached. stamp is the run's start.
func JUnit(cases []Case, hostname string, stamp time.Time) Suites {
	var suites Suites
	var order []string
	byPkg := map[string][]Case{}
	for _, c := range cases {
		if _, ok := byPkg[c.Package]; !ok {
			order = append(order, c.Package)
		}
		byPkg[c.Package] = append(byPkg[c.Package], c)
	}
	for _, pkg := range order {
		s := Suite{Name: pkg, Hostname: hostname, ID: len(suites.Suites)}
		s.setTimestamp(stamp)
		var total time.Duration
		for _, c := range byPkg[pkg] {
			for _, tc := range testcases(c) {
				s.add(tc)
			}
			total += c.Total
		}
		s.Time = seconds(total)
		suites.addSuite(s)
	}
	return suites
}

// testcases turns one case into its JUnit testcases: the variant first,
// then any subtests found in its output. The variant's facts go to its
// <system-out> ([factsBlock]); its own output goes with the verdict (the
// <failure>, <error> or <skipped> text), or to <system-out> after the
// facts when it passed.
func testcases(c Case) []Testcase {
	tests := parseTests(c)
	main := Testcase{Name: c.Variant, Classname: c.Package, Time: seconds(c.Total)}
	var subs []Testcase
	for _, t := range tests {
		if rest, ok := strings.CutPrefix(t.Name, c.Test+"/"); ok {
			subs = append(subs, subtestcase(c, rest, t))
		}
	}
	addAttempts(&main, c)
	out := mainText(c, tests)
	facts := factsBlock(c)
	msg := c.Detail()
	switch {
	case c.Outcome == spec.OutcomePass:
		main.SystemOut = &XMLOutput{Data: clean(facts + out)}
		return append([]Testcase{main}, subs...)
	case c.Outcome == spec.OutcomeSkip:
		main.Skipped = &XMLResult{Message: orDefault(msg, "skipped"), Data: clean(out)}
	case c.Outcome == spec.OutcomeInconclusive:
		// JUnit has no such verdict; a skip with the reason is what CI
		// systems show as "not proven", and the facts header keeps the
		// outcome for gauntlet's own merges.
		main.Skipped = &XMLResult{Message: inconclusivePrefix + orDefault(msg, "limits relaxed"), Data: clean(out)}
	case !c.Outcome.Ran():
		main.Skipped = &XMLResult{Message: "not run: " + orDefault(msg, "never started"), Data: clean(out)}
	case c.Outcome == spec.OutcomeFail:
		main.Failure = &XMLResult{Message: orDefault(msg, "failed"), Type: failureType(c), Data: clean(out)}
	default:
		main.Error = &XMLResult{Message: orDefault(msg, string(c.Outcome)), Type: string(c.Outcome), Data: clean(withConsole(c, out))}
	}
	main.SystemOut = &XMLOutput{Data: clean(facts)}
	return append([]Testcase{main}, subs...)
}

// mainText is the variant's own part of its output: the lines of its
// top-level test, else the whole output.
func mainText(c Case, tests []gtr.Test) string {
	for _, t := range tests {
		if t.Name == c.Test && len(t.Output) > 0 {
			return strings.Join(t.Output, "\n")
		}
	}
	return string(c.Output)
}

// withConsole appends the console tail of a case that ended without the
// test's verdict to its text.
func withConsole(c Case, out string) string {
	if c.ConsoleTail == "" {
		return out
	}
	return out + "\n--- kernel console (tail) ---\n" + c.ConsoleTail
}

func subtestcase(c Case, rest string, t gtr.Test) Testcase {
	tc := Testcase{Name: c.Variant + "/" + rest, Classname: c.Package, Time: seconds(t.Duration)}
	out := clean(strings.Join(t.Output, "\n"))
	switch t.Result {
	case gtr.Fail:
		tc.Failure = &XMLResult{Message: orDefault(failureLine(t.Output), "failed"), Type: string(spec.OutcomeFail), Data: out}
	case gtr.Skip:
		tc.Skipped = &XMLResult{Message: "skipped", Data: out}
	case gtr.Pass:
		tc.SystemOut = &XMLOutput{Data: out}
	default:
		tc.Error = &XMLResult{Message: "no result: the test did not finish", Type: string(c.Outcome), Data: out}
	}
	return tc
}

// inconclusivePrefix starts the skip message of an inconclusive case.
const inconclusivePrefix = "inconclusive: "

// failureType is a failed case's JUnit failure type: the kind of the
// scheduler exit its guest result reports (e.g. "scx_bpf_error",
// "runnable_task_stall", "scheduler_not_attached"), else "fail".
func failureType(c Case) string {
	if r, ok := guestResult(c.Output); ok && r.SchedulerExit != nil && !r.SchedulerExit.Expected {
		return r.SchedulerExit.FailureType()
	}
	return string(c.Outcome)
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

// Detail is the reason shown for a case. A failed or skipped test says it
// best itself: the message of the guest's structured result, else the
// last t.Error-style line of its output. Otherwise (and as a fallback) the
// case's Message: the VM runner's classification.
func (c Case) Detail() string {
	if c.Outcome == spec.OutcomeFail || c.Outcome == spec.OutcomeSkip {
		if r, ok := guestResult(c.Output); ok && r.Message != "" {
			return r.Message
		}
		for _, t := range parseTests(c) {
			if l := failureLine(t.Output); t.Name == c.Test && l != "" {
				return l
			}
		}
	}
	if c.Message != "" || c.Outcome == spec.OutcomePass {
		return c.Message
	}
	for _, t := range parseTests(c) {
		if t.Name == c.Test {
			return failureLine(t.Output)
		}
	}
	return ""
}

// propLine starts each property line of a [factsBlock].
const propLine = "gauntlet.property: "

// factsBlock is what gauntlet writes at the top of a variant's
// <system-out>: a header line of the run's facts, which also marks the
// testcase as gauntlet's own when the report reads it back,
//
//	gauntlet: variant=TestX/tiny-2llc/default outcome=pass topology=1n2l2c1t accel=tcg kernel=PATH kernel_label=6.12.117 boot=2.300s test=2.100s
//
// then one "gauntlet.property: NAME=VALUE" line per property: the guest's
// structured result ("gauntlet.*", see [spec.Result.Properties]) and the
// case's own.
func factsBlock(c Case) string {
	var b strings.Builder
	b.WriteString(header(c))
	for _, p := range properties(c) {
		fmt.Fprintf(&b, "%s%s=%s\n", propLine, p.Name, strings.ReplaceAll(p.Value, "\n", `\n`))
	}
	return b.String()
}

// header is the first line of a [factsBlock].
func header(c Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "gauntlet: variant=%s outcome=%s", c.Variant, c.Outcome)
	for _, kv := range [][2]string{{"preset", c.Preset}, {"profile", c.Profile}, {"topology", c.Topology}, {"accel", c.Accel}, {"kernel", c.Kernel}, {"kernel_label", c.KernelLabel}, {"console_log", c.ConsoleLog}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
	}
	if c.Boot > 0 {
		fmt.Fprintf(&b, " boot=%s test=%s", seconds(c.Boot)+"s", seconds(c.TestTime)+"s")
	}
	b.WriteByte('\n')
	return b.String()
}

// properties are a case's facts beyond the header: the guest's structured
// result (see [ResultProperties]) and the case's own properties.
func properties(c Case) []Property {
	var ps []Property
	if r, ok := guestResult(c.Output); ok {
		for _, p := range ResultProperties(r) {
			if p.Value != "" {
				ps = append(ps, p)
			}
		}
	}
	for _, p := range c.Properties {
		if p.Value != "" {
			ps = append(ps, p)
		}
	}
	return ps
}

// Result returns the guest's structured result ([spec.Result]) from
// c's output, and false when the guest printed none.
func (c Case) Result() (spec.Result, bool) { return guestResult(c.Output) }

// guestResult finds the guest's structured result line in out (the last
// one, should a test print several).
func guestResult(out []byte) (spec.Result, bool) {
	for len(out) > 0 {
		i := bytes.LastIndexByte(out[:len(out)-1], '\n')
		line := string(out[i+1:])
		out = out[:i+1]
		if r, ok, err := spec.ParseResultLine(line); ok && err == nil {
			return r, true
		}
		if i < 0 {
			break
		}
	}
	return spec.Result{}, false
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
