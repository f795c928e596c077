package gauntlet

import (
	"os"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Run runs the scenario fn as the test t.
//
// On the host it boots one VM at s's base topology with the test binary as
// init and reports the guest's verdict as t's: fn's error (a *[CheckError]
// for a failed check) fails t, a guest without what s needs (sched_ext)
// skips it. It skips t, naming what to install or set, when no VM can be
// started. Inside the VM it executes fn with a [Ctx]. In a describe pass
// (the gauntlet command listing tests) it records s and skips.
func Run(t testing.TB, s Spec, fn func(*Ctx) error) {
	t.Helper()
	ws := s.lower()
	switch {
	case os.Getenv(spec.EnvDescribe) != "":
		describe(t, ws)
	case os.Getenv(spec.EnvWorker) != "":
		runWorker(t)
	case os.Getenv(spec.EnvGuest) != "":
		runGuest(t, ws, fn)
	default:
		launch.RunTest(t, ws, launch.Options{})
	}
}

// Spec is what a test declares about itself: where it runs, under which
// scheduler, and how long and hard its scenario loads the CPUs. Every zero
// field takes the default its doc names.
type Spec struct {
	// Topology is the base topology `go test` boots, in any form
	// [topo.Parse] accepts ("1n2l4c1t", "2,4,1"); empty means 1n1l2c1t
	// (one NUMA node, one LLC, two cores, one thread each).
	Topology string
	// Constraints limit the topology presets the gauntlet command expands
	// the test to; zero fields take [topo.DefaultConstraints].
	Constraints topo.Constraints
	// Scheduler is the sched_ext scheduler under test; nil runs the
	// kernel's own scheduler (EEVDF).
	Scheduler *Scheduler
	// RequiredFlags are scheduler flags on in every profile;
	// ExcludedFlags are never turned on.
	RequiredFlags []string
	ExcludedFlags []string
	// Duration is how long a full-duration step holds its load; zero
	// means 2s.
	Duration time.Duration
	// Workers is the worker count of a cgroup that sets none
	// ([CgroupDef.Workers]); zero means 2.
	Workers int
	// MemoryMiB is the guest memory the test needs at least; the VM gets
	// more when its vCPU count asks for it ([topo.GuestMemoryMiB]).
	MemoryMiB int
	// Timeout bounds one VM run; zero derives it from Duration, the
	// topology and the accelerator.
	Timeout time.Duration
	// Checks overrides check thresholds.
	Checks Checks
}

// Scheduler describes a sched_ext scheduler under test. The harness loads
// it before the scenario, waits until the kernel names it in
// /sys/kernel/sched_ext/root/ops, checks it is still loaded between steps
// and at the end, and unloads it.
type Scheduler struct {
	// Name is what /sys/kernel/sched_ext/root/ops shows once it is loaded;
	// empty accepts any name.
	Name string
	// Binary is a host path to the scheduler executable, copied into the
	// guest; empty loads the built-in minimal sched_ext scheduler from Go
	// (every task on one global FIFO queue; it takes --timeout-ms=N and
	// --switch-partial).
	Binary string
	// Args are passed to the scheduler in every profile.
	Args []string
	// Flags are the optional features the gauntlet command builds flag
	// profiles from, in declaration order.
	Flags []Flag
}

// Flag is one optional scheduler feature.
type Flag struct {
	// Name identifies the flag in profiles, [Spec.RequiredFlags] and
	// [Ctx.HasFlag].
	Name string
	// Args are added to the scheduler's command line when the flag is on.
	Args []string
	// Requires names flags that must also be on.
	Requires []string
}

// Checks overrides the thresholds of the checks every scenario ends with.
// A zero field takes the default, scaled up where the host cannot run the
// vCPUs as real CPUs (under TCG, or an overcommitted host; the guest
// prints the effective values and why). A set field is used as given.
type Checks struct {
	// MaxGap is the longest allowed time between two progress checkpoints
	// of a worker (stuck check); default 2s.
	MaxGap time.Duration
	// MaxSpread is the largest allowed spread, in percentage points, of
	// steady-state off-CPU time across the workers of one cgroup
	// (fairness check); default 15.
	MaxSpread float64
	// MinWorkUnits is the least work a worker must do (starvation check);
	// default 1.
	MinWorkUnits uint64
	// DisableIsolation turns the cpuset isolation check off.
	DisableIsolation bool
}

// lower returns the wire form of s.
func (s Spec) lower() spec.Spec {
	return spec.Spec{
		Topology: s.Topology, Constraints: s.Constraints, Scheduler: s.Scheduler.lower(),
		RequiredFlags: s.RequiredFlags, ExcludedFlags: s.ExcludedFlags,
		Duration: s.Duration, Workers: s.Workers, MemoryMiB: s.MemoryMiB, Timeout: s.Timeout,
		Checks: spec.Checks(s.Checks),
	}
}

// lower returns the wire form of s; nil stays nil.
func (s *Scheduler) lower() *spec.Scheduler {
	if s == nil {
		return nil
	}
	w := &spec.Scheduler{Name: s.Name, Binary: s.Binary, Args: s.Args}
	for _, f := range s.Flags {
		w.Flags = append(w.Flags, spec.Flag(f))
	}
	return w
}
