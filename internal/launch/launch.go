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

// RunTest boots one VM at s's base topology with this test binary as the
// init, runs t inside it and reports the guest's verdict as t's own: the
// guest's output becomes t's log lines, a guest failure fails t and a
// guest skip skips it. It skips t, naming what to install or set, when no
// VM can be started (no QEMU, no kernel, a dynamically linked binary);
// under GAUNTLET_REQUIRE_VM=1 those skips fail instead.
func RunTest(t testing.TB, s spec.Spec) {
	t.Helper()
	cfg, err := hostConfig(t.Name(), s)
	if err != nil {
		testutil.SkipIfNotSupported(t, fmt.Errorf("gauntlet: %w", err))
	}
	w := &lineLogger{t: t}
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
