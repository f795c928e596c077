package budget

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// naiveRound is greedy.round without the lazy queue: scan every
// candidate for the best key each time.
func naiveRound(g *greedy, ms []int32, r int32) {
	for !g.full() {
		best := item{key: -1}
		for _, i := range ms {
			if g.done[i] || !g.eligible(i) {
				continue
			}
			if v := g.value(i, r); v > 0 {
				if it := (item{v / g.area[i], i}); best.key < 0 || it.before(best) {
					best = it
				}
			}
		}
		if best.key < 0 {
			return
		}
		g.try(best.i)
	}
}

// TestLazyGreedyMatchesNaive checks that the lazy queue picks exactly
// what a full scan picks, round by round, gated or not.
func TestLazyGreedyMatchesNaive(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		cs := sortedCandidates(genSet{seed: seed, tests: 6, packages: 2, presets: thisHost.presets()[:5]}.generate())
		budget := time.Duration(2+seed*3) * time.Minute
		s := newSelector(cs, Options{Budget: budget, Host: tcgHost})
		all := make([]int32, len(cs))
		for i := range all {
			all[i] = int32(i)
		}
		for _, gated := range []bool{false, true} {
			lazy, naive := newGreedy(s, all, gated), newGreedy(s, all, gated)
			for r := int32(1); r <= 4; r++ {
				lazy.round(all, r)
				naiveRound(naive, all, r)
			}
			if !slices.Equal(lazy.order, naive.order) {
				t.Errorf("seed %d gated %v: lazy picked %v, naive %v", seed, gated, lazy.order, naive.order)
			}
			if len(lazy.order) < 3 {
				t.Errorf("seed %d: only %d picks; the test needs a real selection", seed, len(lazy.order))
			}
		}
	}
}

// TestRoundsSpreadLeftoverBudget checks that, once every feature is
// covered, the budget goes to the least-covered ones: with a budget for
// everything but one VM, what is left out is a variant whose features are
// all covered by others.
func TestRoundsSpreadLeftoverBudget(t *testing.T) {
	cs := smallSet()
	all, err := Select(cs, Options{Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Select(cs, Options{Budget: all.EstWall - time.Second, Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	if p.Coverage.Covered != p.Coverage.Possible {
		t.Errorf("coverage %+v with all but a second of the full plan; want every feature", p.Coverage)
	}
	if len(p.LeftOut) == 0 || len(p.Selected) < len(cs)-2 {
		t.Errorf("selected %d of %d; want all but one or two", len(p.Selected), len(cs))
	}
}

func TestMinHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	h := minHeap[int]{less: func(a, b int) bool { return a < b }}
	var want []int
	for range 200 {
		x := rng.IntN(50)
		h.push(x)
		want = append(want, x)
	}
	slices.Sort(want)
	for i, w := range want {
		if got := h.pop(); got != w {
			t.Fatalf("pop %d = %d, want %d", i, got, w)
		}
	}
	if h.len() != 0 {
		t.Errorf("heap not empty")
	}
}
