package run

import (
	"regexp"
	"strings"
)

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._+-]+`)

// slugify makes a file name from a package and variant name.
func slugify(s string) string { return strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_") }

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
