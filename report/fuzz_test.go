package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// FuzzReadJUnit feeds the JUnit reader arbitrary documents (other tools'
// JUnit varies a lot): it must never panic, the totals it returns must
// match its testcases, and what it accepts must merge, write and read
// back with the same totals.
func FuzzReadJUnit(f *testing.F) {
	var buf bytes.Buffer
	JUnit([]Case{{Package: "p", Test: "TestA", Variant: "TestA/tiny-2llc/default", Preset: "tiny-2llc", Outcome: spec.OutcomeFail, Message: "x"}}, "h", time.Time{}).WriteXML(&buf)
	f.Add(buf.String())
	f.Add(`<testsuite name="p"><testcase name="TestA" classname="p"><failure message="x"/></testcase><testcase name="TestA/sub"/></testsuite>`)
	f.Add(`<testsuites><testsuite name="a"><testcase name="T"><skipped/></testcase></testsuite></testsuites>`)
	f.Fuzz(func(t *testing.T, doc string) {
		s, err := ReadJUnit(strings.NewReader(doc), "in.xml")
		if err != nil {
			return
		}
		n := 0
		for _, suite := range s.Suites {
			n += len(suite.Testcases)
		}
		if n != s.Tests {
			t.Fatalf("tests=%d but %d testcases", s.Tests, n)
		}
		CasesFromJUnit(s)
		m := MergeJUnit(s)
		var out bytes.Buffer
		if err := m.WriteXML(&out); err != nil {
			t.Fatalf("write merged: %v", err)
		}
		back, err := ReadJUnit(&out, "merged.xml")
		if err != nil {
			t.Fatalf("merged document does not read back: %v\n%s", err, out.String())
		}
		if back.Tests != m.Tests || back.Failures != m.Failures || back.Errors != m.Errors {
			t.Fatalf("totals changed on write: %d/%d/%d, want %d/%d/%d", back.Tests, back.Failures, back.Errors, m.Tests, m.Failures, m.Errors)
		}
	})
}
