package vm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// The shell runner tests start a /bin/sh script as a fake QEMU: it plays
// the guest's init on the status port (fd 3) and the console on stdout,
// which covers exit statuses, QEMU failures and cancellation without
// QEMU or a kernel.

// fakeShell returns a ShellConfig whose QEMU is a script running body,
// with a fake kernel image and a fake static busybox; per-run temporary
// directories land in a fresh TMPDIR.
func fakeShell(t *testing.T, body string) ShellConfig {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	dir := t.TempDir()
	qemu := filepath.Join(dir, "qemu")
	if err := os.WriteFile(qemu, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	img := make([]byte, 0x300)
	copy(img[0x202:], "HdrS")
	kernel := filepath.Join(dir, "bzImage")
	if err := os.WriteFile(kernel, img, 0o644); err != nil {
		t.Fatal(err)
	}
	return ShellConfig{Kernel: kernel, Busybox: fakeELF(t, "", 62), QEMU: qemu, Accel: spec.AccelTCG, CacheDir: t.TempDir()}
}

// assertShellClean checks that the run's temporary directory is gone.
func assertShellClean(t *testing.T) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "gauntlet-shell-*")); len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

func TestShellFakeExitStatus(t *testing.T) {
	cfg := fakeShell(t, `echo "console: $*"; echo "ready 1.25" >&3; echo "exit 7" >&3`)
	cfg.Topology = topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
	var out bytes.Buffer
	cfg.Stdout = &out
	res, err := cfg.Run(t.Context())
	if err != nil || res.ExitCode != 7 {
		t.Fatalf("got exit %d, %v; want 7", res.ExitCode, err)
	}
	if !strings.Contains(out.String(), "-smp 2,sockets=1,cores=2,threads=1") || !strings.Contains(out.String(), "-serial mon:stdio") {
		t.Errorf("console output %q lacks the QEMU arguments", out.String())
	}
	if res.BootTime <= 0 || res.GuestUptime != 1250*time.Millisecond || res.TotalTime < res.BootTime || res.Accel != spec.AccelTCG ||
		!strings.HasPrefix(res.Name, fmt.Sprintf("gauntlet-shell-%d-", os.Getpid())) || !strings.Contains(res.QEMUArgs, res.Name) {
		t.Errorf("result %+v", res)
	}
	assertShellClean(t)
}

func TestShellFakeNoStatus(t *testing.T) {
	// QEMU quit (Ctrl-A X) before the guest reported: no error, no status.
	res, err := fakeShell(t, `echo "ready 1" >&3; exit 0`).Run(t.Context())
	if err != nil || res.ExitCode != -1 || res.BootTime <= 0 {
		t.Errorf("quit: got %+v, %v; want exit -1 and no error", res, err)
	}
	// QEMU failed: its last stderr line is the error.
	var stderr bytes.Buffer
	cfg := fakeShell(t, `echo "qemu-system-x86_64: -smp 9: bad" >&2; exit 1`)
	cfg.Stderr = &stderr
	res, err = cfg.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "exit status 1: qemu-system-x86_64: -smp 9: bad") || res.ExitCode != -1 {
		t.Errorf("qemu failure: got %+v, %v", res, err)
	}
	if !strings.Contains(stderr.String(), "-smp 9: bad") {
		t.Errorf("QEMU's stderr %q did not reach Stderr", stderr.String())
	}
	assertShellClean(t)
}

// TestShellFakeCancel cancels a run whose QEMU ignores SIGTERM: it is
// killed after shellStopDelay and the temporary files are removed.
func TestShellFakeCancel(t *testing.T) {
	defer func(d time.Duration) { shellStopDelay = d }(shellStopDelay)
	shellStopDelay = 200 * time.Millisecond
	pidFile := filepath.Join(t.TempDir(), "pid")
	for _, body := range []string{
		`echo $$ > ` + pidFile + `; echo hanging; exec sleep 600`,               // exits on SIGTERM
		`trap '' TERM; echo $$ > ` + pidFile + `; echo hanging; exec sleep 600`, // needs SIGKILL
	} {
		cfg := fakeShell(t, body)
		ctx, cancel := context.WithCancel(t.Context())
		cfg.Stdout = cancelOn{"hanging", cancel}
		res, err := cfg.Run(ctx)
		cancel()
		if !errors.Is(err, context.Canceled) || res.ExitCode != -1 {
			t.Errorf("%s: got %+v, %v; want context.Canceled", body, res, err)
		}
		assertGone(t, pidFile)
		assertShellClean(t)
	}
}

// assertGone checks that the process whose pid is in file has ended.
func assertGone(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("fake qemu (pid %d) is still there: %v", pid, err)
	}
}

func TestShellFakeKVMFailure(t *testing.T) {
	cfg := fakeShell(t, `echo "KVM internal error. Suberror: 1" >&2; echo "emulation failure" >&2; exec sleep 600`)
	cfg.Accel = spec.AccelKVM
	res, err := cfg.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "kvm cannot run this guest (KVM internal error. Suberror: 1)") || res.ExitCode != -1 {
		t.Errorf("got %+v, %v", res, err)
	}
	assertShellClean(t)
}

func TestShellRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*ShellConfig)
		want string
		is   error
	}{
		{func(c *ShellConfig) { c.Kernel = "" }, "Kernel is empty", ErrBadConfig},
		{func(c *ShellConfig) { c.Kernel = c.Busybox }, "no bzImage header", kernel.ErrNotImage},
		{func(c *ShellConfig) { c.Busybox = "/nonexistent/busybox" }, "busybox /nonexistent/busybox is missing or not an x86-64 ELF program: no static busybox (install it: apt-get install busybox-static)", spec.ErrNotSupported},
		{func(c *ShellConfig) { c.Busybox = fakeELF(t, "/lib64/ld-linux-x86-64.so.2", 62) }, "is dynamically linked", ErrNoBusybox},
		{func(c *ShellConfig) { c.Topology = topo.Topology{NUMA: 2, LLCs: 3, CoresPerLLC: 1, ThreadsPerCore: 1} }, "multiple of NUMA", ErrBadConfig},
		{func(c *ShellConfig) { c.Topology = topo.Topology{NUMA: 1, LLCs: 14, CoresPerLLC: 9, ThreadsPerCore: 2} }, "APIC IDs up to 433", spec.ErrNotSupported},
		{func(c *ShellConfig) { c.Accel = "hvf" }, `accelerator "hvf" is not one of auto, kvm, tcg`, ErrBadConfig},
		{func(c *ShellConfig) { c.MemoryMiB = -1 }, "MemoryMiB -1 is negative", ErrBadConfig},
		{func(c *ShellConfig) { c.Include = []string{"/nonexistent/file"} }, "include /nonexistent/file: no such file or directory", os.ErrNotExist},
	} {
		cfg := fakeShell(t, `echo "ready 1" >&3; echo "exit 0" >&3`)
		tc.mod(&cfg)
		res, err := cfg.Run(t.Context())
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") || res.ExitCode != -1 {
			t.Errorf("got %v, want one line wrapping %v containing %q", err, tc.is, tc.want)
		}
		assertShellClean(t)
	}
}
