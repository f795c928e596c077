package launch

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
	"github.com/gauntlet-sched/gauntlet/vm"
)

func TestSchedulerFiles(t *testing.T) {
	if f, lp, err := SchedulerFiles(spec.Spec{}); f != nil || lp != nil || err != nil {
		t.Errorf("no scheduler: %v %v %v", f, lp, err)
	}
	static := filepath.Join(t.TempDir(), "scx_simple")
	os.WriteFile(static, []byte("#!/bin/sh\n"), 0o755)
	f, lp, err := SchedulerFiles(spec.Spec{Scheduler: &spec.Scheduler{Name: "x", Binary: static}})
	if err != nil || len(f) != 1 || f[0].Host != static || f[0].Guest != "/gauntlet/sched/scx_simple" || lp != nil {
		t.Errorf("files %+v %v %v", f, lp, err)
	}
	link := filepath.Join(t.TempDir(), "scx_link")
	os.Symlink(static, link)
	f, _, err = SchedulerFiles(spec.Spec{Scheduler: &spec.Scheduler{Name: "x", Binary: link}})
	if err != nil || f[0].Host != static || f[0].Guest != "/gauntlet/sched/scx_link" {
		t.Errorf("a link: %+v %v; want the file it names under its own name", f, err)
	}
	_, _, err = SchedulerFiles(spec.Spec{Scheduler: &spec.Scheduler{Name: "nope", Binary: "/nonexistent/scx_nope"}})
	var be *SchedulerBinaryError
	if !errors.As(err, &be) || err.Error() != "scheduler nope: binary /nonexistent/scx_nope: no such file or directory (Spec.Scheduler.Binary is a path on the host)" {
		t.Errorf("missing binary: %v", err)
	}
	plain := filepath.Join(t.TempDir(), "scx_plain")
	os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o644)
	_, _, err = SchedulerFiles(spec.Spec{Scheduler: &spec.Scheduler{Name: "plain", Binary: plain}})
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "binary "+plain+": not executable (chmod +x it)") {
		t.Errorf("not executable: %v", err)
	}
}

// TestVariantConfigOverride: a variant's scheduler (--scheduler) is
// packed for a Spec without one, and the Spec's own wins over it.
func TestVariantConfigOverride(t *testing.T) {
	dir := t.TempDir()
	over, own := filepath.Join(dir, "scx_simple"), filepath.Join(dir, "scx_own")
	for _, p := range []string{over, own} {
		os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755)
	}
	v := spec.Variant{Name: "TestX/tiny-1llc/scx_simple", Scheduler: &spec.Scheduler{Binary: over, Args: []string{"-f"}}}
	cfg := VariantConfig("/init-bin", "TestX", spec.Spec{}, v, kernel.Kernel{Path: "/k"})
	if len(cfg.Files) != 1 || cfg.Files[0].Host != over || cfg.Files[0].Guest != "/gauntlet/sched/scx_simple" {
		t.Errorf("override: files %+v", cfg.Files)
	}
	if cfg.Variant.Scheduler == nil || cfg.Variant.Scheduler.Binary != over {
		t.Errorf("the request's variant %+v does not carry the override", cfg.Variant)
	}
	cfg = VariantConfig("/init-bin", "TestX", spec.Spec{Scheduler: &spec.Scheduler{Name: "own", Binary: own}}, v, kernel.Kernel{Path: "/k"})
	if len(cfg.Files) != 1 || cfg.Files[0].Host != own {
		t.Errorf("a Spec's own scheduler: files %+v, want it and not the override", cfg.Files)
	}
}

// TestSchedulerFilesDynamic packs a dynamically linked program of the
// host: the binary, its interpreter and every library ldd lists, at
// their host paths, with the libraries' directories for the guest.
func TestSchedulerFilesDynamic(t *testing.T) {
	bin, err := exec.LookPath("ls")
	if err != nil {
		t.Skip("no ls on the host:", err)
	}
	out, err := exec.Command("ldd", bin).Output()
	if err != nil {
		t.Skipf("ldd %s: %v (a static ls?)", bin, err)
	}
	var want []string
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			want = append(want, f[2])
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			want = append(want, f[0])
		}
	}
	files, libPath, err := SchedulerFiles(spec.Spec{Scheduler: &spec.Scheduler{Name: "ls", Binary: bin}})
	if err != nil {
		t.Fatal(err)
	}
	if real, _ := filepath.EvalSymlinks(bin); files[0].Host != real || files[0].Guest != "/gauntlet/sched/ls" {
		t.Errorf("binary %+v", files[0])
	}
	got := map[string]string{}
	for _, f := range files[1:] {
		got[f.Guest] = f.Host
		if real, _ := filepath.EvalSymlinks(f.Guest); real != f.Host {
			t.Errorf("%s packed from %s, want the file it names, %s", f.Guest, f.Host, real)
		}
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("ldd lists %s; packed %v", w, got)
		}
	}
	if len(got) != len(want) || len(libPath) == 0 {
		t.Errorf("packed %v (lib path %v); ldd lists %v", got, libPath, want)
	}
	cfg := VariantConfig("/init-bin", "TestX", spec.Spec{Scheduler: &spec.Scheduler{Name: "ls", Binary: bin}}, spec.Variant{Name: "TestX"}, kernel.Kernel{Path: "/k"})
	if len(cfg.Files) != len(files) || !slices.Contains(cfg.Env, spec.EnvSchedulerLibPath+"="+strings.Join(libPath, ":")) {
		t.Errorf("variant config files %d (want %d), env %v", len(cfg.Files), len(files), cfg.Env)
	}
}

func TestRunTestMissingSchedulerBinary(t *testing.T) {
	s := spec.Spec{Scheduler: &spec.Scheduler{Name: "nope", Binary: "/nonexistent/scx_nope"}}
	r := &recordingTB{TB: t}
	RunTest(r, s, Options{})
	if got := strings.Join(r.errors, "|"); !strings.Contains(got, "scheduler nope never attached: scheduler nope: binary /nonexistent/scx_nope: no such file or directory") {
		t.Errorf("errors %q", got)
	}
	r = &recordingTB{TB: t}
	var seen spec.SchedulerExit
	RunTest(r, s, Options{ExpectSchedulerExit: func(e spec.SchedulerExit) error { seen = e; return nil }})
	if len(r.errors) > 0 || seen.Attached || seen.DetectedBy != spec.DetectedStart {
		t.Errorf("expected: errors %q, exit %+v", r.errors, seen)
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
		{vm.Result{Outcome: spec.OutcomePass, Accel: spec.AccelTCG, KernelNote: "booted the bzImage: no PVH"}, "", "passed in a tcg VM (; boot 0s, total 0s)|gauntlet: kernel: booted the bzImage: no PVH"},
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
	dir := t.TempDir()
	l := &lineLogger{t: r, dir: func() string { return dir }}
	l.Write([]byte("one\ntw"))
	l.Write([]byte("o\n" + spec.FileBeginPrefix + "sched-x-loader.log\nline 1\n\\" + spec.FileEndPrefix + "x\nline"))
	l.Write([]byte(" 3\n" + spec.FileEndPrefix + "sched-x-loader.log\nthree"))
	l.Flush()
	logs := strings.Join(r.logs, "|")
	if !strings.HasPrefix(logs, "guest: one|guest: two|gauntlet: guest log file sched-x-loader.log (3 lines): ") || !strings.HasSuffix(logs, "|guest: three") {
		t.Errorf("logs %q", logs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "sched-x-loader.log"))
	if err != nil || string(b) != "line 1\n"+spec.FileEndPrefix+"x\nline 3\n" {
		t.Errorf("file %q, %v", b, err)
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
	RunTest(r, spec.Spec{Topology: "1n2l2c1t"}, Options{})
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
	RunTest(r, spec.Spec{}, Options{})
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
