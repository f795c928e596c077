// Package nearest suggests the valid name a mistyped one was meant to be,
// for "did you mean" hints in error messages.
package nearest

// Name returns the candidate closest to name by edit distance, when it is
// close enough to be a plausible typo (at most a third of name's length,
// and at least one edit allowed), else "".
func Name(name string, candidates []string) string {
	best, bestD := "", len(name)/3+1
	for _, c := range candidates {
		if d := distance(name, c); d < bestD || (d == bestD && best != "" && c < best) {
			best, bestD = c, d
		}
	}
	if bestD > len(name)/3+1 || best == name {
		return ""
	}
	return best
}

// Hint is ` (did you mean "X"?)` for [Name]'s answer, or "".
func Hint(name string, candidates []string) string {
	if n := Name(name, candidates); n != "" {
		return ` (did you mean "` + n + `"?)`
	}
	return ""
}

// distance is the Levenshtein distance between a and b, over bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
