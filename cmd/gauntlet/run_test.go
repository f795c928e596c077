package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/fakeguest"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/run"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// runCLI is testCLI with a fake kernel, QEMU and VM runner: boot plays
// each VM.
func runCLI(boot func(context.Context, vm.Config) (vm.Result, error)) (*cli, *bytes.Buffer, *bytes.Buffer) {
	c, out, errb := testCLI()
	c.runner.LookQEMU = func() (string, error) { return "/fake/qemu", nil }
	c.runner.FindKernel = func(string) (kernel.Kernel, error) { return kernel.Kernel{Path: "/fake/bzImage", Step: "test"}, nil }
	c.runner.SchedExtKernel = func() (*kernel.Kernel, error) { return nil, nil }
	c.runner.BootVM = boot
	return c, out, errb
}

func runDirs(t *testing.T, out string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(out, "2*"))
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestRunExitStatus: 0 when every variant passes, 1 when one fails (and
// the failure is on stdout); each run writes its own directory.
func TestRunExitStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		marker string
		code   int
		want   string
	}{
		{"", exitPass, "PASS: "},
		{"smt-2llc", exitFail, "stuck 3500ms on cpu1 at +1200ms"},
	} {
		c, out, errb := runCLI(fakeguest.FailOn(tc.marker))
		dir := t.TempDir()
		code, stdout, stderr := gauntletWith(c, out, errb, "run", "--accel", "tcg", "--history=", "--out", dir, "--presets", "tiny-1llc,smt-2llc", schedFixture)
		if code != tc.code || !strings.Contains(stdout, tc.want) || stderr != "" {
			t.Errorf("fail on %q: exit %d, stderr %q; want %d and %q in stdout:\n%s", tc.marker, code, stderr, tc.code, tc.want, stdout)
		}
		dirs := runDirs(t, dir)
		if len(dirs) != 1 || !strings.Contains(stdout, "results: "+dirs[0]) {
			t.Errorf("run directories %v, want one named on stdout", dirs)
		}
	}
}

// TestRunInterrupted: a cancelled run exits 128+SIGINT.
func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, _, errb := runCLI(func(vctx context.Context, cfg vm.Config) (vm.Result, error) {
		cancel() // Ctrl-C while the first VM runs
		<-vctx.Done()
		return vm.Result{}, fmt.Errorf("boot vm: %w", vctx.Err())
	})
	code := c.run(ctx, []string{"run", "--accel", "tcg", "--history=", "--out", t.TempDir(), "--presets", "tiny-1llc", schedFixture})
	if code != 130 || !strings.Contains(errb.String(), "gauntlet: interrupted: ") || !strings.Contains(errb.String(), "; partial results written") {
		t.Errorf("exit %d, want 130; stderr %s", code, errb.String())
	}
}

func TestRunSetupErrors(t *testing.T) {
	t.Parallel()
	c, out, errb := runCLI(fakeguest.FailOn(""))
	c.runner.FindKernel = func(string) (kernel.Kernel, error) {
		return kernel.Kernel{}, fmt.Errorf("%w: tried KTSTR_TEST_KERNEL, /boot/vmlinuz; fix: gauntlet kernel build", kernel.ErrNotFound)
	}
	code, _, stderr := gauntletWith(c, out, errb, "run", "--accel", "tcg", "--out", t.TempDir(), schedFixture)
	if code != exitSetup || !strings.Contains(stderr, "no kernel found") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("no kernel: exit %d, stderr %q; want exit 2 and one line", code, stderr)
	}
	code, _, stderr = gauntlet(t, "run", "--out", "", schedFixture)
	if code != exitSetup || !strings.Contains(stderr, "--out is empty") {
		t.Errorf("empty --out: exit %d, stderr %q", code, stderr)
	}
}

// TestExitCodes maps the run package's errors.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	c, _, errb := testCLI()
	for err, want := range map[error]int{
		nil:                                   exitPass,
		run.ErrTestsFailed:                    exitFail,
		&run.UsageError{Err: fmt.Errorf("x")}: exitSetup,
		fmt.Errorf("boot: %w", vm.ErrNoQEMU):  exitSetup,
		&exitError{Code: 7}:                   7,
	} {
		if got := c.exitCode(context.Background(), err); got != want {
			t.Errorf("exitCode(%v) = %d, want %d", err, got, want)
		}
	}
	if strings.Count(errb.String(), "\n") != 2 {
		t.Errorf("stderr %q, want the two setup errors", errb.String())
	}
}
