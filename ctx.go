package gauntlet

import (
	"context"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Ctx is what a scenario function gets inside the VM: the guest's
// topology and usable CPUs, the duration, the active scheduler flags,
// CPU helpers, and [Ctx.ExecuteDefs] and [Ctx.ExecuteSteps], which run
// scenarios. Its fields describe the guest; changing them changes nothing.
type Ctx struct {
	// Topology is the topology the guest has: the observed layout when it
	// is regular, else the requested one.
	Topology topo.Topology
	// Layout is the guest's observed CPU layout (from sysfs).
	Layout topo.Layout
	// Online is every online CPU.
	Online topo.CPUSet
	// Usable are the CPUs scenarios may give to workers: all online CPUs
	// but the last when there are more than two (that one runs the
	// harness). Top-level cpusets resolve within them.
	Usable topo.CPUSet
	// Duration is how long a full-duration step holds ([Spec.Duration],
	// default 2s).
	Duration time.Duration
	// Workers is the worker count of a cgroup that sets none
	// ([Spec.Workers], default 2).
	Workers int
	// Flags are the scheduler flags on in this variant.
	Flags []string
	// Variant is the variant being run: its name, preset, requested
	// topology, flags, accelerator and kernel.
	Variant spec.Variant

	tb testing.TB
	h  *guest.Harness
}

// newCtx describes the guest the harness h runs in, for test t.
func newCtx(t testing.TB, h *guest.Harness) *Ctx {
	return &Ctx{
		Topology: h.Topology, Layout: h.Layout, Online: h.Online, Usable: h.Usable,
		Duration: h.Duration, Workers: h.Workers, Flags: slices.Clone(h.Flags), Variant: h.Variant,
		tb: t, h: h,
	}
}

// Context returns the context scenario work runs under; it ends when the
// test's deadline passes, and as soon as the scheduler under test stops.
func (c *Ctx) Context() context.Context { return c.h.Context() }

// Logf logs to the test's output, like testing.T.Logf.
func (c *Ctx) Logf(format string, args ...any) {
	c.tb.Helper()
	c.tb.Logf(format, args...)
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

// Thresholds returns the effective check thresholds: [Spec.Checks] with
// the defaults filled in and scaled for this guest.
func (c *Ctx) Thresholds() spec.Thresholds { return c.h.Thresholds() }

// Scenarios returns the measurements of the scenarios this test executed
// so far ([Ctx.ExecuteDefs] and [Ctx.ExecuteSteps] calls), in order,
// passed or failed: per cgroup its work units, gaps, wake latencies, page
// faults, ... A test reads them to assert what a work type did.
func (c *Ctx) Scenarios() []spec.ScenarioStats { return c.h.Scenarios() }

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
// removes everything. It returns a *[CheckError] when a check failed, a
// *[SchedulerError] when the scheduler under test stopped, and other
// errors for invalid definitions or setup problems.
func (c *Ctx) ExecuteDefs(defs ...CgroupDef) error {
	return c.ExecuteSteps(Step{Defs: defs, Hold: HoldFull()})
}

// ExecuteSteps runs steps in order as one scenario (see [Step]), checks
// the workers of all steps together at the end and removes everything.
// Every step is validated before anything starts. When the scheduler
// under test stops during the scenario, the scenario ends at once (holds,
// ops and workers stop) and it returns a *[SchedulerError] saying why,
// without running the checks. It returns a *[CheckError] when a check
// failed and other errors for invalid steps or setup problems.
func (c *Ctx) ExecuteSteps(steps ...Step) error {
	wire := make([]guest.StepSpec, len(steps))
	for i, st := range steps {
		wire[i] = st.lower()
	}
	return fromRuntime(c.h.Execute(wire))
}

// runGuest executes fn as t inside the VM.
func runGuest(t testing.TB, s spec.Spec, o runOptions, fn func(*Ctx) error) {
	t.Helper()
	guest.RunGuest(t, s, guest.GuestOptions{ExpectSchedulerExit: o.expectExit}, func(h *guest.Harness) error { return fn(newCtx(t, h)) })
}

// runWorker runs this process as a scenario worker and exits it. It uses
// syscall.Exit: the testing package treats os.Exit(0) inside a test as an
// error, and a worker has nothing to flush.
func runWorker(t testing.TB) {
	t.Helper()
	syscall.Exit(guest.WorkerMain(os.Getenv(spec.EnvWorker)))
}
