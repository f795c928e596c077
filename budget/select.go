package budget

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Select chooses the candidates to run for opts and predicts their
// schedule. It is deterministic: the same candidates (in any order) and
// options give the same plan.
//
// With no budget every candidate the host can run is selected. With a
// budget B, base variants come first: if every test's base variant fits,
// they are all selected before any other variant. If not, the budget is
// tight and all candidates compete, but a test's other variants become
// eligible only once its base variant is selected (so no test runs a
// preset without its base); a variant whose base does not fit is left out
// for that reason. Candidates are taken by value per cost (lazy greedy on
// a priority queue, ties by Package, Variant, Kernel):
//
//   - value is the summed weight of the candidate's features (single 4,
//     pairwise 1) not yet covered; once no candidate left adds one,
//     selection goes on in rounds, where round r values the features
//     covered fewer than r times, so leftover budget goes to the least-tested
//     combinations instead of being left unused as in ktstr;
//   - cost is estimated seconds x the largest share of the [Capacity] the
//     VM holds (cores, memory or one job slot): what it uses up of the
//     host's time.
//
// A candidate is taken only if, placed after those already taken (each
// starts at the first moment it fits, no earlier than the one taken
// before it), it ends within B. The final schedule is the better of that
// one and longest-first list scheduling of the same set, so the predicted
// makespan never exceeds B.
//
// With [Options.ShareBoots], candidates with the same [Candidate.BootKey]
// may run back to back in one VM, the later ones for their test and
// teardown only (see share.go for how the runner is predicted). The
// selection above is predicted that way in its schedule's order; with a
// budget, the room the shared boots free goes to the rejected candidates
// (those of a selected boot key first, in the order they were rejected)
// while the prediction stays within B. The assignments say which share a
// boot ([Assignment.SharedBoot]), and EstWall is the prediction. Should
// the prediction of the selection exceed B (starting in order leaves holes
// the list schedule backfills), the plan keeps the schedule without
// sharing.
//
// The error is for bad input only and names it: invalid options, an
// invalid candidate, or two candidates with the same Package, Variant and
// Kernel.
func Select(cands []Candidate, opts Options) (Plan, error) {
	if err := opts.validate(); err != nil {
		return Plan{}, err
	}
	cs := sortedCandidates(cands)
	if err := validateCandidates(cs); err != nil {
		return Plan{}, err
	}
	return newSelector(cs, opts).plan(), nil
}

// sortedCandidates returns a copy of cs sorted by Package, Variant,
// Kernel. It sorts indices, not the large structs.
func sortedCandidates(cs []Candidate) []Candidate {
	if slices.IsSortedFunc(cs, func(a, b Candidate) int { return compareCandidates(&a, &b) }) {
		return slices.Clone(cs)
	}
	perm := make([]int32, len(cs))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int { return compareCandidates(&cs[a], &cs[b]) })
	out := make([]Candidate, len(cs))
	for k, i := range perm {
		out[k] = cs[i]
	}
	return out
}

// selector holds one Select call's working data, indexed like cs.
type selector struct {
	cs    []Candidate
	opts  Options
	cap   Capacity
	costs []Cost
	jobs  []job
	feats *features
	// share is set when the plan counts boot sharing
	// ([Options.ShareBoots] and candidates with the same BootKey);
	// boots numbers each candidate's boot key and files (see [bootGroups]).
	share bool
	boots *bootSets
}

func newSelector(cs []Candidate, opts Options) *selector {
	s := &selector{
		cs:    cs,
		opts:  opts,
		cap:   NewCapacity(opts.Host, opts.Jobs),
		costs: make([]Cost, len(cs)),
		jobs:  make([]job, len(cs)),
		feats: newFeatures(cs),
	}
	for i := range cs {
		if opts.costModel != nil {
			s.costs[i] = opts.costModel(&cs[i])
		} else {
			s.costs[i] = EstimateCost(cs[i], opts.Host, opts.History)
		}
		s.jobs[i] = job{dur: s.costs[i].Total(), w: s.cap.Weigh(cs[i].Topology, cs[i].guestMemoryMiB())}
	}
	if opts.ShareBoots {
		s.boots, s.share = bootGroups(cs)
	}
	return s
}

// plan selects, schedules and assembles the Plan.
func (s *selector) plan() Plan {
	p := Plan{Budget: s.opts.Budget, Slots: s.cap.Jobs, Capacity: s.cap}
	why := make([]LeftOut, len(s.cs)) // Kind and Reason of each left-out candidate
	var runnable []int32
	for i := range s.cs {
		if err := s.cap.fitsAlone(s.jobs[i].w); err != nil {
			why[i] = LeftOut{Kind: LeftOutCapacity, Reason: err.Error()}
			continue
		}
		runnable = append(runnable, int32(i))
	}
	chosen, fstarts := runnable, []time.Duration(nil)
	var g *greedy
	if s.opts.Budget > 0 {
		isBase := func(i int32) bool { return s.cs[i].Base }
		g = newGreedy(s, runnable, true)
		if s.mayAllFit(runnable, isBase) {
			g = newGreedy(s, runnable, false)
			if g.phase(isBase); len(g.rejected) > 0 {
				g = newGreedy(s, runnable, true)
			}
		}
		g.phase(func(int32) bool { return true })
		g.topUp()
		chosen, fstarts = g.order, g.starts
	}
	var order []int32
	p.Selected, p.EstWall, order = s.schedule(chosen, fstarts)
	if s.share {
		chosen = s.shareBoots(&p, g, order)
	}
	if g != nil {
		g.explain(why)
	}
	picked := make([]bool, len(s.cs))
	for _, i := range chosen {
		picked[i] = true
	}
	p.LeftOut = make([]LeftOut, 0, len(s.cs)-len(chosen))
	for i := range s.cs {
		if !picked[i] {
			p.LeftOut = append(p.LeftOut, LeftOut{s.cs[i], why[i].Kind, why[i].Reason})
		}
	}
	p.Coverage = s.feats.coverage(func(i int32) bool { return picked[i] })
	return p
}

// mayAllFit reports whether the candidates for which member is true might
// all fit in the budget: false when, in some dimension of the capacity
// (cores, memory, job slots), their work alone exceeds what the budget
// offers.
func (s *selector) mayAllFit(runnable []int32, member func(int32) bool) bool {
	var cpu, mem, jobs float64
	for _, i := range runnable {
		if j := s.jobs[i]; member(i) {
			d := j.dur.Seconds()
			cpu += d * float64(j.w.CPUs) / float64(s.cap.CPUs)
			jobs += d / float64(s.cap.Jobs)
			if s.cap.MemoryMiB > 0 {
				mem += d * float64(j.w.MemoryMiB) / float64(s.cap.MemoryMiB)
			}
		}
	}
	b := s.opts.Budget.Seconds()
	return cpu <= b && mem <= b && jobs <= b
}

// gates returns, for each candidate, the index of its test's base variant
// (same package, test and kernel) when gated and that base is among
// runnable, else -1; and the candidates waiting for each base.
func (s *selector) gates(runnable []int32, gated bool) ([]int32, map[int32][]int32) {
	gate := make([]int32, len(s.cs))
	for i := range gate {
		gate[i] = -1
	}
	if !gated {
		return gate, nil
	}
	bases := map[[3]string]int32{}
	for _, i := range runnable {
		if c := &s.cs[i]; c.Base {
			bases[[3]string{c.Package, c.Test, c.Kernel}] = i
		}
	}
	waiting := map[int32][]int32{}
	for _, i := range runnable {
		c := &s.cs[i]
		if b, ok := bases[[3]string{c.Package, c.Test, c.Kernel}]; ok && !c.Base {
			gate[i] = b
			waiting[b] = append(waiting[b], i)
		}
	}
	return gate, waiting
}

// schedule returns the assignments of chosen, the makespan and chosen in
// the assignments' order: the longest-first list schedule, or the
// frontier schedule fstarts (nil when there is none) when that one ends
// sooner.
func (s *selector) schedule(chosen []int32, fstarts []time.Duration) ([]Assignment, time.Duration, []int32) {
	jobs := make([]job, len(chosen))
	for k, i := range chosen {
		jobs[k] = s.jobs[i]
	}
	starts := listSchedule(jobs, s.cap)
	if fstarts != nil && makespan(jobs, fstarts) < makespan(jobs, starts) {
		starts = fstarts
	}
	slots := assignSlots(jobs, starts)
	out := make([]Assignment, 0, len(chosen))
	order := make([]int32, 0, len(chosen))
	for _, k := range scheduleOrder(starts, slots) {
		i := chosen[k]
		out = append(out, Assignment{Candidate: s.cs[i], Cost: s.costs[i], Weight: s.jobs[i].w, Slot: slots[k], Start: starts[k]})
		order = append(order, i)
	}
	return out, makespan(jobs, starts), order
}

// shareBoots predicts p's selection, in order, run with boot sharing;
// with a budget (g not nil) it adds the rejected candidates that fit in
// the room the shared boots free. When the prediction ends within the
// budget it replaces p's schedule (p.ShareBoots). It returns the
// selection.
func (s *selector) shareBoots(p *Plan, g *greedy, order []int32) []int32 {
	sp := s.simulate(order)
	if g != nil && sp.end <= g.budget {
		sp = g.shareTopUp(sp)
	}
	if s.opts.Budget > 0 && sp.end > s.opts.Budget {
		return order // the runner shares anyway; the estimate stays the fresh VMs'
	}
	p.Selected, p.EstWall, p.ShareBoots = s.assignments(sp), sp.end, true
	return sp.order
}

// scheduleOrder returns job indices by start, then slot, then index. It
// sorts ints, not the large assignments.
func scheduleOrder(starts []time.Duration, slots []int) []int {
	order := make([]int, len(starts))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(starts[a], starts[b]), cmp.Compare(slots[a], slots[b]), cmp.Compare(a, b))
	})
	return order
}

// budgetReasons explains why candidates left out do not fit in the
// budget, given the frontier after selection. Candidates of the same cost
// and weight share one reason string.
type budgetReasons struct {
	s     *selector
	f     *frontier
	cache map[reasonKey]string
}

type reasonKey struct {
	c Cost
	w Weight
}

func (r *budgetReasons) of(i int32) string {
	k := reasonKey{r.s.costs[i], r.s.jobs[i].w}
	if why, ok := r.cache[k]; ok {
		return why
	}
	c, b := k.c, r.s.opts.Budget
	why := fmt.Sprintf("budget: estimated %s alone (%s), more than the %s budget", short(c.Total()), costParts(c), short(b))
	if c.Total() <= b {
		end := r.f.earliest(k.w) + c.Total()
		why = fmt.Sprintf("budget: estimated %s (%s); after the more valuable variants it would end the plan at %s, past the %s budget",
			short(c.Total()), costParts(c), short(end), short(b))
	}
	r.cache[k] = why
	return why
}

// costParts prints a cost's phases and source.
func costParts(c Cost) string {
	s := fmt.Sprintf("boot %s + test %s + teardown %s, %s", short(c.Boot), short(c.Test), short(c.Teardown), c.Source)
	if c.Runs > 0 {
		s += fmt.Sprintf(" of %d runs", c.Runs)
	}
	return s
}
