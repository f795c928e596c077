package guest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Harness is the scenario runtime of one test inside the VM, handed to
// the scenario function [RunGuest] runs: what the guest is, and
// [Harness.Execute], which runs scenarios given as wire data.
type Harness struct {
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

// env is the harness state behind a Harness.
type env struct {
	ctx        context.Context
	cancel     context.CancelFunc
	tb         testing.TB
	exe        string
	args       []string
	harness    string
	thresholds spec.Thresholds
	sched      *scheduler
	scenarios  []spec.ScenarioStats
}

// Context returns the context scenario work runs under; it ends when the
// test's deadline passes, and as soon as the scheduler under test stops
// (its cause is then errSchedulerGone).
func (h *Harness) Context() context.Context { return h.env.ctx }

// Thresholds returns the effective check thresholds.
func (h *Harness) Thresholds() spec.Thresholds { return h.env.thresholds }

// Scenarios returns the measurements of the scenarios executed so far, in
// order, whether their checks passed or not.
func (h *Harness) Scenarios() []spec.ScenarioStats { return slices.Clone(h.env.scenarios) }

// Execute runs steps in order as one scenario, after validating them all:
// each creates its cgroups, applies its ops, releases the new workers
// together and holds. At the end it stops every worker, checks the
// workers of all steps together and removes everything. When the
// scheduler under test stops (its watcher cancels [Harness.Context]), the
// steps end at once, the workers are stopped and it returns a
// *[SchedulerExitError] without checking them. It returns a *[CheckError]
// when a check failed and other errors for invalid steps or setup
// problems.
func (h *Harness) Execute(steps []StepSpec) error {
	if err := validateSteps(steps, h.Workers); err != nil {
		return err
	}
	s, err := newScenario(h)
	if err != nil {
		return err
	}
	return s.execute(steps)
}
