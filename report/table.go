package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/table"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// minDetail is the narrowest the detail column gets when the other
// columns leave little room; the full text is in JUnit.
const minDetail = 24

// WriteResults prints the cases grouped by package: a row with the
// package's import path, then one row per case: variant, topology, kernel
// (when the cases ran on more than one), accelerator, result, boot and
// test seconds, and the one-line reason for anything but a pass, cut so
// the table fits [table.Width] columns. Failures come first (and the
// packages with failures) so they are on screen when the table is long.
func WriteResults(w io.Writer, cases []Case) error {
	sorted := append([]Case(nil), cases...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return rank(sorted[i].Outcome) < rank(sorted[j].Outcome)
	})
	kernels := severalKernels(cases)
	header := []string{"package / variant", "topology"}
	if kernels {
		header = append(header, "kernel")
	}
	header = append(header, "accel", "result", "boot", "test", "detail")
	var rows [][]string
	for _, g := range byPackage(sorted) {
		rows = append(rows, append([]string{g[0].Package}, make([]string, len(header)-1)...))
		for _, c := range g {
			row := []string{"  " + c.Variant, dash(c.Topology)}
			if kernels {
				row = append(row, dash(c.KernelLabel))
			}
			rows = append(rows, append(row, dash(c.Accel), caseLabel(c),
				secs(c.Boot), secs(c.TestTime), rowDetail(c)))
		}
	}
	table.Fit(header, rows, len(header)-1, table.Width, minDetail)
	return table.Write(w, header, rows)
}

// severalKernels reports whether the cases that booted a VM name more
// than one kernel label.
func severalKernels(cases []Case) bool {
	first := ""
	for _, c := range cases {
		switch {
		case c.KernelLabel == "":
		case first == "":
			first = c.KernelLabel
		case c.KernelLabel != first:
			return true
		}
	}
	return false
}

// byPackage groups cases by package, packages in the order they first
// appear, cases in their order.
func byPackage(cases []Case) [][]Case {
	idx := map[string]int{}
	var groups [][]Case
	for _, c := range cases {
		i, ok := idx[c.Package]
		if !ok {
			i = len(groups)
			idx[c.Package] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], c)
	}
	return groups
}

// WriteMatrix prints a test x column grid (columns: host, base, then
// presets in first-seen order); each cell lists the outcomes of the
// profiles run there, e.g. "pass 3" or "FAIL 1/4". When the cases ran on
// several kernels, each test has a row per kernel ("pkg.TestX
// 6.12.117-scx").
func WriteMatrix(w io.Writer, cases []Case) error {
	type key struct{ test, col string }
	cells := map[key][]spec.Outcome{}
	var tests, cols []string
	seenT, seenC := map[string]bool{}, map[string]bool{}
	kernels := severalKernels(cases)
	for _, c := range cases {
		t := shortPkg(c.Package) + "." + c.Test
		if kernels && c.KernelLabel != "" {
			t += " " + c.KernelLabel
		}
		if !seenT[t] {
			seenT[t] = true
			tests = append(tests, t)
		}
		col := c.column()
		if !seenC[col] {
			seenC[col] = true
			cols = append(cols, col)
		}
		cells[key{t, col}] = append(cells[key{t, col}], c.Outcome)
	}
	sort.SliceStable(cols, func(i, j int) bool { return colRank(cols[i]) < colRank(cols[j]) })
	rows := make([][]string, 0, len(tests))
	for _, t := range tests {
		row := []string{t}
		for _, col := range cols {
			row = append(row, cell(cells[key{t, col}]))
		}
		rows = append(rows, row)
	}
	return table.Write(w, append([]string{"test"}, cols...), rows)
}

// WriteTables prints the results table, when matrix is set a blank line
// and the test x preset matrix, and when a scheduler under test reported
// its BPF programs a blank line and the verifier table
// ([WriteVerifier]); "no test cases" when cases is empty. `gauntlet run`
// and `gauntlet report` print their cases with it.
func WriteTables(w io.Writer, cases []Case, matrix bool) error {
	if len(cases) == 0 {
		_, err := fmt.Fprintln(w, "no test cases")
		return err
	}
	if err := WriteResults(w, cases); err != nil {
		return err
	}
	if matrix {
		fmt.Fprintln(w)
		if err := WriteMatrix(w, cases); err != nil {
			return err
		}
	}
	if len(verifierGroups(cases)) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	return WriteVerifier(w, cases)
}

// Summary is the one line printed after the tables, e.g.
// "FAIL: 2 of 14 variants failed (1 fail, 1 timeout), 1 flaky: TestX,
// 3 skipped (1 not run), wall 4m10s". Variants that never started are
// skipped, not failed; flaky ones (passed after failed attempts) passed
// and are named.
func Summary(cases []Case, wall time.Duration) string {
	counts := map[spec.Outcome]int{}
	for _, c := range cases {
		counts[c.Outcome]++
	}
	failed := 0
	var kinds []string
	for _, o := range failureOrder {
		if n := counts[o]; n > 0 {
			failed += n
			kinds = append(kinds, fmt.Sprintf("%d %s", n, o))
		}
	}
	tail := fmt.Sprintf("%d skipped", counts[spec.OutcomeSkip]+counts[spec.OutcomeNotRun])
	if n := counts[spec.OutcomeNotRun]; n > 0 {
		tail += fmt.Sprintf(" (%d not run)", n)
	}
	if n := counts[spec.OutcomeInconclusive]; n > 0 {
		tail = fmt.Sprintf("%d inconclusive, %s", n, tail)
	}
	tail += ", wall " + wall.Round(time.Second).String()
	flaky := flakyNote(cases)
	if failed == 0 {
		if flaky != "" {
			flaky = " (" + flaky + ")"
		}
		return fmt.Sprintf("PASS: %d of %d variants passed%s, %s", counts[spec.OutcomePass], len(cases), flaky, tail)
	}
	if flaky != "" {
		flaky = ", " + flaky
	}
	return fmt.Sprintf("FAIL: %d of %d variants failed (%s)%s, %s", failed, len(cases), strings.Join(kinds, ", "), flaky, tail)
}

// maxFlakyNames bounds the flaky variants the summary names.
const maxFlakyNames = 3

// flakyNote is the summary's count of flaky variants with the first
// names, e.g. "1 flaky: TestX/tiny-1llc/default", or "" for none.
func flakyNote(cases []Case) string {
	var names []string
	for _, c := range cases {
		if c.Flaky() {
			names = append(names, c.Variant)
		}
	}
	if len(names) == 0 {
		return ""
	}
	shown := names[:min(len(names), maxFlakyNames)]
	note := fmt.Sprintf("%d flaky: %s", len(names), strings.Join(shown, ", "))
	if len(names) > len(shown) {
		note += ", ..."
	}
	return note
}

// failureOrder lists the outcomes that are failures, in the order the
// summary counts them.
var failureOrder = []spec.Outcome{spec.OutcomeFail, spec.OutcomeCrash, spec.OutcomeKernelPanic,
	spec.OutcomeTimeout, spec.OutcomeQEMUFailed, spec.OutcomeAccelUnusable}

// skipped reports whether o shows as skipped: the test skipped itself, or
// the variant never started.
func skipped(o spec.Outcome) bool { return o == spec.OutcomeSkip || !o.Ran() }

func cell(outs []spec.Outcome) string {
	if len(outs) == 0 {
		return "-"
	}
	bad, skips, inc := 0, 0, 0
	for _, o := range outs {
		switch {
		case o.Failed():
			bad++
		case skipped(o):
			skips++
		case o == spec.OutcomeInconclusive:
			inc++
		}
	}
	if bad > 0 {
		return fmt.Sprintf("FAIL %d/%d", bad, len(outs))
	}
	var parts []string
	for _, p := range []struct {
		n    int
		word string
	}{{len(outs) - skips - inc, "pass"}, {inc, "inc"}, {skips, "skip"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", p.word, p.n))
		}
	}
	return strings.Join(parts, ", ")
}

// caseLabel is the result column of a case: "flaky" for a pass after
// failed attempts, else its outcome's [label].
func caseLabel(c Case) string {
	if c.Flaky() {
		return "flaky"
	}
	return label(c.Outcome)
}

// rowDetail is the detail column: the reason, and for a variant booted
// more than once what its attempts did.
func rowDetail(c Case) string {
	switch {
	case c.Flaky():
		return c.AttemptsNote()
	case len(c.Attempts) > 0:
		return c.AttemptsNote() + ": " + firstLine(c.Detail()) // the note first: the column is cut to fit
	}
	return c.Detail()
}

// label is the result column: failures shout, the rest whisper.
func label(o spec.Outcome) string {
	if o.Failed() {
		return strings.ToUpper(string(o))
	}
	return string(o)
}

func rank(o spec.Outcome) int {
	switch {
	case o.Failed():
		return 0
	case o == spec.OutcomeInconclusive:
		return 1
	case skipped(o):
		return 3
	}
	return 2
}

func colRank(c string) int {
	switch c {
	case "host":
		return 0
	case "base":
		return 1
	}
	return 2
}

func shortPkg(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func secs(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
