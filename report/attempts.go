package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// attemptProp numbers an attempt in its facts block, so the order of
// attempts survives a file that groups them by element.
const attemptProp = "gauntlet.attempt"

// addAttempts writes c's earlier attempts into its testcase the way
// Surefire and nextest do: when c passed in the end (flaky), one
// <flakyFailure> (or <flakyError>, for attempts that ended without the
// test's verdict) per failed attempt next to no <failure>; when every
// attempt failed, the last attempt is the <failure> or <error> and each
// earlier one a <rerunFailure> or <rerunError>. Each element carries the
// attempt's message and type like <failure> does, its test output (and
// console tail) as the stack trace, and its facts block as system-out,
// so reading the file back restores the attempt.
func addAttempts(tc *Testcase, c Case) {
	for i, a := range c.Attempts {
		a.Properties = append(slices.Clip(a.Properties), Property{Name: attemptProp, Value: strconv.Itoa(i + 1)})
		r := XMLRerun{
			Message:    orDefault(a.Detail(), string(a.Outcome)),
			Type:       attemptType(a),
			StackTrace: XMLOutput{Data: clean(withConsole(a, mainText(a, parseTests(a))))},
			SystemOut:  &XMLOutput{Data: clean(factsBlock(a))},
		}
		verdict := a.Outcome == spec.OutcomeFail
		switch {
		case c.Flaky() && verdict:
			tc.FlakyFailures = append(tc.FlakyFailures, r)
		case c.Flaky():
			tc.FlakyErrors = append(tc.FlakyErrors, r)
		case verdict:
			tc.RerunFailures = append(tc.RerunFailures, r)
		default:
			tc.RerunErrors = append(tc.RerunErrors, r)
		}
	}
}

// attemptType is the type attribute of an attempt's element: what
// <failure> or <error> would carry for it.
func attemptType(a Case) string {
	if a.Outcome == spec.OutcomeFail {
		return failureType(a)
	}
	return string(a.Outcome)
}

// attemptsFromTestcase reads the earlier attempts of a testcase back, in
// the order they were written: the facts block in an element's
// system-out (gauntlet's own files) gives the attempt's outcome and
// facts; otherwise (other tools' files) its type, read as an outcome
// when it is one, says fail for a *Failure element and crash for an
// *Error one.
func attemptsFromTestcase(pkg string, tc Testcase) []Case {
	var out []Case
	add := func(rs []XMLRerun, def spec.Outcome) {
		for _, r := range rs {
			a := Case{Package: pkg, Variant: tc.Name, Outcome: outcomeOf(r.Type, def), Message: r.Message, Output: []byte(r.StackTrace.Data)}
			a.Test, _, _ = strings.Cut(tc.Name, "/")
			if r.SystemOut != nil {
				if m := headerLine.FindStringSubmatch(r.SystemOut.Data); m != nil && m[1] == tc.Name {
					a.Outcome = outcomeOf(m[2], a.Outcome)
					readFacts(&a, strings.Fields(m[3]))
					a.Properties = readProperties(r.SystemOut.Data)
				}
			}
			out = append(out, a)
		}
	}
	add(tc.FlakyFailures, spec.OutcomeFail)
	add(tc.FlakyErrors, spec.OutcomeCrash)
	add(tc.RerunFailures, spec.OutcomeFail)
	add(tc.RerunErrors, spec.OutcomeCrash)
	slices.SortStableFunc(out, func(a, b Case) int { return cmp.Compare(attemptNumber(a), attemptNumber(b)) })
	for i := range out {
		out[i].Properties = slices.DeleteFunc(out[i].Properties, func(p Property) bool { return p.Name == attemptProp })
	}
	return out
}

// attemptNumber is the attempt's number from its facts (0 if none).
func attemptNumber(a Case) int {
	for _, p := range a.Properties {
		if p.Name == attemptProp {
			n, _ := strconv.Atoi(p.Value)
			return n
		}
	}
	return 0
}

// AttemptsNote says what the attempts of a case booted more than once
// did: "flaky: passed on attempt 2 of 2; attempt 1: MESSAGE", or "failed
// all 3 attempts" for a variant that never passed; "" for one attempt.
func (c Case) AttemptsNote() string {
	if len(c.Attempts) == 0 {
		return ""
	}
	if c.Flaky() {
		first := c.Attempts[0]
		return fmt.Sprintf("flaky: passed on attempt %d of %d; attempt 1: %s", c.Tries(), c.Tries(), orDefault(first.Detail(), string(first.Outcome)))
	}
	return fmt.Sprintf("failed all %d attempts", c.Tries())
}
