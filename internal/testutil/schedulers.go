package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// skipUnlessSchedExt skips t with reason, what a test of real schedulers
// is missing; under GAUNTLET_REQUIRE_SCX=1 it fails t instead.
func skipUnlessSchedExt(t testing.TB, reason string) {
	t.Helper()
	if RequireSchedExt() {
		t.Fatalf("%s (and %s=1 forbids skipping)", reason, spec.EnvRequireSchedExt)
	}
	t.Skip(reason)
}

// SchedulerBinary returns the path of the scheduler binary called name
// in the directory GAUNTLET_SCHEDULERS names, for a test of a real
// scheduler. On the host it skips t (fails it under
// GAUNTLET_REQUIRE_SCX=1) when GAUNTLET_SCX_KERNEL or GAUNTLET_SCHEDULERS
// is unset, or either names nothing, or the directory lacks name. Inside
// the VM (and in its workers) it only joins the path: the host passed the
// variable along, and the binary sits at its guest path.
func SchedulerBinary(t testing.TB, name string) string {
	t.Helper()
	dir := SchedulersDir(t)
	p := filepath.Join(dir, name)
	if os.Getenv(spec.EnvGuest) == "" {
		if _, err := os.Stat(p); err != nil {
			skipUnlessSchedExt(t, fmt.Sprintf("scheduler %s not in %s=%s: %v", name, spec.EnvSchedulers, dir, err))
		}
	}
	return p
}

// SchedulersDir returns the directory GAUNTLET_SCHEDULERS names, with the
// checks of [SchedulerBinary] but for no binary in particular.
func SchedulersDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(spec.EnvSchedulers)
	if os.Getenv(spec.EnvGuest) != "" {
		return dir
	}
	if k := os.Getenv(spec.EnvSchedExtKernel); k == "" {
		skipUnlessSchedExt(t, fmt.Sprintf("%s is not set: tests of real schedulers need a sched_ext kernel", spec.EnvSchedExtKernel))
	} else if _, err := os.Stat(k); err != nil {
		skipUnlessSchedExt(t, fmt.Sprintf("%s=%s: %v", spec.EnvSchedExtKernel, k, err))
	}
	if dir == "" {
		skipUnlessSchedExt(t, fmt.Sprintf("%s is not set: tests of real schedulers need a directory of scheduler binaries", spec.EnvSchedulers))
	} else if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		skipUnlessSchedExt(t, fmt.Sprintf("%s=%s is not a directory (%v)", spec.EnvSchedulers, dir, err))
	}
	return dir
}
