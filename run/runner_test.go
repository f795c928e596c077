package run

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/fakeguest"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// fakeVMs is a [Runner.BootVM]: each boot calls fn, and the fake records
// the configs booted, those of every test run (booted or chained by
// Next), each VM's chain of tests with their results as Next saw them,
// and the most host CPUs held by VMs at once.
type fakeVMs struct {
	mu      sync.Mutex
	cfgs    []vm.Config
	tests   []vm.Config
	chains  [][]chained
	running int
	maxCPUs int
	fn      func(ctx context.Context, cfg vm.Config) (vm.Result, error)
}

// chained is one test of a VM and its result, as its Next saw it.
type chained struct {
	variant string
	res     vm.Result
}

func (f *fakeVMs) boot(ctx context.Context, cfg vm.Config) (vm.Result, error) {
	f.mu.Lock()
	f.cfgs = append(f.cfgs, cfg)
	f.tests = append(f.tests, cfg)
	chain := len(f.chains)
	f.chains = append(f.chains, nil)
	cfg.Next = f.recordNext(cfg, chain)
	w := hostCores(cfg)
	f.running += w
	f.maxCPUs = max(f.maxCPUs, f.running)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running -= w
		f.mu.Unlock()
	}()
	return f.fn(ctx, cfg)
}

// recordNext wraps the Next of cfg, a test of the VM of chain, to record
// its result and the tests it chains.
func (f *fakeVMs) recordNext(cfg vm.Config, chain int) func(vm.Result) *vm.Config {
	if cfg.Next == nil {
		return nil
	}
	return func(res vm.Result) *vm.Config {
		f.mu.Lock()
		f.chains[chain] = append(f.chains[chain], chained{cfg.Variant.Name, res})
		f.mu.Unlock()
		c := cfg.Next(res)
		if c == nil {
			return nil
		}
		cc := *c
		f.mu.Lock()
		f.tests = append(f.tests, cc)
		f.mu.Unlock()
		cc.Next = f.recordNext(*c, chain)
		return &cc
	}
}

// hostCores is how many of testHost's cores a VM of cfg keeps busy under
// TCG: one when it runs single-threaded, else min(vCPUs, host cores).
func hostCores(cfg vm.Config) int {
	if spec.SingleThreadedTCG(cfg.Topology.CPUs(), testHost.CPUs) {
		return 1
	}
	return min(cfg.Topology.CPUs(), testHost.CPUs)
}

// testRunner plans like testPlanner and boots with f, on a fake kernel
// under TCG.
func testRunner(f *fakeVMs) *Runner {
	return &Runner{
		Planner:        testPlanner(),
		LookQEMU:       func() (string, error) { return "/fake/qemu", nil },
		FindKernel:     func(string) (kernel.Kernel, error) { return kernel.Kernel{Path: "/fake/bzImage", Step: "test"}, nil },
		SchedExtKernel: func() (*kernel.Kernel, error) { return nil, nil },
		DetectAccel: func(context.Context, string, string) (spec.Accel, string, error) {
			return "", "", errors.New("DetectAccel called with an explicit accelerator")
		},
		BootVM: f.boot,
	}
}

// testConfig runs the presets of the sched fixture under TCG into a new
// directory.
func testConfig(t *testing.T, presetNames string) (Config, *bytes.Buffer) {
	var stdout bytes.Buffer
	cfg := Config{
		Plan: PlanConfig{Accel: spec.AccelTCG, Presets: presets(t, presetNames), Patterns: []string{schedFixture}},
		Out:  t.TempDir(), Stdout: &stdout,
	}
	return cfg, &stdout
}

// failOn boots fake guests ([fakeguest.FailOn]) whose test fails on
// variants containing marker.
func failOn(marker string) *fakeVMs { return &fakeVMs{fn: fakeguest.FailOn(marker)} }

func TestRunFakeVMs(t *testing.T) {
	t.Parallel()
	f := failOn("smt-2llc")
	cfg, stdout := testConfig(t, "tiny-1llc,smt-2llc")
	cfg.Plan.FreshVM = true // every variant boots: checkRunDir counts boots and their times
	res, err := testRunner(f).Run(context.Background(), cfg)
	if !errors.Is(err, ErrTestsFailed) {
		t.Fatalf("err %v, want ErrTestsFailed (a variant fails)\nstdout:\n%s", err, stdout)
	}
	if f.maxCPUs > testHost.CPUs {
		t.Errorf("VMs holding %d host CPUs ran at once; the host has %d", f.maxCPUs, testHost.CPUs)
	}
	// Every VM boots the fixture's test binary, selecting exactly its test.
	for _, c := range f.cfgs {
		if filepath.Base(c.Init) == "" || c.Args[0] != "-test.run" || !strings.HasPrefix(c.Args[1], "^Test") || c.Args[2] != "-test.v" {
			t.Errorf("VM %s: init %s args %q", c.Variant.Name, c.Init, c.Args)
		}
		if c.Topology != c.Variant.Topology || c.Accel != spec.AccelTCG || c.ConsoleLog == "" {
			t.Errorf("VM %s: topology %s (variant %s), accel %s, console %q", c.Variant.Name, c.Topology, c.Variant.Topology, c.Accel, c.ConsoleLog)
		}
	}
	checkRunDir(t, res, len(f.cfgs))
	for _, want := range []string{"stuck 3500ms on cpu1 at +1200ms", "FAIL: ", "results: " + res.Dir} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// A later plan reads the measured times through the history.
	p := testPlanner()
	pl, err := p.Plan(context.Background(), PlanConfig{Accel: spec.AccelTCG, History: cfg.Out, Presets: cfg.Plan.Presets, Patterns: cfg.Plan.Patterns, FreshVM: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	for _, s := range jsonOf(t, pl).Selected {
		if s.EstS != 8 {
			t.Errorf("plan after a run estimates %vs, want the measured 8s", s.EstS)
			break
		}
	}
}

// checkRunDir checks the run directory of a run of vms VMs of which some
// failed on smt-2llc, and the Result.
func checkRunDir(t *testing.T, res *Result, vms int) {
	t.Helper()
	junit, err := readJUnitPath(res.Dir)
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
	if host != 1 || failed == 0 || len(cases) != vms+1 || len(res.Cases) != len(cases) {
		t.Errorf("JUnit has %d cases (%d host, %d failed), the result %d; want the %d VMs plus 1 host test, some failed", len(cases), host, failed, len(res.Cases), vms)
	}
	r, err := readResultsFile(filepath.Join(res.Dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Variants) != vms || r.Accel != "tcg" {
		t.Errorf("results.json: %d variants on %s, want %d on tcg", len(r.Variants), r.Accel, vms)
	}
	for _, v := range r.Variants {
		if v.BootS != 5 || v.TotalS != 8 {
			t.Errorf("results.json %s: boot %v total %v, want the measured 5 and 8", v.Variant, v.BootS, v.TotalS)
		}
		if v.HostCPUs < 1 || v.HostCPUs > r.Host.CPUs {
			t.Errorf("results.json %s: host_cpus %d, want its weight, 1 to the host's %d", v.Variant, v.HostCPUs, r.Host.CPUs)
		}
	}
	// The timeline names every VM once, under a slot, and counts host CPU time.
	tl, err := os.ReadFile(filepath.Join(res.Dir, TimelineFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(tl), " of slot time: scenarios ") || !strings.Contains(string(tl), " of host CPU time: scenarios ") ||
		strings.Count(string(tl), " boot ") != vms {
		t.Errorf("timeline does not list the %d VMs:\n%s", vms, tl)
	}
}

// TestRunVerbose streams each variant's output with its name, and the
// clock names the run directory.
func TestRunVerbose(t *testing.T) {
	t.Parallel()
	r := testRunner(failOn(""))
	r.Now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
	cfg, stdout := testConfig(t, "tiny-1llc")
	cfg.Verbose, cfg.JUnit = true, filepath.Join(t.TempDir(), "copy.xml")
	res, err := r.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if !strings.HasPrefix(filepath.Base(res.Dir), "20261126-120000-") || res.Elapsed != 0 {
		t.Errorf("run directory %s, elapsed %v under a stopped clock", res.Dir, res.Elapsed)
	}
	if !strings.Contains(stdout.String(), "TestSteady/tiny-1llc/default: --- PASS: TestSteady") {
		t.Errorf("stdout lacks the prefixed guest output:\n%s", stdout)
	}
	if _, err := os.Stat(cfg.JUnit); err != nil {
		t.Errorf("JUnit copy: %v", err)
	}
	if !strings.HasPrefix(res.Summary(), "PASS: ") {
		t.Errorf("summary %q", res.Summary())
	}
}

// TestRunInterrupted: a cancelled run kills what runs, starts nothing
// more, still writes every variant's result, and says it was
// interrupted.
func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeVMs{}
	f.fn = func(vctx context.Context, cfg vm.Config) (vm.Result, error) {
		cancel() // Ctrl-C while the first VM runs
		<-vctx.Done()
		return vm.Result{}, fmt.Errorf("boot vm: %w", vctx.Err())
	}
	cfg, _ := testConfig(t, "tiny-1llc")
	res, err := testRunner(f).Run(ctx, cfg)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "partial results written") {
		t.Errorf("err %v, want an interruption", err)
	}
	if len(f.cfgs) != 1 {
		t.Errorf("%d VMs booted after the interrupt, want only the first", len(f.cfgs))
	}
	junit, err := readJUnitPath(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	notRun, killed := 0, 0
	for _, c := range report.CasesFromJUnit(junit) {
		if c.Outcome == spec.OutcomeNotRun {
			notRun++
		}
		if strings.Contains(c.Message, "interrupted while it ran (context canceled); its output so far is in logs/") {
			killed++
		}
	}
	if killed != 1 {
		t.Errorf("%d variants recorded as interrupted while running, want the one VM", killed)
	}
	if notRun < 2 {
		t.Errorf("JUnit lists %d not-run variants, want every planned VM variant", notRun)
	}
}

// TestRunInterruptedAccounting: an interrupted run says how many variants
// ran, passed, failed and did not start; those that did not start are
// skipped, not failed; and every case names the kernel it booted (or
// would have): the sched_ext kernel for tests with a scheduler.
func TestRunInterruptedAccounting(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pass := fakeguest.FailOn("")
	f := &fakeVMs{}
	f.fn = func(vctx context.Context, cfg vm.Config) (vm.Result, error) {
		f.mu.Lock()
		n := len(f.cfgs)
		f.mu.Unlock()
		if n == 1 {
			return pass(vctx, cfg)
		}
		cancel() // Ctrl-C while the second VM runs
		<-vctx.Done()
		return vm.Result{}, fmt.Errorf("boot vm: %w", vctx.Err())
	}
	r := testRunner(f)
	r.SchedExtKernel = func() (*kernel.Kernel, error) { return &kernel.Kernel{Path: "/fake/scx"}, nil }
	cfg, _ := testConfig(t, "tiny-1llc")
	cfg.Plan.Jobs = 1
	res, err := r.Run(ctx, cfg)
	if err == nil {
		t.Fatal("interrupted run: no error")
	}
	vms, flags := 0, 0
	for _, c := range res.Cases {
		if c.Host() {
			continue
		}
		vms++
		if c.Outcome.Failed() {
			t.Errorf("%s: %s, want pass or not run", c.Variant, c.Outcome)
		}
		want := "/fake/bzImage"
		if c.Test == "TestFlags" {
			want = "/fake/scx"
			flags++
		}
		if c.Kernel != want {
			t.Errorf("%s (%s): kernel %s, want %s", c.Variant, c.Outcome, c.Kernel, want)
		}
	}
	if flags == 0 {
		t.Error("no variant of TestFlags, the fixture's test with a scheduler")
	}
	want := fmt.Sprintf("interrupted: 1 of %d variants ran (1 passed, 0 failed, 0 skipped), %d did not start (skipped in JUnit, not failed); partial results written", vms, vms-1)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("err %q\nwant it to hold %q", err, want)
	}
}

// TestRunNotStarted: a VM that cannot start is a setup error, not a
// test failure.
func TestRunNotStarted(t *testing.T) {
	t.Parallel()
	f := &fakeVMs{fn: func(context.Context, vm.Config) (vm.Result, error) {
		return vm.Result{}, errors.New("start qemu: permission denied")
	}}
	cfg, stdout := testConfig(t, "tiny-1llc")
	_, err := testRunner(f).Run(context.Background(), cfg)
	if err == nil || errors.Is(err, ErrTestsFailed) || !strings.Contains(err.Error(), "variants could not be started") {
		t.Errorf("err %v, want variants not started", err)
	}
	if !strings.Contains(stdout.String(), "permission denied") {
		t.Errorf("stdout lacks the reason:\n%s", stdout)
	}
}

func TestRunNewDirEachTime(t *testing.T) {
	t.Parallel()
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

// TestRunSetupErrors: what the host lacks stops the run before anything
// is planned or written, with one line naming it.
func TestRunSetupErrors(t *testing.T) {
	t.Parallel()
	noKernel := testRunner(&fakeVMs{})
	noKernel.FindKernel = func(string) (kernel.Kernel, error) {
		return kernel.Kernel{}, fmt.Errorf("%w: tried KTSTR_TEST_KERNEL, /boot/vmlinuz; fix: gauntlet kernel build", kernel.ErrNotFound)
	}
	noQEMU := testRunner(&fakeVMs{})
	noQEMU.LookQEMU = func() (string, error) { return "", vm.ErrNoQEMU }
	for name, tc := range map[string]struct {
		r    *Runner
		want error
	}{"no kernel": {noKernel, kernel.ErrNotFound}, "no qemu": {noQEMU, vm.ErrNoQEMU}} {
		cfg, _ := testConfig(t, "tiny-1llc")
		res, err := tc.r.Run(context.Background(), cfg)
		if !errors.Is(err, tc.want) || res != nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v (result %v); want one line wrapping %v", name, err, res, tc.want)
		}
		if dirs, _ := filepath.Glob(filepath.Join(cfg.Out, "*")); len(dirs) > 0 {
			t.Errorf("%s: run directories %v", name, dirs)
		}
	}
	cfg, _ := testConfig(t, "tiny-1llc")
	cfg.Out = ""
	if _, err := noKernel.Run(context.Background(), cfg); !errors.As(err, new(*UsageError)) || !strings.Contains(err.Error(), "--out is empty") {
		t.Errorf("empty Out: %v", err)
	}
}

// TestPreflightAuto asks DetectAccel only for auto.
func TestPreflightAuto(t *testing.T) {
	t.Parallel()
	r := testRunner(&fakeVMs{})
	r.DetectAccel = func(_ context.Context, kernel, _ string) (spec.Accel, string, error) {
		return spec.AccelKVM, "kvm works with " + kernel, nil
	}
	for _, asked := range []spec.Accel{"", spec.AccelAuto} {
		m, err := r.Preflight(context.Background(), "", asked)
		if err != nil || m.Accel != spec.AccelKVM || m.AccelNote != "kvm works with /fake/bzImage" {
			t.Errorf("Preflight(%q) = %+v, %v", asked, m, err)
		}
	}
	if m, err := r.Preflight(context.Background(), "", spec.AccelTCG); err != nil || m.Accel != spec.AccelTCG || m.AccelNote != "as asked" {
		t.Errorf("Preflight(tcg) = %+v, %v", m, err)
	}
}

// Files the guest sends in its output land in logs/, named in the case's
// facts, and leave the case's output.
func TestRunWritesGuestFiles(t *testing.T) {
	t.Parallel()
	f := &fakeVMs{fn: func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
		test := strings.TrimSuffix(strings.TrimPrefix(cfg.Args[1], "^"), "$")
		var out bytes.Buffer
		out.Write(fakeguest.Output(test, false)[:len("=== RUN   ")+len(test)+1])
		spec.WriteFileBlock(&out, "sched-qmap-dump.txt", []byte("DEBUG DUMP\nline 2\n"))
		out.Write(fakeguest.Output(test, false)[len("=== RUN   ")+len(test)+1:])
		return vm.Result{Outcome: spec.OutcomePass, Output: out.Bytes(), Accel: spec.AccelTCG, BootTime: time.Second, TotalTime: 2 * time.Second}, nil
	}}
	cfg, stdout := testConfig(t, "tiny-1llc")
	cfg.Plan.Run = "^TestFlags$"
	res, err := testRunner(f).Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	found := 0
	for _, c := range res.Cases {
		for _, p := range c.Properties {
			if p.Name != "gauntlet.log.sched-qmap-dump.txt" {
				continue
			}
			found++
			b, err := os.ReadFile(filepath.Join(res.Dir, p.Value))
			if err != nil || string(b) != "DEBUG DUMP\nline 2\n" {
				t.Errorf("%s: %s holds %q (%v)", c.Variant, p.Value, b, err)
			}
			if bytes.Contains(c.Output, []byte("DEBUG DUMP")) || !bytes.Contains(c.Output, []byte("--- PASS")) {
				t.Errorf("%s: output still holds the file, or lost the test's lines: %q", c.Variant, c.Output)
			}
		}
	}
	if found == 0 {
		t.Fatalf("no case names the guest's file; cases %+v", res.Cases)
	}
}

// TestRunSchedulerOverride: a --scheduler's variants of the tests
// without a scheduler boot the sched_ext kernel with the binary packed
// and carried in the request; the test that has its own (TestFlags) is
// not run under it.
func TestRunSchedulerOverride(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "scx_over")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := failOn("")
	cfg, stdout := testConfig(t, "tiny-1llc")
	cfg.Plan.Schedulers = []spec.Scheduler{{Binary: bin, Args: []string{"-f"}}}
	r := testRunner(f)
	r.SchedExtKernel = func() (*kernel.Kernel, error) { return &kernel.Kernel{Path: "/fake/scx"}, nil }
	if _, err := r.Run(context.Background(), cfg); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	over := 0
	for _, c := range f.cfgs {
		isOver := strings.HasSuffix(c.Variant.Name, "/scx_over")
		if strings.HasPrefix(c.Variant.Name, "TestFlags") && isOver {
			t.Errorf("%s: a test with its own scheduler ran under --scheduler", c.Variant.Name)
		}
		if !isOver {
			if c.Variant.Scheduler != nil {
				t.Errorf("%s carries scheduler %+v", c.Variant.Name, c.Variant.Scheduler)
			}
			continue
		}
		over++
		if c.Kernel != "/fake/scx" || c.Variant.Scheduler == nil || c.Variant.Scheduler.Binary != bin || c.Variant.Scheduler.Args[0] != "-f" {
			t.Errorf("%s: kernel %s, scheduler %+v; want the sched_ext kernel and the override", c.Variant.Name, c.Kernel, c.Variant.Scheduler)
		}
		if len(c.Files) != 1 || c.Files[0].Host != bin || c.Files[0].Guest != "/gauntlet/sched/scx_over" {
			t.Errorf("%s: files %+v, want the binary packed", c.Variant.Name, c.Files)
		}
	}
	if over == 0 {
		t.Errorf("no variant ran under --scheduler; ran %d VMs", len(f.cfgs))
	}
}

// TestRunSchedulerOverrideSkipped: a guest that skips a --scheduler's
// variants for want of sched_ext (a kernel whose config the host could
// not read) is one line naming the scheduler, and the run fails as bad
// input instead of passing without it.
func TestRunSchedulerOverrideSkipped(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "scx_over")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := &fakeVMs{fn: func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
		test := strings.TrimSuffix(strings.TrimPrefix(cfg.Args[1], "^"), "$")
		if cfg.Variant.Scheduler == nil {
			return fakeguest.FailOn("")(ctx, cfg)
		}
		out := fmt.Appendf(nil, "=== RUN   %s\n    x.go:1: scheduler scx_over: %v (/sys/kernel/sched_ext missing): boot a kernel built with CONFIG_SCHED_CLASS_EXT=y\n--- SKIP: %s (0.10s)\nPASS\n", test, spec.ErrNoSchedExt, test)
		cfg.Output.Write(out)
		return vm.Result{Outcome: spec.OutcomeSkip, Output: out, Accel: spec.AccelTCG, BootTime: time.Second, TotalTime: 2 * time.Second}, nil
	}}
	cfg, stdout := testConfig(t, "tiny-1llc")
	var stderr bytes.Buffer
	cfg.Stderr = &stderr
	cfg.Plan.Schedulers = []spec.Scheduler{{Binary: bin}}
	_, err := testRunner(f).Run(context.Background(), cfg)
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("err %v, want a usage error\n%s", err, stdout)
	}
	if !strings.Contains(stderr.String(), "gauntlet: --scheduler "+bin+": its variant was skipped: the kernel has no sched_ext; set GAUNTLET_SCX_KERNEL") {
		t.Errorf("stderr:\n%s", &stderr)
	}
}
