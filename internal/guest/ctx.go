package guest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Ctx is what a scenario function gets inside the VM: the guest's real
// topology, the CPUs it may use, the duration and active scheduler flags,
// cpuset helpers, and the Execute methods that run scenarios.
type Ctx struct {
	// Topology is the topology the guest has: the observed layout when it
	// is regular, else the requested one.
	Topology topo.Topology
	// Layout is the guest's observed CPU layout (from sysfs).
	Layout topo.Layout
	// Online is every online CPU; Usable the CPUs scenarios may give to
	// workers: all but the last when there are more than two (that one
	// runs the harness).
	Online topo.CPUSet
	Usable topo.CPUSet
	// Duration is how long a full-duration step holds (Spec.Duration,
	// default 2s).
	Duration time.Duration
	// Workers is the default worker count per cgroup (Spec.Workers,
	// default 2).
	Workers int
	// Flags are the scheduler flags on in this variant.
	Flags []string
	// Variant is the variant being run.
	Variant spec.Variant

	env *env
}

// env is the harness state behind a Ctx.
type env struct {
	ctx        context.Context
	cancel     context.CancelFunc
	tb         testing.TB
	exe        string
	args       []string
	harness    string
	thresholds Thresholds
	sched      *scheduler
	scenarios  []spec.ScenarioStats
}

// Context returns the context scenario work runs under; it ends when the
// test's deadline passes.
func (c *Ctx) Context() context.Context { return c.env.ctx }

// Logf logs to the test's output.
func (c *Ctx) Logf(format string, args ...any) {
	c.env.tb.Helper()
	c.env.tb.Logf(format, args...)
}

// HasFlag reports whether scheduler flag name is on in this variant.
func (c *Ctx) HasFlag(name string) bool { return slices.Contains(c.Flags, name) }

// LLCs returns the usable CPUs of each LLC, skipping LLCs with none.
func (c *Ctx) LLCs() []topo.CPUSet { return nonEmpty(c.Layout.LLCSets(), c.Usable) }

// Nodes returns the usable CPUs of each NUMA node, skipping nodes with
// none.
func (c *Ctx) Nodes() []topo.CPUSet { return nonEmpty(c.Layout.NodeSets(), c.Usable) }

// Split divides the usable CPUs into n disjoint parts; see
// [topo.CPUSet.Split].
func (c *Ctx) Split(n int) ([]topo.CPUSet, error) { return c.Usable.Split(n) }

// Overlap returns window i of n overlapping windows over the usable CPUs;
// see [topo.CPUSet.Overlap].
func (c *Ctx) Overlap(i, n int, frac float64) (topo.CPUSet, error) {
	return c.Usable.Overlap(i, n, frac)
}

// Thresholds returns the effective check thresholds.
func (c *Ctx) Thresholds() Thresholds { return c.env.thresholds }

func nonEmpty(groups []topo.CPUSet, within topo.CPUSet) []topo.CPUSet {
	var out []topo.CPUSet
	for _, g := range groups {
		if s := g.Intersect(within); !s.IsEmpty() {
			out = append(out, s)
		}
	}
	return out
}

// ExecuteDefs runs one full-duration step with defs: it creates the
// cgroups, starts their workers together, holds, stops, checks, and
// removes everything. It returns a *[CheckError] when a check failed and
// other errors for setup problems.
func (c *Ctx) ExecuteDefs(defs ...CgroupDef) error {
	return c.ExecuteSteps(Step{Defs: defs, Hold: HoldFull()})
}

// ExecuteSteps runs steps in order as one scenario (see [Step]), checks
// the workers of all steps together at the end and removes everything.
// When a scheduler runs, its liveness is checked before and after every
// step. It returns a *[CheckError] when a check failed.
func (c *Ctx) ExecuteSteps(steps ...Step) error {
	if err := c.validate(steps); err != nil {
		return err
	}
	s, err := newScenario(c)
	if err != nil {
		return err
	}
	return s.execute(steps)
}

// validate checks every step before anything starts.
func (c *Ctx) validate(steps []Step) error {
	if len(steps) == 0 {
		return fmt.Errorf("no steps: give ExecuteSteps at least one Step (or use ExecuteDefs)")
	}
	for i, st := range steps {
		if err := st.Hold.validate(); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
		for _, d := range st.Defs {
			if err := d.validate(c.Workers); err != nil {
				return fmt.Errorf("step %d: %w", i, err)
			}
		}
		for _, o := range st.Ops {
			if o.kind == opAdd {
				if err := o.def.validate(c.Workers); err != nil {
					return fmt.Errorf("step %d: %w", i, err)
				}
			}
		}
	}
	return nil
}
