package launch

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// Options change how [RunTest] judges the test.
type Options struct {
	// ExpectSchedulerExit is the test's check of an expected scheduler
	// exit (see the guest's GuestOptions); on the host it judges a
	// scheduler binary that cannot be packed, which never attaches.
	ExpectSchedulerExit func(spec.SchedulerExit) error
}

// RunTest boots one VM at s's base topology with this test binary as the
// init, runs t inside it and reports the guest's verdict as t's own: the
// guest's output becomes t's log lines (the log file blocks in it are
// written to t's artifact directory instead), a guest failure fails t and
// a guest skip skips it. It skips t, naming what to install or set, when
// no VM can be started (no QEMU, no kernel, a dynamically linked test
// binary); under GAUNTLET_REQUIRE_VM=1 those skips fail instead. A
// scheduler binary that does not exist fails t before any VM boots
// (unless o expects the scheduler not to attach); a payload binary that
// does not exist skips it, naming the package to install.
func RunTest(t testing.TB, s spec.Spec, o Options) {
	t.Helper()
	if _, _, err := SchedulerFiles(s); err != nil {
		unpackable(t, s, err, o)
		return
	}
	if _, _, err := PayloadFiles(s); err != nil {
		testutil.SkipIfNotSupported(t, fmt.Errorf("gauntlet: %w", err))
	}
	cfg, err := hostConfig(t.Name(), s)
	if err != nil {
		testutil.SkipIfNotSupported(t, fmt.Errorf("gauntlet: %w", err))
	}
	w := &lineLogger{t: t, dir: t.ArtifactDir}
	cfg.Output = w
	res, err := cfg.Run(t.Context())
	w.Flush()
	if err != nil {
		testutil.SkipIfNotSupported(t, fmt.Errorf("gauntlet: %w", err))
	}
	reportResult(t, res)
}

// hostConfig builds the VM config for running test name with Spec s under
// plain `go test`. Errors for a missing kernel, QEMU or a dynamically
// linked test binary wrap [spec.ErrNotSupported].
func hostConfig(name string, s spec.Spec) (vm.Config, error) {
	t, err := topo.Parse(s.WithDefaults().Topology)
	if err != nil {
		return vm.Config{}, fmt.Errorf("spec: %w", err)
	}
	if _, err := vm.LookQEMU(); err != nil {
		return vm.Config{}, err
	}
	k, err := hostKernel(s)
	if err != nil {
		return vm.Config{}, err
	}
	exe, err := testBinary()
	if err != nil {
		return vm.Config{}, err
	}
	return VariantConfig(exe, name, s, spec.Variant{Name: name, Topology: t}, k), nil
}

// hostKernel picks the kernel: for a Spec with a scheduler the sched_ext
// kernel GAUNTLET_SCX_KERNEL names, when set; else the discovery chain
// ([kernel.Find]). A kernel without sched_ext makes scheduler tests
// skip inside the guest, saying so.
func hostKernel(s spec.Spec) (kernel.Kernel, error) {
	if s.Scheduler != nil {
		k, err := SchedExtKernel()
		if err != nil {
			return kernel.Kernel{}, err
		}
		if k != nil {
			return *k, nil
		}
	}
	return kernel.Find()
}

// testBinary returns this test binary's path, which must be static to run
// as the guest init.
func testBinary() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the test binary: %w", err)
	}
	if err := vm.CheckStaticBinary(exe); err != nil {
		if errors.Is(err, vm.ErrNotStatic) {
			return "", fmt.Errorf("%w: the test binary is dynamically linked, so it cannot be the VM's init; rebuild with CGO_ENABLED=0 (CGO_ENABLED=0 go test ...)", spec.ErrNotSupported)
		}
		return "", err
	}
	return exe, nil
}

// unpackable reports a scheduler binary the host cannot pack: an exit of
// a scheduler that never attached, which o may expect.
func unpackable(t testing.TB, s spec.Spec, err error, o Options) {
	t.Helper()
	e := spec.SchedulerExit{Scheduler: s.Scheduler.Name, DetectedBy: spec.DetectedStart, Message: err.Error()}
	if o.ExpectSchedulerExit == nil {
		t.Errorf("gauntlet: %s", e.String())
		return
	}
	if cerr := o.ExpectSchedulerExit(e); cerr != nil {
		t.Errorf("gauntlet: scheduler exit not as expected: %v (the exit: %s)", cerr, e.String())
		return
	}
	t.Logf("gauntlet: expected scheduler exit (no VM booted): %s", e.String())
}
