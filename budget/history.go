package budget

import (
	"cmp"
	"slices"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// historyRuns is how many of the newest measured runs per key count.
const historyRuns = 5

// History holds measured durations from earlier runs, ready to replace
// the cost model (see [EstimateCost]). A nil *History is empty.
type History struct {
	byVariant  map[variantKey]Cost
	byTopology map[topologyKey]Cost
}

type variantKey struct {
	pkg, variant string
	accel        spec.Accel
}

type topologyKey struct {
	pkg, test string
	accel     spec.Accel
	topo      topo.Topology
}

// sample is one measured run.
type sample struct {
	boot, test, total time.Duration
}

// NewHistory builds a History from earlier runs' results, in any order;
// nil entries are skipped. Only runs that ended in pass or fail count (a
// crash, panic, timeout or QEMU failure says nothing about how long the
// variant takes), and only a variant's last attempt counts (a retried
// variant's earlier attempts, [VariantResult.Attempts], are not extra
// samples). Runs are ordered by their start time (then run id) and
// only the newest 5 per key count; the estimate is their median by total
// time (the mean of the middle two for an even count), so one slow outlier
// does not move it.
func NewHistory(rs ...*Results) *History {
	runs := slices.DeleteFunc(slices.Clone(rs), func(r *Results) bool { return r == nil })
	slices.SortStableFunc(runs, func(a, b *Results) int {
		if c := a.Started.Compare(b.Started); c != 0 {
			return c
		}
		return cmp.Compare(a.RunID, b.RunID)
	})
	byVariant := map[variantKey][]sample{}
	byTopology := map[topologyKey][]sample{}
	for _, r := range runs {
		for i := range r.Variants {
			v := &r.Variants[i]
			if v.Outcome != spec.OutcomePass && v.Outcome != spec.OutcomeFail && v.Outcome != spec.OutcomeInconclusive {
				continue
			}
			s := sample{seconds(v.BootS), seconds(v.TestS), seconds(v.TotalS)}
			vk := variantKey{v.Package, v.Variant, v.Accel}
			byVariant[vk] = append(byVariant[vk], s)
			tk := topologyKey{v.Package, v.Test, v.Accel, v.Topology}
			byTopology[tk] = append(byTopology[tk], s)
		}
	}
	return &History{byVariant: medians(byVariant, SourceHistory), byTopology: medians(byTopology, SourceHistoryTopology)}
}

// Len returns how many variants have measured runs.
func (h *History) Len() int {
	if h == nil {
		return 0
	}
	return len(h.byVariant)
}

// lookup returns the measured cost of c under accel, if any.
func (h *History) lookup(c *Candidate, accel spec.Accel) (Cost, bool) {
	if h == nil {
		return Cost{}, false
	}
	if cost, ok := h.byVariant[variantKey{c.Package, c.Variant, accel}]; ok {
		return cost, true
	}
	cost, ok := h.byTopology[topologyKey{c.Package, c.Test, accel, c.Topology}]
	return cost, ok
}

// medians reduces each key's samples (oldest first) to one Cost.
func medians[K comparable](m map[K][]sample, src CostSource) map[K]Cost {
	out := make(map[K]Cost, len(m))
	for k, ss := range m {
		ss = ss[max(0, len(ss)-historyRuns):]
		out[k] = median(ss, src)
	}
	return out
}

// median returns the median sample by total time as a Cost.
func median(ss []sample, src CostSource) Cost {
	sorted := slices.Clone(ss)
	slices.SortStableFunc(sorted, func(a, b sample) int { return cmp.Compare(a.total, b.total) })
	n := len(sorted)
	m := sorted[n/2]
	if n%2 == 0 {
		a := sorted[n/2-1]
		m = sample{(a.boot + m.boot) / 2, (a.test + m.test) / 2, (a.total + m.total) / 2}
	}
	td := max(0, m.total-m.boot-m.test)
	return Cost{Boot: m.boot, Test: m.test, Teardown: td, Source: src, Runs: n}
}
