package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// fakeVMs replaces the VM runner: each boot calls fn, and the fake
// records the configs and the most vCPUs running at once.
type fakeVMs struct {
	mu      sync.Mutex
	cfgs    []vm.Config
	running int
	maxCPUs int
	fn      func(ctx context.Context, cfg vm.Config) (vm.Result, error)
}

func (f *fakeVMs) boot(ctx context.Context, cfg vm.Config) (vm.Result, error) {
	f.mu.Lock()
	f.cfgs = append(f.cfgs, cfg)
	f.running += min(cfg.Topology.CPUs(), testHost.CPUs)
	f.maxCPUs = max(f.maxCPUs, f.running)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running -= min(cfg.Topology.CPUs(), testHost.CPUs)
		f.mu.Unlock()
	}()
	return f.fn(ctx, cfg)
}

// runSeams sets up planning on the fixtures, a fake kernel, TCG, and the
// fake VM runner.
func runSeams(t *testing.T, f *fakeVMs) {
	t.Helper()
	planSeams(t)
	oldHost, oldKernel, oldQEMU, oldBoot := runHostInfo, findKernel, lookQEMU, bootVM
	runHostInfo = func() (hostInfo, error) { return testHost, nil }
	findKernel = func(string) (kernel.Kernel, error) { return kernel.Kernel{Path: "/fake/bzImage", Step: "test"}, nil }
	lookQEMU = func() (string, error) { return "/fake/qemu", nil }
	bootVM = f.boot
	t.Cleanup(func() { runHostInfo, findKernel, lookQEMU, bootVM = oldHost, oldKernel, oldQEMU, oldBoot })
}

// guestOutput is what a passing or failing test prints in the guest.
func guestOutput(test string, fail bool) []byte {
	if fail {
		return fmt.Appendf(nil, "=== RUN   %s\n    x_test.go:9: stuck 3500ms on cpu1 at +1200ms\n--- FAIL: %s (2.00s)\nFAIL\n", test, test)
	}
	return fmt.Appendf(nil, "=== RUN   %s\n--- PASS: %s (2.00s)\nPASS\n", test, test)
}

func runDirs(t *testing.T, out string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(out, "2*"))
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

func TestRunFakeVMs(t *testing.T) {
	f := &fakeVMs{fn: func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
		test := strings.TrimSuffix(strings.TrimPrefix(cfg.Args[1], "^"), "$")
		fail := strings.Contains(cfg.Variant.Name, "smt-2llc")
		out := guestOutput(test, fail)
		cfg.Output.Write(out)
		res := vm.Result{Outcome: spec.OutcomePass, Output: out, Accel: spec.AccelTCG, BootTime: 5 * time.Second, TotalTime: 8 * time.Second}
		if fail {
			res.Outcome, res.Reason = spec.OutcomeFail, "test failed"
		}
		return res, nil
	}}
	runSeams(t, f)
	out := t.TempDir()
	code, stdout, stderr := gauntlet(t, "run", "--accel", "tcg", "--history=", "--out", out, "--presets", "tiny-1llc,smt-2llc", schedFixture)
	if code != exitFail {
		t.Fatalf("exit %d, want %d (a variant fails); stderr: %s\nstdout:\n%s", code, exitFail, stderr, stdout)
	}
	if f.maxCPUs > testHost.CPUs {
		t.Errorf("VMs holding %d host CPUs ran at once; the host has %d", f.maxCPUs, testHost.CPUs)
	}
	// Every VM boots the fixture's test binary, selecting exactly its test.
	for _, cfg := range f.cfgs {
		if filepath.Base(cfg.Init) == "" || cfg.Args[0] != "-test.run" || !strings.HasPrefix(cfg.Args[1], "^Test") || cfg.Args[2] != "-test.v" {
			t.Errorf("VM %s: init %s args %q", cfg.Variant.Name, cfg.Init, cfg.Args)
		}
		if cfg.Topology != cfg.Variant.Topology || cfg.Accel != spec.AccelTCG || cfg.ConsoleLog == "" {
			t.Errorf("VM %s: topology %s (variant %s), accel %s, console %q", cfg.Variant.Name, cfg.Topology, cfg.Variant.Topology, cfg.Accel, cfg.ConsoleLog)
		}
	}
	dirs := runDirs(t, out)
	if len(dirs) != 1 {
		t.Fatalf("run directories %v, want one", dirs)
	}
	junit, err := readJUnitPath(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	cases := report.CasesFromJUnit(junit)
	host, failed := 0, 0
	for _, c := range cases {
		if c.Host() {
			host++
		}
		if c.Outcome.Failed() {
			failed++
			if !strings.Contains(c.Variant, "smt-2llc") {
				t.Errorf("%s failed, only smt-2llc variants should", c.Variant)
			}
		}
	}
	if host != 1 || failed == 0 || len(cases) != len(f.cfgs)+1 {
		t.Errorf("JUnit has %d cases (%d host, %d failed); want the %d VMs plus 1 host test, some failed", len(cases), host, failed, len(f.cfgs))
	}
	res := readResults(t, filepath.Join(dirs[0], runResultsName))
	if len(res.Variants) != len(f.cfgs) || res.Accel != "tcg" {
		t.Errorf("results.json: %d variants on %s, want %d on tcg", len(res.Variants), res.Accel, len(f.cfgs))
	}
	for _, v := range res.Variants {
		if v.BootS != 5 || v.TotalS != 8 {
			t.Errorf("results.json %s: boot %v total %v, want the measured 5 and 8", v.Variant, v.BootS, v.TotalS)
		}
	}
	for _, want := range []string{"stuck 3500ms on cpu1 at +1200ms", "FAIL: ", "results: " + dirs[0]} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// A later plan reads the measured times through --history.
	code, planOut, stderr := gauntlet(t, "plan", "--accel", "tcg", "--history", out, "--presets", "tiny-1llc,smt-2llc", "--json", schedFixture)
	if code != exitPass {
		t.Fatalf("plan with history: exit %d: %s", code, stderr)
	}
	var plan struct {
		Selected []struct {
			EstS float64 `json:"est_s"`
		} `json:"selected"`
	}
	if err := json.Unmarshal([]byte(planOut), &plan); err != nil {
		t.Fatal(err)
	}
	for _, s := range plan.Selected {
		if s.EstS != 8 {
			t.Errorf("plan after a run estimates %vs, want the measured 8s", s.EstS)
			break
		}
	}
}

func readResults(t *testing.T, path string) *budget.Results {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := budget.ReadResults(bytes.NewReader(b), path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRunInterrupted: a cancelled run kills what runs, starts nothing
// more, still writes every variant's result, and exits 128+SIGINT.
func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeVMs{}
	f.fn = func(vctx context.Context, cfg vm.Config) (vm.Result, error) {
		cancel() // Ctrl-C while the first VM runs
		<-vctx.Done()
		return vm.Result{}, fmt.Errorf("boot vm: %w", vctx.Err())
	}
	runSeams(t, f)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"run", "--accel", "tcg", "--history=", "--out", out, "--presets", "tiny-1llc", schedFixture}, &stdout, &stderr)
	if code != 130 {
		t.Errorf("exit %d, want 130; stderr %s", code, stderr.String())
	}
	if len(f.cfgs) != 1 {
		t.Errorf("%d VMs booted after the interrupt, want only the first", len(f.cfgs))
	}
	dirs := runDirs(t, out)
	if len(dirs) != 1 {
		t.Fatalf("run directories %v, want one", dirs)
	}
	junit, err := readJUnitPath(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	notRun := 0
	for _, c := range report.CasesFromJUnit(junit) {
		if c.Outcome == spec.OutcomeNotRun {
			notRun++
		}
	}
	if notRun < 2 {
		t.Errorf("JUnit lists %d not-run variants, want every planned VM variant", notRun)
	}
}

func TestRunNewDirEachTime(t *testing.T) {
	out := t.TempDir()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for range 3 {
		d, err := newRunDir(out, now)
		if err != nil {
			t.Fatal(err)
		}
		if seen[d] {
			t.Fatalf("run directory %s handed out twice", d)
		}
		seen[d] = true
	}
}

func TestRunSetupErrors(t *testing.T) {
	runSeams(t, &fakeVMs{})
	findKernel = func(string) (kernel.Kernel, error) {
		return kernel.Kernel{}, fmt.Errorf("%w: tried KTSTR_TEST_KERNEL, /boot/vmlinuz; fix: gauntlet kernel build", kernel.ErrNotFound)
	}
	code, _, stderr := gauntlet(t, "run", "--accel", "tcg", "--out", t.TempDir(), schedFixture)
	if code != exitSetup || !strings.Contains(stderr, "no kernel found") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("no kernel: exit %d, stderr %q; want exit 2 and one line", code, stderr)
	}
	code, _, stderr = gauntlet(t, "run", "--out", "", schedFixture)
	if code != exitSetup || !strings.Contains(stderr, "--out is empty") {
		t.Errorf("empty --out: exit %d, stderr %q", code, stderr)
	}
}
