package spec

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParseResultLine feeds the guest's result-line parser arbitrary
// output lines (the guest's stdout is a test's, so anything can appear):
// it must never panic, must only claim lines that carry the prefix, and a
// result it accepts must survive a round trip through Line.
func FuzzParseResultLine(f *testing.F) {
	f.Add(ResultPrefix + `{"scheduler":"eevdf","topology":"1n1l2c1t"}`)
	f.Add("    x_test.go:12: " + ResultPrefix + `{"message":"stuck 3500ms"}`)
	f.Add(ResultPrefix + `{"steps":[{"cgroups":[{"name":"cg_0"}]}]}`)
	f.Add(ResultPrefix + `{`)
	f.Add("=== RUN   TestX")
	f.Fuzz(func(t *testing.T, line string) {
		r, ok, err := ParseResultLine(line)
		if ok != strings.Contains(line, ResultPrefix) {
			t.Fatalf("ok=%v for a line with prefix=%v", ok, strings.Contains(line, ResultPrefix))
		}
		if !ok || err != nil {
			return
		}
		again, err := r.Line()
		if err != nil {
			return // a value JSON cannot write back, e.g. a NaN threshold
		}
		back, ok, err := ParseResultLine(again)
		if !ok || err != nil || !reflect.DeepEqual(back, r) {
			t.Fatalf("round trip of %q: got %+v (ok=%v, %v), want %+v", line, back, ok, err, r)
		}
	})
}
