package run

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet/expand"
)

// repeatVariants repeats every variant that may run count times, like
// go test -count: repeat k (from 2) follows the first, named
// [repeatName]. Excluded variants are listed once.
func repeatVariants(vs []expand.Variant, count int) []expand.Variant {
	if count <= 1 {
		return vs
	}
	out := make([]expand.Variant, 0, len(vs)*count)
	for _, v := range vs {
		out = append(out, v)
		if v.Excluded != "" {
			continue
		}
		for k := 2; k <= count; k++ {
			r := v
			r.Name = repeatName(v.Name, k)
			out = append(out, r)
		}
	}
	return out
}

// repeatName names repeat k of a variant: "TestX/tiny-1llc/default#2".
// The names are stable (the same for the same -count) and unique, so
// each repeat is its own JUnit testcase, history entry and shard item.
func repeatName(name string, k int) string { return fmt.Sprintf("%s#%d", name, k) }
