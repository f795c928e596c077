package run

import (
	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/expand"
)

// Why a variant of the matrix runs or not, for the table and the JSON.
const (
	stSelected   = "selected"
	stConstraint = "constraint"
	stCapacity   = "capacity"
	stBudget     = "budget"
	stShard      = "shard"
	stKernel     = "kernel"
	stInconcl    = "inconclusive"
)

// variantStatus is one variant's fate in the plan.
type variantStatus struct {
	Kind   string // one of the st* constants
	Reason string // "constraint: ...", "budget: ..."; empty when selected
	Assign *budget.Assignment
}

type variantKey struct{ pkg, name string }

// statuses maps every variant of the matrix to its fate.
func (pl *Plan) statuses() map[variantKey]variantStatus {
	m := map[variantKey]variantStatus{}
	for _, v := range pl.variants {
		if v.Excluded != "" {
			m[variantKey{v.Package, v.Name}] = variantStatus{Kind: excludedKind(v.Excluded), Reason: string(v.Excluded) + ": " + v.Reason}
		}
	}
	for i := range pl.plan.Selected {
		a := &pl.plan.Selected[i]
		m[variantKey{a.Package, a.Variant}] = variantStatus{Kind: stSelected, Assign: a}
	}
	for _, l := range pl.plan.LeftOut {
		m[variantKey{l.Package, l.Variant}] = variantStatus{Kind: leftOutKind(l.Kind), Reason: l.Reason}
	}
	return m
}

func excludedKind(k expand.ExclusionKind) string {
	switch k {
	case expand.ByConstraint:
		return stConstraint
	case expand.ByKernel:
		return stKernel
	case expand.ByInconclusive:
		return stInconcl
	}
	return stCapacity
}

func leftOutKind(k budget.LeftOutKind) string {
	switch k {
	case budget.LeftOutShard:
		return stShard
	case budget.LeftOutCapacity:
		return stCapacity
	}
	return stBudget
}
