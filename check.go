package gauntlet

import (
	"github.com/gauntlet-sched/gauntlet/internal/guest"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// CheckError is the error [Ctx.ExecuteDefs] and [Ctx.ExecuteSteps]
// return when the scenario ran but failed a check: starvation (a worker
// did less than the minimum work), stuck (a worker went too long between
// progress checkpoints), isolation (a worker ran outside its cpuset) or
// fairness (a cgroup's workers got uneven CPU time). A scenario function
// returns it to fail the test with it.
type CheckError struct {
	// Failures has one line per failed check; the first is the headline,
	// e.g. "stuck 3500ms on cpu1 at +1200ms (cg_0 worker 1 (pid 42);
	// limit 2000ms)".
	Failures []string
	// Thresholds are the limits the checks applied.
	Thresholds spec.Thresholds
	// Stats has one entry per cgroup of the scenario.
	Stats []spec.CgroupStats
}

// Error returns the failures, one per line, then the thresholds line and
// the stats block with one line per cgroup.
func (e *CheckError) Error() string { return e.runtime().Error() }

// Unwrap returns e in the runtime's form, by which the harness records a
// scenario's error as check failures even when the scenario wrapped it.
func (e *CheckError) Unwrap() error { return e.runtime() }

func (e *CheckError) runtime() *guest.CheckError {
	return &guest.CheckError{Failures: e.Failures, Thresholds: e.Thresholds, Stats: e.Stats}
}

// SchedulerError is the error [Ctx.ExecuteDefs] and [Ctx.ExecuteSteps]
// return when the scheduler under test stopped during the scenario: the
// kernel ejected it (an scx_bpf_error, a runnable task stall, ...), it
// unloaded itself, or its loader died. Its message is one line, e.g.
// "scheduler qmap ejected after 1.2s: scx_bpf_error: test triggering
// error"; Exit has the facts. The test fails with it even when the
// scenario function does not return it; see [ExpectSchedulerExit] for
// runs meant to end this way.
type SchedulerError struct {
	Exit spec.SchedulerExit
}

func (e *SchedulerError) Error() string { return e.Exit.String() }

// Unwrap returns e in the runtime's form.
func (e *SchedulerError) Unwrap() error { return &guest.SchedulerExitError{Exit: &e.Exit} }

// fromRuntime turns the runtime's check failure into a *CheckError, its
// scheduler exit into a *SchedulerError, and passes other errors on.
func fromRuntime(err error) error {
	switch e := err.(type) {
	case *guest.CheckError:
		return &CheckError{Failures: e.Failures, Thresholds: e.Thresholds, Stats: e.Stats}
	case *guest.SchedulerExitError:
		return &SchedulerError{Exit: *e.Exit}
	}
	return err
}
