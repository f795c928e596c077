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
// for a failed check) fails t, a scheduler under test that stops or never
// attaches fails it with a *[SchedulerError]'s message, a guest without
// what s needs (sched_ext) skips it. It skips t, naming what to install or
// set, when no VM can be started. Inside the VM it executes fn with a
// [Ctx]. In a describe pass (the gauntlet command listing tests) it
// records s and skips. Options change how the outcome is judged (see
// [ExpectSchedulerExit]).
func Run(t testing.TB, s Spec, fn func(*Ctx) error, opts ...RunOption) {
	t.Helper()
	ws := s.lower()
	var o runOptions
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case os.Getenv(spec.EnvDescribe) != "":
		describe(t, ws)
	case os.Getenv(spec.EnvWorker) != "":
		runWorker(t)
	case os.Getenv(spec.EnvGuest) != "":
		runGuest(t, ws, o, fn)
	default:
		launch.RunTest(t, ws, launch.Options{ExpectSchedulerExit: o.expectExit})
	}
}

// RunOption changes how [Run] judges a test.
type RunOption func(*runOptions)

type runOptions struct {
	expectExit func(spec.SchedulerExit) error
}

// ExpectSchedulerExit declares that the scheduler under test is meant to
// stop during the test or fail to attach (a fault-injection run, a
// deliberately broken scheduler): when it does, check gets the exit and
// the test passes if check returns nil and fails with check's error
// otherwise; a scheduler that runs to the end of the test fails it. A
// scheduler binary that does not exist on the host is an exit too: one
// that never attached, [spec.DetectedStart]. The exit's kind, reason,
// message and victim are what the result line reports:
//
//	gauntlet.Run(t, spec, scenarios.Steady, gauntlet.ExpectSchedulerExit(func(e spec.SchedulerExit) error {
//		if e.Kind != spec.ExitBPFError || e.Message != "test triggering error" {
//			return fmt.Errorf("want scx_bpf_error, got %s", e.String())
//		}
//		return nil
//	}))
func ExpectSchedulerExit(check func(e spec.SchedulerExit) error) RunOption {
	return func(o *runOptions) { o.expectExit = check }
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
	// kernel's own scheduler (EEVDF), and `gauntlet run --scheduler
	// PATH` then also runs the test under that binary, as its own
	// profile. A test with a Scheduler is not run under --scheduler.
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
	// Payloads are the programs the test runs with [RunPayload]; the
	// host packs their binaries into the guest.
	Payloads []Payload
	// MetricBounds limit the test's metrics: a metric outside its bound,
	// or a bounded metric no payload measured, fails the test naming the
	// metric, its value and the bound.
	MetricBounds []MetricBound
}

// Scheduler describes a sched_ext scheduler under test. The harness loads
// it before the scenario and waits until the kernel names it in
// /sys/kernel/sched_ext/root/ops. From then to the end of the test it
// watches it (its process, sched_ext's sysfs state and the kernel log);
// when the scheduler stops, the scenario ends at once (the [Ctx.Context]
// is cancelled) and the test fails with why: a *[SchedulerError]. At the
// end the harness unloads it. Its BPF programs' verifier statistics, its
// loader's output and the kernel's sched_ext lines go into the test's
// results.
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
	// AttachTimeout bounds the wait from starting the scheduler until the
	// kernel names it; zero means 20s (loading and verifying a BPF
	// scheduler takes seconds under TCG).
	AttachTimeout time.Duration
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
	// MaxRunDelay is the longest a worker may wait runnable on a run
	// queue at a stretch, as its schedstat run delay shows it (stuck
	// check); default 500ms.
	MaxRunDelay time.Duration
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
		Checks:   spec.Checks(s.Checks),
		Payloads: lowerPayloads(s.Payloads), MetricBounds: lowerBounds(s.MetricBounds),
	}
}

// lower returns the wire form of s; nil stays nil.
func (s *Scheduler) lower() *spec.Scheduler {
	if s == nil {
		return nil
	}
	w := &spec.Scheduler{Name: s.Name, Binary: s.Binary, Args: s.Args, AttachTimeout: s.AttachTimeout}
	for _, f := range s.Flags {
		w.Flags = append(w.Flags, spec.Flag(f))
	}
	return w
}
