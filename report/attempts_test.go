package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// retriedCases are a variant that failed, crashed and then passed
// (flaky), and one that failed both of its attempts.
func retriedCases(t *testing.T) []Case {
	cases := fixtureCases(t)
	pass, fail, crash := cases[1], cases[2], cases[4]
	flaky := pass
	failA, crashA := fail, crash
	failA.Variant, failA.Test, crashA.Variant, crashA.Test = flaky.Variant, flaky.Test, flaky.Variant, flaky.Test
	failA.Preset, failA.Profile, crashA.Preset, crashA.Profile = flaky.Preset, flaky.Profile, flaky.Preset, flaky.Profile
	failA.Output = bytes.ReplaceAll(fail.Output, []byte("TestFail"), []byte("TestPass"))
	failA.ConsoleLog = "logs/x.console.log"
	flaky.Attempts = []Case{failA, crashA}
	never := fail
	again := fail
	again.Boot = 9 * time.Second
	never.Attempts = []Case{again}
	return []Case{flaky, never}
}

func TestJUnitAttempts(t *testing.T) {
	cases := retriedCases(t)
	s := JUnit(cases, "h", time.Time{})
	flaky, never := s.Suites[0].Testcases[0], testcaseNamed(t, s, cases[1].Variant)
	if flaky.Failure != nil || flaky.Error != nil || len(flaky.FlakyFailures) != 1 || len(flaky.FlakyErrors) != 1 || len(flaky.RerunFailures) != 0 {
		t.Errorf("flaky testcase: failure %v error %v, %d flakyFailure, %d flakyError, %d rerunFailure; want a pass with one flakyFailure and one flakyError",
			flaky.Failure, flaky.Error, len(flaky.FlakyFailures), len(flaky.FlakyErrors), len(flaky.RerunFailures))
	}
	if f := flaky.FlakyFailures; len(f) == 1 && (f[0].Type != "fail" || !strings.Contains(f[0].StackTrace.Data, "stuck 3500ms") || !strings.Contains(f[0].SystemOut.Data, "outcome=fail")) {
		t.Errorf("flakyFailure = %+v, want type fail, the attempt's output and its facts", f[0])
	}
	if e := flaky.FlakyErrors; len(e) == 1 && (e[0].Type != "crash" || !strings.Contains(e[0].Message, "nil map")) {
		t.Errorf("flakyError = %+v, want type crash with the crash's message", e[0])
	}
	if never.Failure == nil || len(never.RerunFailures) != 1 || len(never.FlakyFailures) != 0 {
		t.Errorf("failed twice: failure %v, %d rerunFailure, %d flakyFailure; want failure plus one rerunFailure", never.Failure, len(never.RerunFailures), len(never.FlakyFailures))
	}
	if want := JUnit([]Case{cases[1]}, "h", time.Time{}).Failures; s.Failures != want || s.Errors != 0 {
		t.Errorf("totals failures=%d errors=%d, want %d (those of the variant that never passed), 0: a flaky pass is no failure", s.Failures, s.Errors, want)
	}
}

func testcaseNamed(t *testing.T, s Suites, name string) Testcase {
	t.Helper()
	for _, su := range s.Suites {
		for _, tc := range su.Testcases {
			if tc.Name == name {
				return tc
			}
		}
	}
	t.Fatalf("no testcase %s", name)
	return Testcase{}
}

func TestAttemptsRoundTrip(t *testing.T) {
	cases := retriedCases(t)
	var buf bytes.Buffer
	if err := JUnit(cases, "h", time.Time{}).WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJUnit(&buf, "junit.xml")
	if err != nil {
		t.Fatal(err)
	}
	got := CasesFromJUnit(back)
	if len(got) != 2 {
		t.Fatalf("read back %d cases, want 2", len(got))
	}
	for i, c := range cases {
		g := got[i]
		if g.Flaky() != c.Flaky() || len(g.Attempts) != len(c.Attempts) {
			t.Fatalf("case %s: flaky %v with %d attempts, want %v with %d", c.Variant, g.Flaky(), len(g.Attempts), c.Flaky(), len(c.Attempts))
		}
		for j, a := range c.Attempts {
			ga := g.Attempts[j]
			if ga.Outcome != a.Outcome || ga.Boot != a.Boot || ga.ConsoleLog != a.ConsoleLog || ga.Topology != a.Topology {
				t.Errorf("%s attempt %d: %s boot %s console %q topology %s, want %s boot %s console %q topology %s",
					c.Variant, j+1, ga.Outcome, ga.Boot, ga.ConsoleLog, ga.Topology, a.Outcome, a.Boot, a.ConsoleLog, a.Topology)
			}
			if slices.ContainsFunc(ga.Properties, func(p Property) bool { return p.Name == attemptProp }) {
				t.Errorf("%s attempt %d kept the attempt number as a property: %v", c.Variant, j+1, ga.Properties)
			}
		}
	}
}

// Merging keeps the attempts of a testcase, and they never change its
// verdict, whatever the order of the inputs.
func TestMergeJUnitAttempts(t *testing.T) {
	cases := retriedCases(t)
	flaky, never := cases[0], cases[1]
	plainPass := flaky
	plainPass.Attempts = nil
	plainFail := never
	plainFail.Attempts = nil
	doc := func(cs ...Case) Suites { return JUnit(cs, "h", time.Time{}) }
	for _, tc := range []struct {
		name    string
		docs    []Suites
		variant string
		failure bool
		flaky   int // flakyFailure and flakyError elements
		reruns  int // rerunFailure and rerunError elements
	}{
		{"flaky alone", []Suites{doc(flaky)}, flaky.Variant, false, 2, 0},
		{"flaky and its plain pass", []Suites{doc(flaky), doc(plainPass)}, flaky.Variant, false, 2, 0},
		{"flaky next to another shard", []Suites{doc(flaky), doc(never)}, flaky.Variant, false, 2, 0},
		{"failed twice next to a flaky shard", []Suites{doc(flaky), doc(never)}, never.Variant, true, 0, 1},
		{"failed twice and a plain failure", []Suites{doc(never), doc(plainFail)}, never.Variant, true, 0, 1},
		{"failed twice and a flaky pass of it", []Suites{doc(never), doc(renamed(flaky, never.Variant))}, never.Variant, true, 0, 1},
	} {
		for _, order := range [][]Suites{tc.docs, reversed(tc.docs)} {
			got := testcaseNamed(t, MergeJUnit(order...), tc.variant)
			flakies := len(got.FlakyFailures) + len(got.FlakyErrors)
			reruns := len(got.RerunFailures) + len(got.RerunErrors)
			if (got.Failure != nil) != tc.failure || got.Error != nil || flakies != tc.flaky || reruns != tc.reruns {
				t.Errorf("%s: failure %v, error %v, %d flaky and %d rerun attempts; want failure %v, no error, %d and %d",
					tc.name, got.Failure != nil, got.Error != nil, flakies, reruns, tc.failure, tc.flaky, tc.reruns)
			}
		}
	}
}

func renamed(c Case, variant string) Case {
	c.Variant = variant
	for i := range c.Attempts {
		c.Attempts[i].Variant = variant
	}
	return c
}

func TestSummaryAndTableFlaky(t *testing.T) {
	cases := retriedCases(t)
	if got, want := Summary(cases[:1], time.Minute), "PASS: 1 of 1 variants passed (1 flaky: TestPass/tiny-2llc/llc+steal), 0 skipped, wall 1m0s"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	if got := Summary(cases, time.Minute); !strings.HasPrefix(got, "FAIL: 1 of 2 variants failed (1 fail), 1 flaky: TestPass/tiny-2llc/llc+steal, 0 skipped") {
		t.Errorf("Summary = %q", got)
	}
	var buf bytes.Buffer
	if err := WriteResults(&buf, cases); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| flaky ", "flaky: passed on attempt 3 of 3; attempt 1: ", "(failed all 2 attempts)"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

func reversed(ds []Suites) []Suites {
	r := slices.Clone(ds)
	slices.Reverse(r)
	return r
}
