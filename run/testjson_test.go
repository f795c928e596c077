package run

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// jsonEvents decodes a test2json stream into "Action Package Test" lines
// (output events: "output Test: text").
func jsonEvents(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var e testEvent
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("not test2json: %v\n%s", err, b)
		}
		if e.Time.IsZero() {
			t.Errorf("event without a time: %+v", e)
		}
		switch {
		case e.Action == "output":
			out = append(out, fmt.Sprintf("output %s: %s", e.Test, strings.TrimSuffix(e.Output, "\n")))
		case e.Elapsed != nil:
			out = append(out, fmt.Sprintf("%s %s %s %.1f", e.Action, e.Package, e.Test, *e.Elapsed))
		default:
			out = append(out, fmt.Sprintf("%s %s %s", e.Action, e.Package, e.Test))
		}
	}
	return out
}

// TestTestJSONInterrupted: a run interrupted with one variant done, one
// not started: the base variant (the parent) ends after its variants,
// the one not started is skipped with the reason, the host test and a
// package that could not be planned are there, and each package ends
// once, last.
func TestTestJSONInterrupted(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	a := func(test, variant string) budget.Assignment {
		return budget.Assignment{Candidate: budget.Candidate{Package: "ex/a", Test: test, Variant: variant}}
	}
	sel := []budget.Assignment{a("TestX", "TestX"), a("TestX", "TestX/tiny-1llc/default"), a("TestY", "TestY/tiny-1llc/default")}
	var buf bytes.Buffer
	j := newTestJSON(&buf)
	j.runStarted(runStart{Time: t0, Variants: sel,
		Host:   []report.Case{{Package: "ex/a", Test: "TestHost", Variant: "TestHost", Outcome: spec.OutcomePass}},
		Failed: map[string]string{"ex/broken": "ex/broken: build failed\nx.go:1: syntax error"}})
	j.variantStarted(variantStart{Time: at(1), Index: 0, A: sel[0]})
	j.variantStarted(variantStart{Time: at(1), Index: 1, A: sel[1]})
	j.variantOutput(variantStart{Time: at(2), Index: 1, A: sel[1]}, []byte("    x_test.go:9: stuck"))
	j.variantFinished(variantEnd{Time: at(3), Index: 0, Case: report.Case{Package: "ex/a", Test: "TestX", Variant: "TestX", Outcome: spec.OutcomePass, Total: 2 * time.Second}})
	j.variantFinished(variantEnd{Time: at(4), Index: 1, Case: report.Case{Package: "ex/a", Test: "TestX", Variant: "TestX/tiny-1llc/default", Outcome: spec.OutcomeFail, Total: 3 * time.Second}})
	never := report.Case{Package: "ex/a", Test: "TestY", Variant: "TestY/tiny-1llc/default", Outcome: spec.OutcomeNotRun, Message: "cancelled before it started"}
	j.runFinished(runEnd{Time: at(5), Cases: []report.Case{{}, {}, never}, Interrupted: true})
	// Only index 2 is unfinished; the others' cases are not looked at.
	got := strings.Join(jsonEvents(t, buf.Bytes()), "\n")
	want := strings.Join([]string{
		"start ex/broken ",
		"output : ex/broken: build failed",
		"output : x.go:1: syntax error",
		"output : FAIL\tex/broken [setup failed]",
		"fail ex/broken  0.0",
		"start ex/a ",
		"run ex/a TestHost",
		"output TestHost: === RUN   TestHost",
		"output TestHost: --- PASS: TestHost (0.00s)",
		"pass ex/a TestHost 0.0",
		"run ex/a TestX",
		"output TestX: === RUN   TestX",
		"run ex/a TestX/tiny-1llc/default",
		"output TestX/tiny-1llc/default: === RUN   TestX/tiny-1llc/default",
		"output TestX/tiny-1llc/default:     x_test.go:9: stuck",
		"output TestX/tiny-1llc/default: --- FAIL: TestX/tiny-1llc/default (3.00s)",
		"fail ex/a TestX/tiny-1llc/default 3.0",
		"output TestX: --- PASS: TestX (2.00s)",
		"pass ex/a TestX 2.0",
		"run ex/a TestY",
		"output TestY: === RUN   TestY",
		"run ex/a TestY/tiny-1llc/default",
		"output TestY/tiny-1llc/default: === RUN   TestY/tiny-1llc/default",
		"output TestY/tiny-1llc/default:     did not start: cancelled before it started",
		"output TestY/tiny-1llc/default: --- SKIP: TestY/tiny-1llc/default (0.00s)",
		"skip ex/a TestY/tiny-1llc/default 0.0",
		"output TestY: --- SKIP: TestY (0.00s)",
		"skip ex/a TestY 0.0",
		"output : FAIL",
		"output : FAIL\tex/a\t5.000s",
		"fail ex/a  5.0",
	}, "\n")
	if got != want {
		t.Errorf("events:\n%s\n\nwant:\n%s", got, want)
	}
}

// BenchmarkTestJSONOutput measures one guest output line through the
// test2json observer (every line of every variant takes this path).
func BenchmarkTestJSONOutput(b *testing.B) {
	t0 := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	a := budget.Assignment{Candidate: budget.Candidate{Package: "ex/a", Test: "TestX", Variant: "TestX/tiny-1llc/default"}}
	j := newTestJSON(io.Discard)
	j.runStarted(runStart{Time: t0, Variants: []budget.Assignment{a}})
	v := variantStart{Time: t0, A: a}
	j.variantStarted(v)
	line := []byte("    scenario.go:120: cg_1: 4 workers, 12034 work units, max gap 3.2ms on cpu1")
	b.ReportAllocs()
	for b.Loop() {
		j.variantOutput(v, line)
	}
}
