package budget

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseShard reads "K/N" as typed after --shard: shard K of N, 1 <= K <= N.
func ParseShard(s string) (k, n int, err error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	k, kerr := strconv.Atoi(strings.TrimSpace(ks))
	n, nerr := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || kerr != nil || nerr != nil {
		return 0, 0, fmt.Errorf("shard %q: want K/N, e.g. 1/2 for the first of two shards", s)
	}
	if err := checkShard(k, n); err != nil {
		return 0, 0, fmt.Errorf("shard %q: %w", s, err)
	}
	return k, n, nil
}

func checkShard(k, n int) error {
	switch {
	case n < 1:
		return fmt.Errorf("N is %d; want at least 1 shard", n)
	case k < 1 || k > n:
		return fmt.Errorf("K is %d; want 1 <= K <= N (%d)", k, n)
	}
	return nil
}

// Shard returns shard k of n of p: a deterministic split of p.Selected,
// balanced by estimated work (seconds x capacity share), such that shards
// 1..n together select exactly p.Selected, each variant once.
//
// Variants are dealt longest work first, each to the shard with the least
// work so far (ties to the lower shard). The shard's variants are
// rescheduled on p.Capacity (the better of longest-first list scheduling
// and p's own schedule restricted to them), so its EstWall is at most
// p.EstWall; a plan that shares boots ([Plan.ShareBoots]) has its shard
// predicted with boot sharing in p's order instead. Its LeftOut holds p.LeftOut plus the variants of the other
// shards, of kind [LeftOutShard]; Coverage counts what the shard covers.
func (p Plan) Shard(k, n int) (Plan, error) {
	if err := checkShard(k, n); err != nil {
		return Plan{}, fmt.Errorf("shard %d/%d: %w", k, n, err)
	}
	owner := dealShards(p.Selected, p.Capacity, n)
	out := Plan{Budget: p.Budget, Slots: p.Slots, Capacity: p.Capacity, LeftOut: slices.Clone(p.LeftOut), ShareBoots: p.ShareBoots}
	var mine []Assignment
	for i, a := range p.Selected {
		if owner[i] == k-1 {
			mine = append(mine, a)
			continue
		}
		out.LeftOut = append(out.LeftOut, LeftOut{a.Candidate, LeftOutShard, fmt.Sprintf("shard: selected for shard %d/%d", owner[i]+1, n)})
	}
	if p.ShareBoots {
		out.Selected, out.EstWall = rescheduleShared(mine, p.Capacity)
	} else {
		out.Selected, out.EstWall = reschedule(mine, p.Capacity)
	}
	slices.SortFunc(out.LeftOut, func(a, b LeftOut) int { return compareCandidates(&a.Candidate, &b.Candidate) })
	out.Coverage = planCoverage(out.Selected, out.LeftOut)
	return out, nil
}

// dealShards returns, for each assignment, its shard (0-based).
func dealShards(as []Assignment, c Capacity, n int) []int {
	work := func(a *Assignment) float64 { return a.Est().Seconds() * c.share(a.Weight) }
	order := make([]int, len(as))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		return cmp.Or(cmp.Compare(work(&as[y]), work(&as[x])), compareCandidates(&as[x].Candidate, &as[y].Candidate))
	})
	load := make([]float64, n)
	owner := make([]int, len(as))
	for _, i := range order {
		s := slices.Index(load, slices.Min(load))
		owner[i] = s
		load[s] += work(&as[i])
	}
	return owner
}

// reschedule places as anew on c: longest-first list scheduling, unless
// their existing starts (valid, as a subset of a valid schedule) end
// sooner.
func reschedule(as []Assignment, c Capacity) ([]Assignment, time.Duration) {
	jobs := make([]job, len(as))
	old := make([]time.Duration, len(as))
	for i, a := range as {
		jobs[i] = job{a.Cost.Total(), a.Weight}
		old[i] = a.Start
	}
	starts := listSchedule(jobs, c)
	if makespan(jobs, old) < makespan(jobs, starts) {
		starts = old
	}
	slots := assignSlots(jobs, starts)
	out := make([]Assignment, 0, len(as))
	for _, i := range scheduleOrder(starts, slots) {
		a := as[i]
		a.Start, a.Slot = starts[i], slots[i]
		out = append(out, a)
	}
	return out, makespan(jobs, starts)
}

// planCoverage counts the features sel covers out of those of sel and
// left together.
func planCoverage(sel []Assignment, left []LeftOut) Coverage {
	all := make([]Candidate, 0, len(sel)+len(left))
	for _, a := range sel {
		all = append(all, a.Candidate)
	}
	for _, l := range left {
		all = append(all, l.Candidate)
	}
	n := int32(len(sel))
	return newFeatures(all).coverage(func(i int32) bool { return i < n })
}
