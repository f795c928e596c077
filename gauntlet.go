package gauntlet

import (
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Spec is what a test declares; see [spec.Spec].
type Spec = spec.Spec

// Scheduler describes the scheduler under test; see [spec.Scheduler].
type Scheduler = spec.Scheduler

// Flag is an optional scheduler feature; see [spec.Flag].
type Flag = spec.Flag

// Checks overrides check thresholds; see [spec.Checks].
type Checks = spec.Checks

// Constraints limit the topologies a test expands to; see
// [topo.Constraints].
type Constraints = topo.Constraints

// Run runs the scenario fn as the test t.
//
// On the host it boots one VM at s's base topology with the test binary as
// init and reports the guest's verdict; it skips t, naming what to install
// or set, when no VM can be started. Inside the VM it executes fn. In a
// describe pass it records s and skips.
func Run(t testing.TB, s Spec, fn func(*Ctx) error) {
	t.Helper()
	switch {
	case os.Getenv(spec.EnvDescribe) != "":
		describe(t, s)
	case os.Getenv(spec.EnvWorker) != "":
		runWorker(t, s)
	case os.Getenv(spec.EnvGuest) != "":
		runGuest(t, s, fn)
	default:
		launch.RunTest(t, s)
	}
}
