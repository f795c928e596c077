package launch

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
	"github.com/gauntlet-sched/gauntlet/vm"
)

func TestSchedulerFiles(t *testing.T) {
	if f := schedulerFiles(spec.Spec{}); f != nil {
		t.Errorf("no scheduler: %v", f)
	}
	f := schedulerFiles(spec.Spec{Scheduler: &spec.Scheduler{Name: "x", Binary: "/build/bin/scx_simple"}})
	if len(f) != 1 || f[0].Host != "/build/bin/scx_simple" || f[0].Guest != "/gauntlet/sched/scx_simple" {
		t.Errorf("files %+v", f)
	}
}

// recordingTB records what RunTest and reportResult report, forwarding
// logs (and skips, which end the test) to the real test; failures are
// recorded only, so a test can assert an expected failure.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	logs   []string
	errors []string
}

func (r *recordingTB) Log(args ...any) { r.Logf("%s", fmt.Sprint(args...)) }
func (r *recordingTB) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
	r.TB.Logf(format, args...)
}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestReportResult(t *testing.T) {
	for _, tc := range []struct {
		res    vm.Result
		errors string
		logs   string
	}{
		{vm.Result{Outcome: spec.OutcomePass, Accel: spec.AccelTCG, BootTime: time.Second}, "", "passed in a tcg VM"},
		{vm.Result{Outcome: spec.OutcomeFail, Reason: "--- FAIL: TestX"}, "test failed in the VM: --- FAIL: TestX", ""},
		{vm.Result{Outcome: spec.OutcomeKernelPanic, Reason: "Kernel panic - not syncing", ConsoleTail: "[1.0] oops\n[1.1] Kernel panic", QEMUArgs: "qemu -smp 2"},
			"kernel_panic: Kernel panic - not syncing\nkernel console (last lines):\n    [1.0] oops\n    [1.1] Kernel panic\nqemu: qemu -smp 2", ""},
	} {
		r := &recordingTB{TB: t}
		reportResult(r, tc.res)
		if got := strings.Join(r.errors, "|"); !strings.Contains(got, tc.errors) || (tc.errors == "") != (got == "") {
			t.Errorf("%s: errors %q, want %q", tc.res.Outcome, got, tc.errors)
		}
		if got := strings.Join(r.logs, "|"); !strings.Contains(got, tc.logs) {
			t.Errorf("%s: logs %q, want %q", tc.res.Outcome, got, tc.logs)
		}
	}
	t.Run("skip", func(t *testing.T) {
		r := &recordingTB{TB: t}
		defer func() {
			if !t.Skipped() {
				t.Error("a guest skip did not skip the host test")
			}
		}()
		reportResult(r, vm.Result{Outcome: spec.OutcomeSkip, Reason: "kernel lacks sched_ext"})
	})
}

func TestLineLogger(t *testing.T) {
	r := &recordingTB{TB: t}
	l := &lineLogger{t: r}
	l.Write([]byte("one\ntw"))
	l.Write([]byte("o\nthree"))
	l.Flush()
	if got := strings.Join(r.logs, "|"); got != "guest: one|guest: two|guest: three" {
		t.Errorf("logs %q", got)
	}
}

// TestRunTestBootsVM is the `go test` path end to end: on the host it
// boots a VM with this test binary as init, which runs this same test
// inside (the guest branch below); the guest's output comes back as log
// lines and its verdict as the test's.
func TestRunTestBootsVM(t *testing.T) {
	if os.Getenv(spec.EnvGuest) != "" {
		guestCheckVariant(t, "1n2l2c1t")
		fmt.Println("guest side of TestRunTestBootsVM ran")
		return
	}
	r := &recordingTB{TB: t}
	RunTest(r, spec.Spec{Topology: "1n2l2c1t"})
	if len(r.errors) > 0 {
		t.Fatalf("RunTest reported errors: %s", strings.Join(r.errors, "\n"))
	}
	logs := strings.Join(r.logs, "\n")
	for _, want := range []string{"guest: guest side of TestRunTestBootsVM ran", "guest: --- PASS: TestRunTestBootsVM", "gauntlet: passed in a"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// TestRunTestReportsGuestFailure checks that a failure inside the VM fails
// the host test with the guest's message.
func TestRunTestReportsGuestFailure(t *testing.T) {
	if os.Getenv(spec.EnvGuest) != "" {
		t.Error("deliberate failure inside the VM")
		return
	}
	r := &recordingTB{TB: t}
	RunTest(r, spec.Spec{})
	got := strings.Join(r.errors, "\n")
	if !strings.Contains(got, "test failed in the VM") || !strings.Contains(got, "deliberate failure inside the VM") {
		t.Errorf("errors %q, want the guest's failure", got)
	}
}

// guestCheckVariant checks, inside the VM, the variant RunTest passed.
func guestCheckVariant(t *testing.T, topology string) {
	var v spec.Variant
	if err := json.Unmarshal([]byte(os.Getenv(spec.EnvVariant)), &v); err != nil {
		t.Fatalf("%s: %v", spec.EnvVariant, err)
	}
	want, _ := topo.Parse(topology)
	if v.Name != t.Name() || v.Topology != want || (v.Accel != "tcg" && v.Accel != "kvm") || v.Kernel == "" {
		t.Errorf("variant %+v", v)
	}
	if os.Getpid() == 1 {
		t.Error("the test runs as PID 1, want a child of the init")
	}
}

func TestHostKernelPrefersSchedExtKernel(t *testing.T) {
	img := make([]byte, 0x300)
	copy(img[0x202:], "HdrS")
	scx := t.TempDir() + "/bzImage-scx"
	if err := os.WriteFile(scx, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(spec.EnvSchedExtKernel, scx)
	k, err := hostKernel(spec.Spec{Scheduler: &spec.Scheduler{Name: "gauntlet_min"}})
	if err != nil || k.Path != scx || k.SchedExt == nil || !*k.SchedExt {
		t.Errorf("with a scheduler: %+v, %v", k, err)
	}
	t.Setenv(spec.EnvSchedExtKernel, "/nonexistent/bzImage")
	if _, err := hostKernel(spec.Spec{Scheduler: &spec.Scheduler{Name: "x"}}); err == nil || !strings.Contains(err.Error(), spec.EnvSchedExtKernel) {
		t.Errorf("bad %s: %v", spec.EnvSchedExtKernel, err)
	}
}
