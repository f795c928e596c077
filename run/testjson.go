package run

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// testEvent is one event of the stream `go test -json` writes (see `go
// doc test2json`): the fields, their names and order are test2json's.
type testEvent struct {
	Time    time.Time `json:",omitzero"`
	Action  string
	Package string   `json:",omitempty"`
	Test    string   `json:",omitempty"`
	Elapsed *float64 `json:",omitempty"`
	Output  string   `json:",omitempty"`
}

// testJSON is the observer that writes the run as test2json events, so
// tools that read `go test -json` (gotestsum, CI test reporters) read a
// gauntlet run: one test per variant, named as in JUnit; the guest's
// output as its output events; the plain host tests; a package's
// pass/fail once all of its tests ended; variants that never started
// skipped with the reason. Only events go to w.
type testJSON struct {
	enc    *json.Encoder
	start  time.Time
	left   map[string]int    // variants of a package not ended
	failed map[string]bool   // packages with a failure
	order  []string          // packages in the order they started
	tests  map[string]*group // by package and test
	ended  map[int]bool      // variants that ended
}

// group is the variants of one test. The test (its base variant, or a
// parent of its own when the base is not in the run) is their parent,
// as in `go test`: it runs from its first variant's start to its last
// one's end. Readers rely on that: gotestsum 1.8 crashes on a subtest
// that fails while its parent is not running.
type group struct {
	pkg, test string
	left      int          // variants not ended
	base      *report.Case // the base variant's case, once it ended
	started   time.Time    // when the parent's run event was written
	running   bool
	failed    bool // a variant failed
	passed    bool // a variant passed
}

func newTestJSON(w io.Writer) *testJSON {
	return &testJSON{enc: json.NewEncoder(w), left: map[string]int{}, failed: map[string]bool{}, tests: map[string]*group{}, ended: map[int]bool{}}
}

func (j *testJSON) emit(e testEvent) { j.enc.Encode(e) }

// output writes text as output events, one per line as test2json does.
func (j *testJSON) output(t time.Time, pkg, test, text string) {
	for _, l := range strings.SplitAfter(text, "\n") {
		if l != "" {
			j.emit(testEvent{Time: t, Action: "output", Package: pkg, Test: test, Output: l})
		}
	}
}

func (j *testJSON) pkgStart(t time.Time, pkg string) {
	if _, ok := j.left[pkg]; ok {
		return
	}
	j.left[pkg] = 0
	j.order = append(j.order, pkg)
	j.emit(testEvent{Time: t, Action: "start", Package: pkg})
}

func (j *testJSON) runStarted(e runStart) {
	j.start = e.Time
	for _, pkg := range slices.Sorted(maps.Keys(e.Failed)) {
		msg := e.Failed[pkg]
		j.pkgStart(e.Time, pkg)
		j.output(e.Time, pkg, "", indentLines(msg, ""))
		j.output(e.Time, pkg, "", fmt.Sprintf("FAIL\t%s [setup failed]\n", pkg))
		j.emit(testEvent{Time: e.Time, Action: "fail", Package: pkg, Elapsed: new(float64)})
		j.left[pkg] = -1 // ended
	}
	for _, a := range e.Variants {
		j.pkgStart(e.Time, a.Package)
		j.left[a.Package]++
		j.group(a.Package, a.Test).left++
	}
	for _, c := range e.Host {
		j.pkgStart(e.Time, c.Package)
		j.test(e.Time, c, c.Detail())
	}
	for _, pkg := range j.order {
		if j.left[pkg] == 0 {
			j.pkgEnd(e.Time, pkg)
		}
	}
}

// test writes a whole test that has already ended (a host test, a
// variant that never started): run, output, its end.
func (j *testJSON) test(t time.Time, c report.Case, detail string) {
	j.emit(testEvent{Time: t, Action: "run", Package: c.Package, Test: c.Variant})
	j.output(t, c.Package, c.Variant, "=== RUN   "+c.Variant+"\n")
	if detail != "" && !c.Outcome.Passed() {
		j.output(t, c.Package, c.Variant, indentLines(detail, "    "))
	}
	j.end(t, c)
}

// end writes the test's "--- PASS: NAME (S.SSs)" line and its action.
func (j *testJSON) end(t time.Time, c report.Case) {
	action := testAction(c.Outcome)
	secs := c.Total.Seconds()
	j.output(t, c.Package, c.Variant, fmt.Sprintf("--- %s: %s (%.2fs)\n", strings.ToUpper(action), c.Variant, secs))
	j.emit(testEvent{Time: t, Action: action, Package: c.Package, Test: c.Variant, Elapsed: &secs})
	if c.Outcome.Failed() {
		j.failed[c.Package] = true
	}
}

func (j *testJSON) group(pkg, test string) *group {
	k := pkg + "\x00" + test
	if j.tests[k] == nil {
		j.tests[k] = &group{pkg: pkg, test: test}
	}
	return j.tests[k]
}

// runEvent writes the run event of a test and its "=== RUN" line.
func (j *testJSON) runEvent(t time.Time, pkg, test string) {
	j.emit(testEvent{Time: t, Action: "run", Package: pkg, Test: test})
	j.output(t, pkg, test, "=== RUN   "+test+"\n")
}

// parent starts the variant's test, once, before its first variant.
func (j *testJSON) parent(t time.Time, pkg, test string) *group {
	g := j.group(pkg, test)
	if !g.running {
		g.running, g.started = true, t
		j.runEvent(t, pkg, test)
	}
	return g
}

func (j *testJSON) variantStarted(e variantStart) {
	j.parent(e.Time, e.A.Package, e.A.Test)
	if e.A.Variant != e.A.Test {
		j.runEvent(e.Time, e.A.Package, e.A.Variant)
	}
}

func (j *testJSON) variantOutput(e variantStart, line []byte) {
	j.output(e.Time, e.A.Package, e.A.Variant, string(line)+"\n")
}

func (j *testJSON) variantRetrying(e variantStart, line string) {
	j.output(e.Time, e.A.Package, e.A.Variant, "gauntlet: "+line+"\n")
}

func (j *testJSON) variantFinished(e variantEnd) {
	j.ended[e.Index] = true
	c := e.Case
	if !c.Outcome.Ran() {
		j.output(e.Time, c.Package, c.Variant, indentLines(c.Message, "    "))
	}
	j.variantEnded(e.Time, c)
}

// variantEnded ends the variant's test (the base's waits for its
// siblings), then its parent when it was the last, then its package
// when that was the last.
func (j *testJSON) variantEnded(t time.Time, c report.Case) {
	j.left[c.Package]--
	g := j.group(c.Package, c.Test)
	g.left--
	g.failed = g.failed || c.Outcome.Failed()
	g.passed = g.passed || c.Outcome.Passed()
	if c.Variant == c.Test {
		g.base = &c
	} else {
		j.end(t, c)
	}
	if g.left > 0 {
		return
	}
	if g.base != nil {
		j.end(t, *g.base)
	} else {
		j.end(t, report.Case{Package: g.pkg, Variant: g.test, Outcome: parentOutcome(g), Total: t.Sub(g.started)})
	}
	if j.left[c.Package] == 0 {
		j.pkgEnd(t, c.Package)
	}
}

// parentOutcome is the result of a parent of its own: failed when a
// variant failed, passed when one passed, else skipped.
func parentOutcome(g *group) spec.Outcome {
	switch {
	case g.failed:
		return spec.OutcomeFail
	case g.passed:
		return spec.OutcomePass
	}
	return spec.OutcomeSkip
}

// runFinished skips the variants that never started, with the reason,
// and ends their tests and packages.
func (j *testJSON) runFinished(e runEnd) {
	for i, c := range e.Cases {
		if j.ended[i] {
			continue
		}
		j.parent(e.Time, c.Package, c.Test)
		if c.Variant != c.Test {
			j.runEvent(e.Time, c.Package, c.Variant)
		}
		j.output(e.Time, c.Package, c.Variant, indentLines("did not start: "+c.Message, "    "))
		j.variantEnded(e.Time, c)
	}
}

// pkgEnd writes the package's verdict lines and action, like `go test`.
func (j *testJSON) pkgEnd(t time.Time, pkg string) {
	secs := t.Sub(j.start).Seconds()
	verdict, line := "pass", fmt.Sprintf("ok  \t%s\t%.3fs\n", pkg, secs)
	if j.failed[pkg] {
		verdict, line = "fail", fmt.Sprintf("FAIL\t%s\t%.3fs\n", pkg, secs)
	}
	j.output(t, pkg, "", strings.ToUpper(verdict)+"\n")
	j.output(t, pkg, "", line)
	j.emit(testEvent{Time: t, Action: verdict, Package: pkg, Elapsed: &secs})
}

// testAction is the test2json action of an outcome: a failure fails,
// a pass passes, anything else (a skip, never started) skips.
func testAction(o spec.Outcome) string {
	switch {
	case o.Failed():
		return "fail"
	case o.Passed():
		return "pass"
	}
	return "skip"
}

// indentLines puts indent before every line of s and ends it with a
// newline.
func indentLines(s, indent string) string {
	s = strings.TrimRight(s, "\n")
	return indent + strings.ReplaceAll(s, "\n", "\n"+indent) + "\n"
}
