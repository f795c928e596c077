package gauntlet

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gauntlet-sched/gauntlet/guest"
	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// runHost boots one VM at s's base topology with this test binary as the
// init, runs t inside it and reports the guest's verdict as t's own.
func runHost(t testing.TB, s Spec) {
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
func hostConfig(name string, s Spec) (vm.Config, error) {
	topoStr := s.Topology
	if topoStr == "" {
		topoStr = spec.DefaultTopology
	}
	t, err := topo.Parse(topoStr)
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
// ([vm.FindKernel]). A kernel without sched_ext makes scheduler tests
// skip inside the guest, saying so.
func hostKernel(s Spec) (vm.Kernel, error) {
	if s.Scheduler != nil {
		k, err := SchedExtKernel()
		if err != nil {
			return vm.Kernel{}, err
		}
		if k != nil {
			return *k, nil
		}
	}
	return vm.FindKernel()
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

// guestEnv passes settings that must hold inside the guest too.
func guestEnv() []string {
	var env []string
	for _, name := range []string{spec.EnvRequireVM, spec.EnvRequireSchedExt} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// schedulerFiles puts s's scheduler binary, if any, where the guest looks
// for it: [guest.SchedulerGuestPath].
func schedulerFiles(s Spec) []vm.File {
	if s.Scheduler == nil || s.Scheduler.Binary == "" {
		return nil
	}
	return []vm.File{{Host: s.Scheduler.Binary, Guest: guest.SchedulerGuestPath(s.Scheduler.Binary)}}
}

// RunPattern returns the -test.run pattern that selects exactly the test
// (or subtest) called name: each '/'-separated element anchored and
// quoted.
func RunPattern(name string) string { return guest.RunPattern(name) }

// reportResult turns the VM's verdict into t's.
func reportResult(t testing.TB, res vm.Result) {
	t.Helper()
	if res.Retried != "" {
		t.Logf("gauntlet: %s", res.Retried)
	}
	for _, w := range res.Warnings {
		t.Logf("gauntlet: guest init warning: %s", w)
	}
	switch res.Outcome {
	case spec.OutcomePass:
		t.Logf("gauntlet: passed in a %s VM (%s; boot %v, total %v)", res.Accel, res.AccelNote, res.BootTime.Round(1e7), res.TotalTime.Round(1e7))
	case spec.OutcomeSkip:
		t.Skipf("gauntlet: skipped in the VM: %s", res.Reason)
	case spec.OutcomeFail:
		t.Errorf("gauntlet: test failed in the VM: %s", res.Reason)
	default:
		t.Errorf("gauntlet: %s: %s\nkernel console (last lines):\n%s\nqemu: %s", res.Outcome, res.Reason, indent(res.ConsoleTail), res.QEMUArgs)
	}
}

func indent(s string) string {
	if s == "" {
		return "    (empty)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// lineLogger writes whole lines of guest output to t.Log as they arrive.
type lineLogger struct {
	t   testing.TB
	mu  sync.Mutex
	buf []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.t.Log("guest: " + string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

// Flush logs a final unterminated line.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.t.Log("guest: " + string(l.buf))
		l.buf = nil
	}
}
