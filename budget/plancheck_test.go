package budget

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// checkPlan fails t unless p is a valid plan for cands: every candidate
// exactly once (selected or left out, with a reason of its kind), slots
// below p.Slots and never double-booked, the running VMs within capacity
// at every start, EstWall the last end and within the budget.
func checkPlan(t testing.TB, p Plan, cands []Candidate) {
	t.Helper()
	seen := map[string]int{}
	for _, c := range cands {
		seen[c.id()]++
	}
	for _, a := range p.Selected {
		seen[a.id()]--
	}
	for _, l := range p.LeftOut {
		seen[l.id()]--
		if !strings.HasPrefix(l.Reason, string(l.Kind)+": ") {
			t.Errorf("left out %s: reason %q does not start with its kind %q", l.id(), l.Reason, l.Kind)
		}
	}
	for id, n := range seen {
		if n != 0 {
			t.Errorf("candidate %s: in the plan %d times, want once", id, 1-n)
		}
	}
	var end time.Duration
	for i, a := range p.Selected {
		end = max(end, a.Start+a.Est())
		if a.Slot < 0 || a.Slot >= p.Slots {
			t.Errorf("%s: slot %d outside 0..%d", a.id(), a.Slot, p.Slots-1)
		}
		var u usage
		for j, b := range p.Selected {
			if j == i || b.Start > a.Start || b.Start+b.Est() <= a.Start {
				continue
			}
			if b.Slot == a.Slot {
				t.Errorf("%s and %s share slot %d at %s", a.id(), b.id(), a.Slot, a.Start)
			}
			u = u.add(b.Weight)
		}
		if !p.Capacity.fits(u, a.Weight) {
			t.Errorf("%s starts at %s beside VMs holding %+v: over capacity %+v", a.id(), a.Start, u, p.Capacity)
		}
	}
	if !slices.IsSortedFunc(p.Selected, func(a, b Assignment) int { return int(a.Start - b.Start) }) {
		t.Errorf("selected not sorted by start")
	}
	if end != p.EstWall {
		t.Errorf("EstWall %s, but the last VM ends at %s", p.EstWall, end)
	}
	if p.Budget > 0 && p.EstWall > p.Budget {
		t.Errorf("EstWall %s over the budget %s", p.EstWall, p.Budget)
	}
}
