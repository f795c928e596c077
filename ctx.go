package gauntlet

import (
	"os"
	"syscall"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// Ctx is what a scenario function gets inside the VM: the guest's
// topology and usable CPUs, the duration, the active scheduler flags,
// cpuset helpers, and ExecuteDefs / ExecuteSteps; see [guest.Ctx].
type Ctx = guest.Ctx

// CheckError is the error a scenario returns when it ran but failed a
// check: one line per failure, the thresholds, then a stats block with one
// line per cgroup; see [guest.CheckError].
type CheckError = guest.CheckError

// runGuest executes fn as t inside the VM.
func runGuest(t testing.TB, s Spec, fn func(*Ctx) error) {
	t.Helper()
	guest.RunGuest(t, s, fn)
}

// runWorker runs this process as a scenario worker and exits it. It uses
// syscall.Exit: the testing package treats os.Exit(0) inside a test as an
// error, and a worker has nothing to flush.
func runWorker(t testing.TB, s Spec) {
	t.Helper()
	syscall.Exit(guest.WorkerMain(os.Getenv(spec.EnvWorker)))
}
