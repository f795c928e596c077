package expand

import (
	"fmt"
	"regexp"
	"strings"
)

// Matcher filters tests and variants by name the way `go test -run` and
// `-skip` do: each pattern is split at slashes that are outside brackets
// and parentheses, and element i must match level i of the name (the
// name split at "/"), unanchored. The zero Matcher matches everything.
type Matcher struct {
	run, skip         []*regexp.Regexp
	runText, skipText string
}

// NewMatcher compiles the -run and -skip patterns; an empty pattern
// filters nothing. The error names the flag and the pattern.
func NewMatcher(run, skip string) (*Matcher, error) {
	m := Matcher{runText: run, skipText: skip}
	var err error
	if m.run, err = compileLevels(run); err != nil {
		return nil, fmt.Errorf("-run %q: %w", run, err)
	}
	if m.skip, err = compileLevels(skip); err != nil {
		return nil, fmt.Errorf("-skip %q: %w", skip, err)
	}
	return &m, nil
}

func compileLevels(pattern string) ([]*regexp.Regexp, error) {
	if pattern == "" {
		return nil, nil
	}
	var out []*regexp.Regexp
	for _, elem := range splitLevels(pattern) {
		re, err := regexp.Compile(elem)
		if err != nil {
			return nil, err
		}
		out = append(out, re)
	}
	return out, nil
}

// splitLevels splits a pattern at slashes outside [] and (), as the
// testing package does.
func splitLevels(s string) []string {
	var out []string
	cs, cp, start := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			cs++
		case ']':
			cs = max(cs-1, 0)
		case '(':
			if cs == 0 {
				cp++
			}
		case ')':
			if cs == 0 {
				cp = max(cp-1, 0)
			}
		case '\\':
			i++
		case '/':
			if cs == 0 && cp == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// Test reports whether the top-level test name may have something to run:
// -run's first element matches it, and -skip does not skip it whole (a
// one-element -skip that matches).
func (m *Matcher) Test(name string) bool {
	if m == nil {
		return true
	}
	if len(m.run) > 0 && !m.run[0].MatchString(name) {
		return false
	}
	return !(len(m.skip) == 1 && m.skip[0].MatchString(name))
}

// Variant reports whether a variant (or test) name is selected: every
// -run element matches its level and not every -skip element does. A
// name with fewer levels than a pattern does not match that pattern, so
// -run TestX/tiny leaves TestX's base variant out.
func (m *Matcher) Variant(name string) bool {
	if m == nil {
		return true
	}
	levels := strings.Split(name, "/")
	if len(m.run) > 0 && !matchAll(m.run, levels) {
		return false
	}
	return len(m.skip) == 0 || !matchAll(m.skip, levels)
}

func matchAll(res []*regexp.Regexp, levels []string) bool {
	if len(levels) < len(res) {
		return false
	}
	for i, re := range res {
		if !re.MatchString(levels[i]) {
			return false
		}
	}
	return true
}

// String returns the patterns, e.g. `-run "TestA" -skip ""`.
func (m *Matcher) String() string {
	if m == nil {
		return `-run "" -skip ""`
	}
	return fmt.Sprintf("-run %q -skip %q", m.runText, m.skipText)
}
