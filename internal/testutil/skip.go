// Package testutil holds the skip helper shared by the library and the
// tests: a missing VM prerequisite skips, unless CI asked for it to fail.
package testutil

import (
	"errors"
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// RequireVM reports whether GAUNTLET_REQUIRE_VM asks that missing VM
// prerequisites fail instead of skip.
func RequireVM() bool { return os.Getenv(spec.EnvRequireVM) == "1" }

// SkipNotPossible skips t with reason, a message that names what is
// missing and how to get it; when [RequireVM] is true it fails t instead,
// so CI cannot pass by skipping.
func SkipNotPossible(t testing.TB, reason string) {
	t.Helper()
	if RequireVM() {
		t.Fatalf("%s (and %s=1 forbids skipping)", reason, spec.EnvRequireVM)
	}
	t.Skip(reason)
}

// RequireSchedExt reports whether GAUNTLET_REQUIRE_SCX asks that tests
// needing sched_ext fail, instead of skip, on a kernel without it.
func RequireSchedExt() bool { return os.Getenv(spec.EnvRequireSchedExt) == "1" }

// SchedExtFile returns the file the environment variable env names, for a
// test that needs a sched_ext kernel's files ([spec.EnvSchedExtKernel],
// [spec.EnvSchedExtKernelConfig]). When env is unset the test skips with
// a reason naming it, and fails instead under [RequireSchedExt]; a set
// variable that names no readable file fails the test.
func SchedExtFile(t testing.TB, env string) string {
	t.Helper()
	p := os.Getenv(env)
	if p == "" {
		reason := env + " is not set: point it at a sched_ext kernel's file to run this test"
		if RequireSchedExt() {
			t.Fatalf("%s (and %s=1 forbids skipping)", reason, spec.EnvRequireSchedExt)
		}
		t.Skip(reason)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s=%s: %v", env, p, err)
	}
	return p
}

// SkipIfNotSupported skips t when err wraps [spec.ErrNotSupported] and
// fails it for any other non-nil error. It returns normally only when err
// is nil. A missing VM prerequisite fails under [RequireVM]; a kernel
// without sched_ext ([spec.ErrNoSchedExt]) fails under [RequireSchedExt].
func SkipIfNotSupported(t testing.TB, err error) {
	t.Helper()
	switch {
	case err == nil:
		return
	case errors.Is(err, spec.ErrNoSchedExt):
		if RequireSchedExt() {
			t.Fatalf("%v (and %s=1 forbids skipping)", err, spec.EnvRequireSchedExt)
		}
		t.Skip(err.Error())
	case errors.Is(err, spec.ErrNotSupported):
		SkipNotPossible(t, err.Error())
	}
	t.Fatal(err)
}
