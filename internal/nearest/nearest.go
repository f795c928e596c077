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

// distance is the edit distance between a and b, over bytes: inserts,
// deletes, substitutions and swaps of two adjacent bytes ("biuld" for
// "build", the commonest typo) cost one each (the optimal string
// alignment distance).
func distance(a, b string) int {
	prev2 := make([]int, len(b)+1)
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
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
