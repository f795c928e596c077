package budget

import (
	"fmt"
	"time"
)

// greedy is the budgeted selection of [Select]: lazy greedy by value per
// cost on a frontier schedule.
type greedy struct {
	s        *selector
	budget   time.Duration
	area     []float64 // cost: seconds x capacity share, by candidate
	count    []int32   // how often each feature is covered
	f        frontier
	done     []bool // selected or rejected
	order    []int32
	starts   []time.Duration
	rejected []int32
	live     []int32 // runnable candidates not done, in index order
	minDur   time.Duration
	minW     Weight // the least cores and memory of any candidate

	// gate[i] is the base variant that must be selected before i may
	// be, or -1; waiting[b] are the candidates gated by base b.
	gate     []int32
	waiting  map[int32][]int32
	selected []bool
}

// newGreedy prepares the selection of runnable candidates. With gated, a
// test's other variants become eligible only once its base variant is
// selected.
func newGreedy(s *selector, runnable []int32, gated bool) *greedy {
	g := &greedy{
		s:        s,
		budget:   s.opts.Budget,
		area:     make([]float64, len(s.cs)),
		count:    make([]int32, len(s.feats.keys)),
		f:        frontier{cap: s.cap},
		done:     make([]bool, len(s.cs)),
		selected: make([]bool, len(s.cs)),
		live:     runnable,
	}
	g.gate, g.waiting = s.gates(runnable, gated)
	for k, i := range runnable {
		j := s.jobs[i]
		g.area[i] = j.dur.Seconds() * s.cap.share(j.w)
		if k == 0 {
			g.minDur, g.minW = j.dur, j.w
		}
		g.minDur = min(g.minDur, j.dur)
		g.minW = Weight{CPUs: min(g.minW.CPUs, j.w.CPUs), MemoryMiB: min(g.minW.MemoryMiB, j.w.MemoryMiB)}
	}
	return g
}

// phase selects among the live candidates for which member is true, in
// rounds (see [Select]) until each is selected or rejected.
func (g *greedy) phase(member func(int32) bool) {
	var ms []int32
	for _, i := range g.live {
		if member(i) {
			ms = append(ms, i)
		}
	}
	for round := int32(1); len(ms) > 0; {
		g.round(ms, round)
		ms = g.undone(ms)
		if g.full() {
			g.reject(ms)
			ms = nil
		}
		if len(ms) > 0 {
			ms = g.rejectOrphans(ms)
		}
		if len(ms) > 0 {
			round = g.nextRound(ms)
		}
	}
	g.live = g.undone(g.live)
}

// eligible reports whether i's gate, if any, is open.
func (g *greedy) eligible(i int32) bool { return g.gate[i] < 0 || g.selected[g.gate[i]] }

// rejectOrphans rejects the candidates of ms whose base variant was
// rejected and returns the others.
func (g *greedy) rejectOrphans(ms []int32) []int32 {
	out := ms[:0:0]
	for _, i := range ms {
		if b := g.gate[i]; b >= 0 && g.done[b] && !g.selected[b] {
			g.reject([]int32{i})
			continue
		}
		out = append(out, i)
	}
	return out
}

// round runs lazy greedy over ms valuing features covered fewer than r
// times. Values only fall as coverage grows, so a popped candidate whose
// recomputed key still beats the next key in the queue is the best.
func (g *greedy) round(ms []int32, r int32) {
	if g.full() {
		return
	}
	h := make(itemHeap, 0, len(ms))
	for _, i := range ms {
		if v := g.value(i, r); v > 0 && !g.done[i] && g.eligible(i) {
			h = append(h, item{v / g.area[i], i})
		}
	}
	h.init()
	for len(h) > 0 && !g.full() {
		it := h.pop()
		v := g.value(it.i, r)
		if v == 0 || g.done[it.i] {
			continue
		}
		now := item{v / g.area[it.i], it.i}
		if len(h) > 0 && h[0].before(now) {
			h.push(now)
			continue
		}
		if g.try(it.i) {
			g.open(&h, it.i, r)
		}
	}
}

// open queues the candidates waiting for base b, now selected.
func (g *greedy) open(h *itemHeap, b, r int32) {
	for _, i := range g.waiting[b] {
		if v := g.value(i, r); v > 0 && !g.done[i] {
			h.push(item{v / g.area[i], i})
		}
	}
}

// value sums the weights of i's features covered fewer than r times.
func (g *greedy) value(i, r int32) float64 {
	var v float64
	for _, id := range g.s.feats.of(i) {
		if g.count[id] < r {
			v += g.s.feats.weight(id)
		}
	}
	return v
}

// nextRound returns the first round in which some of ms has value: one
// more than the least coverage count of the features of the eligible
// ones. Some are: a candidate still waiting for its base has that base,
// undecided and eligible, in ms too (rejectOrphans removed the others).
func (g *greedy) nextRound(ms []int32) int32 {
	least := int32(-1)
	for _, i := range ms {
		if !g.eligible(i) {
			continue
		}
		for _, id := range g.s.feats.of(i) {
			if least < 0 || g.count[id] < least {
				least = g.count[id]
			}
		}
	}
	return least + 1
}

// try selects i if it ends within the budget after those already placed;
// otherwise rejects it for good, since the frontier only moves later.
func (g *greedy) try(i int32) bool {
	j := g.s.jobs[i]
	if g.f.earliest(j.w)+j.dur > g.budget {
		g.reject([]int32{i})
		return false
	}
	g.starts = append(g.starts, g.f.place(j.w, j.dur))
	g.order = append(g.order, i)
	g.done[i], g.selected[i] = true, true
	for _, id := range g.s.feats.of(i) {
		g.count[id]++
	}
	return true
}

// full reports whether no candidate fits any more: not even one as short
// as the shortest and as small as the smallest.
func (g *greedy) full() bool { return g.f.earliest(g.minW)+g.minDur > g.budget }

func (g *greedy) reject(is []int32) {
	for _, i := range is {
		if !g.done[i] {
			g.done[i] = true
			g.rejected = append(g.rejected, i)
		}
	}
}

func (g *greedy) undone(is []int32) []int32 {
	out := is[:0:0]
	for _, i := range is {
		if !g.done[i] {
			out = append(out, i)
		}
	}
	return out
}

// topUpTries bounds how many rejected candidates [greedy.topUp] tries:
// each try packs the whole selection again.
const topUpTries = 64

// topUp selects rejected candidates that fit after all. The frontier
// never starts a job before the previous one, so when VMs of different
// weights mix (a 1-core single-threaded TCG guest beside 2-core ones) it
// leaves holes that the final longest-first schedule with backfill
// ([listSchedule]) fills. topUp tries the rejected candidates in the order
// they were rejected (the most valuable first), at most topUpTries of
// them, and keeps each whose addition leaves that schedule within the
// budget. Base gating still holds. Once it adds one, the plan uses the
// list schedule (g.starts becomes nil).
func (g *greedy) topUp() {
	jobs := make([]job, 0, len(g.order)+1)
	for _, i := range g.order {
		jobs = append(jobs, g.s.jobs[i])
	}
	end := makespan(jobs, listSchedule(jobs, g.s.cap))
	still, tries := g.rejected[:0:0], 0
	for _, i := range g.rejected {
		j := g.s.jobs[i]
		if tries >= topUpTries || g.budget-end < g.minDur || j.dur > g.budget || !g.eligible(i) {
			still = append(still, i)
			continue
		}
		tries++
		with := append(jobs, j)
		if e := makespan(with, listSchedule(with, g.s.cap)); e <= g.budget {
			jobs, end = with, e
			g.order, g.starts = append(g.order, i), nil
			g.selected[i] = true
			for _, id := range g.s.feats.of(i) {
				g.count[id]++
			}
			continue
		}
		still = append(still, i)
	}
	g.rejected = still
}

// explain sets the Kind and Reason of every rejected candidate in why.
func (g *greedy) explain(why []LeftOut) {
	r := budgetReasons{g.s, &g.f, map[reasonKey]string{}}
	orphan := map[int32]string{} // by base
	for _, i := range g.rejected {
		why[i].Kind, why[i].Reason = LeftOutBudget, r.of(i)
		if b := g.gate[i]; b >= 0 && !g.selected[b] && g.s.jobs[i].dur <= g.budget {
			if orphan[b] == "" {
				orphan[b] = fmt.Sprintf("budget: its base variant %s does not fit, and a test's base variant runs before its other variants", g.s.cs[b].Variant)
			}
			why[i].Reason = orphan[b]
		}
	}
}

// item is a queue entry: a candidate and its (possibly stale) key.
type item struct {
	key float64
	i   int32
}

// before orders items: higher key first, then lower index (name order).
func (a item) before(b item) bool { return a.key > b.key || (a.key == b.key && a.i < b.i) }

// itemHeap is a binary heap of items, best first.
type itemHeap []item

func (h itemHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *itemHeap) push(x item) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].before(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *itemHeap) pop() item {
	s := *h
	top := s[0]
	s[0] = s[len(s)-1]
	*h = s[:len(s)-1]
	h.down(0)
	return top
}

func (h itemHeap) down(i int) {
	for {
		l, best := 2*i+1, i
		if l < len(h) && h[l].before(h[best]) {
			best = l
		}
		if r := l + 1; r < len(h) && h[r].before(h[best]) {
			best = r
		}
		if best == i {
			return
		}
		h[i], h[best] = h[best], h[i]
		i = best
	}
}
