package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// TestInconclusiveIsItsOwnOutcome: a pass whose checks ran with relaxed
// limits is not reported as a pass anywhere: JUnit shows it skipped with
// the reason (and validates), reading the JUnit back gives the outcome
// again, a merge with a plain pass of the same variant keeps it
// inconclusive in either order, and the summary and matrix count it apart.
func TestInconclusiveIsItsOwnOutcome(t *testing.T) {
	why := "limits relaxed past their bounds: max-gap 6000ms > 3000ms (tcg, 2 usable vcpus)"
	inc := Case{Package: pkg, Test: "TestX", Variant: "TestX", Topology: "1n1l2c1t", Accel: "tcg",
		Outcome: spec.OutcomeInconclusive, Message: why, Total: time.Second}
	pass := inc
	pass.Outcome, pass.Message = spec.OutcomePass, ""

	doc := JUnit([]Case{inc}, "h", time.Time{})
	var buf bytes.Buffer
	if err := doc.WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	validate(t, "junit-10.xsd", buf.Bytes())
	tc := doc.Suites[0].Testcases[0]
	if tc.Skipped == nil || tc.Skipped.Message != "inconclusive: "+why || doc.Skipped != 1 || doc.Failures != 0 {
		t.Errorf("JUnit testcase %+v (suites skipped %d, failures %d); want skipped with %q", tc, doc.Skipped, doc.Failures, "inconclusive: "+why)
	}
	back := CasesFromJUnit(doc)
	if len(back) != 1 || back[0].Outcome != spec.OutcomeInconclusive {
		t.Errorf("read back %+v, want one inconclusive case", back)
	}

	for _, order := range [][]Suites{{JUnit([]Case{pass}, "h", time.Time{}), doc}, {doc, JUnit([]Case{pass}, "h", time.Time{})}} {
		m := CasesFromJUnit(MergeJUnit(order...))
		if len(m) != 1 || m[0].Outcome != spec.OutcomeInconclusive {
			t.Errorf("merge of a pass and an inconclusive run: %+v, want inconclusive", m)
		}
	}

	cases := []Case{pass, inc, {Outcome: spec.OutcomeSkip}}
	if got, want := Summary(cases, time.Minute), "PASS: 1 of 3 variants passed, 1 inconclusive, 1 skipped, wall 1m0s"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	if got := cell([]spec.Outcome{spec.OutcomePass, spec.OutcomeInconclusive, spec.OutcomeInconclusive}); got != "pass 1, inc 2" {
		t.Errorf("cell = %q, want %q", got, "pass 1, inc 2")
	}
	if got := cell([]spec.Outcome{spec.OutcomeInconclusive, spec.OutcomeFail}); !strings.HasPrefix(got, "FAIL 1/2") {
		t.Errorf("cell with a failure = %q", got)
	}
}
