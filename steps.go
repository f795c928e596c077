package gauntlet

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
)

// Step is one phase of a scenario run by [Ctx.ExecuteSteps]: create the
// cgroups in Defs (starting their workers), apply Ops in order, release
// the new workers together, then hold. Cgroups and workers live on into
// later steps until an op removes or stops them, or the scenario ends.
type Step struct {
	// Defs are the cgroups the step creates at the top level.
	Defs []CgroupDef
	// Ops are the changes the step applies, in order, after creating
	// Defs.
	Ops []Op
	// Hold is how long the step lasts; the zero value holds for the full
	// scenario duration.
	Hold Hold
}

func (st Step) lower() guest.StepSpec {
	ops := make([]guest.OpSpec, len(st.Ops))
	for i, o := range st.Ops {
		ops[i] = o.s
	}
	return guest.StepSpec{Defs: lowerDefs(st.Defs), Ops: ops, Hold: st.Hold.s}
}

// Hold says how long a step lasts: a fraction of the scenario duration
// ([Ctx.Duration]) or a fixed time, optionally re-applying the step's ops
// every interval (a loop). The zero value is the full duration without a
// loop.
type Hold struct {
	s guest.HoldSpec
}

// HoldFull holds for the whole scenario duration.
func HoldFull() Hold { return Hold{guest.HoldSpec{Frac: 1}} }

// HoldFraction holds for f (above 0) times the scenario duration.
func HoldFraction(f float64) Hold { return Hold{guest.HoldSpec{Frac: f}} }

// HoldFor holds for d, whatever the scenario duration.
func HoldFor(d time.Duration) Hold { return Hold{guest.HoldSpec{Fixed: d}} }

// HoldLoop holds for the whole duration, re-applying the step's ops every
// interval (at least 1ms).
func HoldLoop(every time.Duration) Hold { return Hold{guest.HoldSpec{Frac: 1, Every: every}} }

// Loop returns h re-applying the step's ops every interval (at least 1ms)
// while it holds.
func (h Hold) Loop(every time.Duration) Hold { h.s.Every = every; return h }

// String describes h, e.g. "full" or "0.50 of duration, loop 100ms".
func (h Hold) String() string { return h.s.String() }

// Op is one change a [Step] applies to running cgroups. Ops name cgroups
// by their path below the scenario, "outer/inner" for nested ones.
type Op struct {
	s guest.OpSpec
}

// AddCgroup creates the cgroup d at the top level and starts its workers.
func AddCgroup(d CgroupDef) Op { return Op{guest.OpSpec{Kind: guest.OpAdd, Name: d.s.Name, Def: d.s}} }

// RemoveCgroup stops the workers of cgroup name and its children (their
// reports still count) and removes the cgroups.
func RemoveCgroup(name string) Op { return Op{guest.OpSpec{Kind: guest.OpRemove, Name: name}} }

// SetCpuset gives cgroup name a new cpuset, resolved within its parent's
// CPUs. The isolation check follows the move.
func SetCpuset(name string, c CpusetSpec) Op {
	return Op{guest.OpSpec{Kind: guest.OpSetCpuset, Name: name, Cpuset: c.s}}
}

// ClearCpuset makes cgroup name use its parent's CPUs again.
func ClearCpuset(name string) Op { return Op{guest.OpSpec{Kind: guest.OpClearCpuset, Name: name}} }

// SwapCpusets exchanges the cpusets of cgroups a and b.
func SwapCpusets(a, b string) Op {
	return Op{guest.OpSpec{Kind: guest.OpSwapCpusets, Name: a, Other: b}}
}

// Spawn starts n more workers in leaf cgroup name, doing its work type.
func Spawn(name string, n int) Op { return Op{guest.OpSpec{Kind: guest.OpSpawn, Name: name, N: n}} }

// StopWorkers stops the workers of cgroup name and keeps the cgroup.
func StopWorkers(name string) Op { return Op{guest.OpSpec{Kind: guest.OpStop, Name: name}} }

// SetAffinity re-pins the running workers of cgroup name; their cgroup is
// no longer compared for fairness.
func SetAffinity(name string, a AffinitySpec) Op {
	return Op{guest.OpSpec{Kind: guest.OpSetAffinity, Name: name, Affinity: a.s}}
}

// MoveAllTasks moves every running worker of cgroup from into leaf
// cgroup to; neither is compared for fairness afterwards.
func MoveAllTasks(from, to string) Op {
	return Op{guest.OpSpec{Kind: guest.OpMoveAll, Name: from, Other: to}}
}

// String describes o, e.g. "set-cpuset cg_0 disjoint(0/2)".
func (o Op) String() string { return o.s.String() }
