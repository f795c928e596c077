package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/table"
)

// maxDetail bounds the detail column so one long message does not widen
// the whole table; the full text is in JUnit.
const maxDetail = 72

// WriteResults prints one row per case: variant, topology, accelerator,
// result, boot and test seconds, and the one-line reason for anything but a
// pass. Failures come first so they are on screen when the table is long.
func WriteResults(w io.Writer, cases []Case) error {
	sorted := append([]Case(nil), cases...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return rank(sorted[i].Outcome) < rank(sorted[j].Outcome)
	})
	rows := make([][]string, 0, len(sorted))
	for _, c := range sorted {
		rows = append(rows, []string{
			c.Package, c.Variant, dash(c.Topology), dash(c.Accel), label(c.Outcome),
			secs(c.Boot), secs(c.TestTime), truncate(c.Detail(), maxDetail),
		})
	}
	return table.Write(w, []string{"package", "variant", "topology", "accel", "result", "boot", "test", "detail"}, rows)
}

// WriteMatrix prints a test x column grid (columns: host, base, then
// presets in first-seen order); each cell lists the outcomes of the
// profiles run there, e.g. "pass 3" or "FAIL 1/4".
func WriteMatrix(w io.Writer, cases []Case) error {
	type key struct{ test, col string }
	cells := map[key][]Outcome{}
	var tests, cols []string
	seenT, seenC := map[string]bool{}, map[string]bool{}
	for _, c := range cases {
		t := shortPkg(c.Package) + "." + c.Test
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

// Summary is the one line printed after the tables, e.g.
// "FAIL: 2 of 14 variants failed (1 fail, 1 timeout), 3 skipped, wall 4m10s".
func Summary(cases []Case, wall time.Duration) string {
	counts := map[Outcome]int{}
	for _, c := range cases {
		counts[c.Outcome]++
	}
	failed := 0
	var kinds []string
	for _, o := range []Outcome{Fail, Crash, KernelPanic, Timeout, QEMUFailed, AccelUnusable, NotRun} {
		if n := counts[o]; n > 0 {
			failed += n
			kinds = append(kinds, fmt.Sprintf("%d %s", n, o))
		}
	}
	tail := fmt.Sprintf("%d skipped, wall %s", counts[Skip], wall.Round(time.Second))
	if failed == 0 {
		return fmt.Sprintf("PASS: %d of %d variants passed, %s", counts[Pass], len(cases), tail)
	}
	return fmt.Sprintf("FAIL: %d of %d variants failed (%s), %s", failed, len(cases), strings.Join(kinds, ", "), tail)
}

func cell(outs []Outcome) string {
	if len(outs) == 0 {
		return "-"
	}
	bad, skipped := 0, 0
	for _, o := range outs {
		switch {
		case o.Failed():
			bad++
		case o == Skip:
			skipped++
		}
	}
	switch {
	case bad > 0:
		return fmt.Sprintf("FAIL %d/%d", bad, len(outs))
	case skipped == len(outs):
		return fmt.Sprintf("skip %d", skipped)
	case skipped > 0:
		return fmt.Sprintf("pass %d, skip %d", len(outs)-skipped, skipped)
	}
	return fmt.Sprintf("pass %d", len(outs))
}

// label is the result column: failures shout, the rest whisper.
func label(o Outcome) string {
	if o.Failed() {
		return strings.ToUpper(string(o))
	}
	return string(o)
}

func rank(o Outcome) int {
	switch {
	case o.Failed():
		return 0
	case o == Skip:
		return 2
	}
	return 1
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

func truncate(s string, n int) string {
	s = firstLine(s)
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
