package budget

import (
	"cmp"
	"slices"
	"strings"
)

// MergeResults combines the results of several runs, such as the shards
// of one plan, into one that feeds a single history: every variant of
// every run, in the order of the runs' start times. A run given twice (the
// same run id) counts once, so merging is idempotent, and the inputs'
// order does not change the result. The merged run is named by its
// parts' ids joined by "+", starts when the first did, and keeps the
// first run's host and accelerator (each variant keeps its own). It
// returns nil for no input.
func MergeResults(rs ...*Results) *Results {
	runs := slices.Clone(rs)
	slices.SortFunc(runs, func(a, b *Results) int {
		return cmp.Or(a.Started.Compare(b.Started), strings.Compare(a.RunID, b.RunID))
	})
	runs = slices.CompactFunc(runs, func(a, b *Results) bool { return a.RunID == b.RunID })
	if len(runs) == 0 {
		return nil
	}
	out := &Results{Version: ResultsVersion, Started: runs[0].Started, Host: runs[0].Host, Accel: runs[0].Accel}
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.RunID
		out.Variants = append(out.Variants, r.Variants...)
	}
	out.RunID = strings.Join(ids, "+")
	return out
}
