package budget

import (
	"time"
)

// Plan is the outcome of [Select]: which candidates run, when and in which
// slot, and why every other candidate does not.
type Plan struct {
	// Budget is the budget the plan was made for; zero means none.
	Budget time.Duration
	// Slots is the most VMs that run at once; every Assignment.Slot is
	// below it. The VMs running at once also share Capacity.
	Slots int
	// Capacity is what concurrently running VMs share.
	Capacity Capacity
	// Selected are the variants to run, by predicted start, then slot.
	Selected []Assignment
	// LeftOut are the candidates not selected, in Package, Variant, Kernel
	// order, each with its reason.
	LeftOut []LeftOut
	// EstWall is the predicted wall time of the whole plan (its makespan);
	// never more than Budget when a budget is set.
	EstWall time.Duration
	// Coverage counts the features the selection covers.
	Coverage Coverage
	// ShareBoots is set when the schedule counts boot sharing
	// ([Options.ShareBoots]): some assignments run in a VM booted for an
	// earlier one ([Assignment.SharedBoot], [Plan.SharedBoots]).
	ShareBoots bool
}

// Assignment is a selected candidate with its predicted place in the run.
type Assignment struct {
	Candidate
	// Cost is the estimated wall time of the variant in a VM of its
	// own; [Assignment.Est] is what the plan counts.
	Cost Cost
	// Weight is what the VM holds of the Capacity while it runs.
	Weight Weight
	// Slot is the lane the VM runs in, 0 to Slots-1.
	Slot int
	// Start is the predicted start, as an offset from the run's start.
	Start time.Duration
	// SharedBoot is set when the plan expects the variant to run in the
	// VM that ran the variant before it in its slot, booted for an
	// earlier variant of the same BootKey: it costs no boot.
	SharedBoot bool
}

// LeftOutKind says why a candidate was left out.
type LeftOutKind string

// Reasons a candidate is left out.
const (
	// LeftOutBudget: it does not fit in the budget after the more
	// valuable candidates.
	LeftOutBudget LeftOutKind = "budget"
	// LeftOutCapacity: the host cannot run it at all (not enough memory).
	LeftOutCapacity LeftOutKind = "capacity"
	// LeftOutShard: it is selected, but runs in another shard.
	LeftOutShard LeftOutKind = "shard"
)

// LeftOut is a candidate that is not selected.
type LeftOut struct {
	Candidate
	Kind LeftOutKind
	// Reason is one line starting with the kind, e.g. "budget: estimated
	// 28.3s; it would end the plan at 20m14s, past the 20m budget".
	Reason string
}

// Coverage counts features (see the Features section of the package
// documentation) covered by the selected candidates, out of those the
// candidates offer.
type Coverage struct {
	Covered, Possible             int
	SingleCovered, SinglePossible int
	PairCovered, PairPossible     int
}

// coverage counts the features of the candidates for which sel is true.
func (f *features) coverage(sel func(i int32) bool) Coverage {
	seen := make([]bool, len(f.keys))
	var c Coverage
	for _, k := range f.keys {
		if k.kind.single() {
			c.SinglePossible++
		} else {
			c.PairPossible++
		}
	}
	for i := int32(0); i < int32(len(f.off)-1); i++ {
		if !sel(i) {
			continue
		}
		for _, id := range f.of(i) {
			if seen[id] {
				continue
			}
			seen[id] = true
			if f.keys[id].kind.single() {
				c.SingleCovered++
			} else {
				c.PairCovered++
			}
		}
	}
	c.Covered, c.Possible = c.SingleCovered+c.PairCovered, c.SinglePossible+c.PairPossible
	return c
}

// short prints a duration rounded to a tenth of a second.
func short(d time.Duration) string { return d.Round(100 * time.Millisecond).String() }
