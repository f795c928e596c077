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

// fromRuntime turns the runtime's check failure into a *CheckError and
// passes other errors on.
func fromRuntime(err error) error {
	if ce, ok := err.(*guest.CheckError); ok {
		return &CheckError{Failures: ce.Failures, Thresholds: ce.Thresholds, Stats: ce.Stats}
	}
	return err
}
