package table

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFitKeepsTablesNarrow(t *testing.T) {
	t.Parallel()
	header := []string{"variant", "result", "detail"}
	long := strings.Repeat("word ", 60) + "\nsecond line"
	rows := [][]string{{"TestSteady/tiny-1llc/default", "FAIL", long}, {"TestX", "pass", "short"}}
	Fit(header, rows, 2, Width, 16)
	var buf bytes.Buffer
	if err := Write(&buf, header, rows); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if n := utf8.RuneCountInString(l); n > Width {
			t.Errorf("line of %d columns, want at most %d: %s", n, Width, l)
		}
	}
	if !strings.HasSuffix(rows[0][2], "…") || strings.Contains(rows[0][2], "second") || rows[1][2] != "short" {
		t.Errorf("cells after Fit: %q", rows)
	}
	// The widest line is exactly Width: the column got all the room left.
	if got := utf8.RuneCountInString(strings.Split(buf.String(), "\n")[0]); got != Width {
		t.Errorf("table is %d wide, want %d", got, Width)
	}
}

func TestFitMinimum(t *testing.T) {
	t.Parallel()
	rows := [][]string{{strings.Repeat("v", 200), "a detail that is long enough"}}
	Fit([]string{"variant", "detail"}, rows, 1, Width, 10)
	if rows[0][1] != "a detail …" {
		t.Errorf("detail %q, want the 10-character minimum", rows[0][1])
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 3, "abc"}, {"abcd", 3, "ab…"}, {"  x\ny", 5, "x"}, {"é€abc", 3, "é€…"}, {"abc", 0, ""}} {
		if got := Truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
