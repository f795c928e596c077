package report

import (
	"bytes"

	"github.com/jstemmer/go-junit-report/v2/gtr"
	"github.com/jstemmer/go-junit-report/v2/parser/gotest"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// HostCases returns a case for each of tests (plain host tests of package
// pkg) from out, the `go test -v` output of a run of the package's test
// binary. A test the output does not show finishing is reported as a crash
// (the binary died before reaching it or while it ran).
func HostCases(pkg string, out []byte, tests []string) []Case {
	found := map[string]gtr.Result{}
	if rep, err := gotest.NewParser(gotest.PackageName(pkg)).Parse(bytes.NewReader(out)); err == nil {
		for _, p := range rep.Packages {
			for _, t := range p.Tests {
				found[t.Name] = t.Result
			}
		}
	}
	cases := make([]Case, 0, len(tests))
	for _, name := range tests {
		c := Case{Package: pkg, Test: name, Variant: name, Output: out}
		switch found[name] {
		case gtr.Pass:
			c.Outcome = spec.OutcomePass
		case gtr.Fail:
			c.Outcome = spec.OutcomeFail
		case gtr.Skip:
			c.Outcome = spec.OutcomeSkip
		default:
			c.Outcome, c.Message = spec.OutcomeCrash, "no result: the test binary stopped before this test finished"
		}
		cases = append(cases, c)
	}
	return cases
}
