package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

func init() {
	register(command{name: "run", summary: "plan, boot the variants in parallel VMs, report (default)", run: runRun})
}

const runUsage = `Usage: gauntlet [run] [flags] [packages]

Plans like 'gauntlet plan' (lists the tests of the packages, default ".",
expands them across topology presets and scheduler flag profiles, selects
what fits the budget), then boots every selected variant in its own VM,
as many at once as the host's CPUs and memory allow, and reports.

Every run writes into a new directory under --out: junit.xml,
results.json (measured times; later plans read them through --history),
and logs/ with each variant's test output and kernel console. Partial
results are written when the run is interrupted. Exit status: 0 all
selected variants passed or skipped, 1 a variant failed, 2 usage or setup
error (bad flag, no kernel, no QEMU, a package that does not build).

The kernel is found as 'gauntlet kernel which' shows (KTSTR_TEST_KERNEL,
KTSTR_KERNEL, the cache, ...) unless --kernel names one.

Examples:
  gauntlet --budget 20m ./...                   what fits in 20 minutes
  gauntlet run --presets tiny-1llc,smt-2llc ./sched
  gauntlet run --budget 1h --shard 2/4 ./...    CI shard 2 of 4; merge with 'gauntlet report'
  gauntlet run --kernel ~/linux/arch/x86/boot/bzImage --run TestSteady -v ./sched
  gauntlet run --budget 10m --junit report.xml ./...`

// runConfig is `gauntlet run`'s configuration: the planning flags plus
// where the kernel comes from and where results go.
type runConfig struct {
	plan    planConfig
	kernel  string // --kernel: image path; "" = discovery
	out     string // parent of run directories
	junit   string // extra copy of the JUnit XML
	verbose bool   // stream guest output
}

func (c *runConfig) Validate() error {
	if c.out == "" {
		return usageErrorf("--out is empty; give the directory runs are written under, e.g. gauntlet-runs")
	}
	return c.plan.Validate()
}

// Seams for tests.
var (
	runHostInfo = gatherHost
	findKernel  = resolveKernel
	detectAccel = vm.DetectAccel
	lookQEMU    = vm.LookQEMU
)

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := runConfig{}
	fs := newFlagSet("run", runUsage, stdout)
	cfg.plan.addPlanFlags(fs)
	fs.StringVar(&cfg.kernel, "kernel", "", "boot this kernel `image` instead of the discovered one")
	fs.StringVar(&cfg.out, "out", "gauntlet-runs", "`dir` under which each run gets its own directory")
	fs.StringVar(&cfg.junit, "junit", "", "also write the JUnit XML to `file`")
	fs.BoolVar(&cfg.verbose, "v", false, "stream every variant's test output as it runs")
	patterns, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	cfg.plan.Patterns = patterns
	if err := cfg.Validate(); err != nil {
		return err
	}
	return execute(ctx, cfg, stdout, stderr)
}

// execute is the run after flag parsing: preflight, plan, boot, report.
func execute(ctx context.Context, cfg runConfig, stdout, stderr io.Writer) error {
	started := time.Now()
	host, err := runHostInfo()
	if err != nil {
		return &exitError{Code: exitSetup, Err: err}
	}
	if _, err := lookQEMU(); err != nil {
		return &exitError{Code: exitSetup, Err: fmt.Errorf("%v (install it: apt-get install qemu-system-x86)", oneLine(err))}
	}
	k, err := findKernel(cfg.kernel)
	if err != nil {
		return &exitError{Code: exitSetup, Err: err}
	}
	var scx *vm.Kernel // --kernel boots every test; else sched_ext tests may get their own
	if cfg.kernel == "" {
		if scx, err = launch.SchedExtKernel(); err != nil {
			return &exitError{Code: exitSetup, Err: err}
		}
	}
	accel, note, err := chooseAccel(ctx, cfg.plan.Accel, k.Path)
	if err != nil {
		return &exitError{Code: exitSetup, Err: err}
	}
	cfg.plan.Accel = accel
	binDir, err := os.MkdirTemp("", "gauntlet-bin-")
	if err != nil {
		return &exitError{Code: exitSetup, Err: fmt.Errorf("run: %w", err)}
	}
	defer os.RemoveAll(binDir)
	p, err := makePlan(ctx, cfg.plan, host, planProbe, binDir)
	if err != nil {
		return err
	}
	dir, err := newRunDir(cfg.out, started)
	if err != nil {
		return &exitError{Code: exitSetup, Err: err}
	}
	fmt.Fprintf(stdout, "gauntlet: %d variants on %s (%s), kernel %s; estimated %s%s; results in %s\n",
		len(p.plan.Selected), accel, note, k.String(), p.plan.EstWall.Round(time.Second), budgetNote(p.plan.Budget), dir)
	r := &runner{dir: dir, kernel: k, scx: scx, accel: accel, host: host, plan: p, verbose: cfg.verbose, stdout: stdout}
	vmCases := r.runAll(ctx)
	cases := vmCases
	if p.cfg.ShardK <= 1 {
		cases = append(hostCases(p), vmCases...)
	}
	werr := writeRun(dir, cfg.junit, r.results(started, vmCases), cases, started)
	fmt.Fprintln(stdout)
	if err := report.WriteTables(stdout, cases, true); err != nil {
		return err
	}
	fmt.Fprintln(stdout, report.Summary(cases, time.Since(started)))
	fmt.Fprintf(stdout, "results: %s\n", dir)
	return runExit(ctx, p, cases, werr, stderr)
}

// runExit picks the exit status: setup problems (a package that did not
// build, results that could not be written, variants that could not start)
// are 2, failed variants 1, an interrupt 128+signal.
func runExit(ctx context.Context, p *planned, cases []report.Case, werr error, stderr io.Writer) error {
	if ctx.Err() != nil {
		return &exitError{Code: exitSetup, Err: fmt.Errorf("interrupted; partial results written")}
	}
	if werr != nil {
		return &exitError{Code: exitSetup, Err: werr}
	}
	if err := p.finish(stderr); err != nil {
		return err
	}
	notRun, failed := 0, 0
	for _, c := range cases {
		switch {
		case !c.Outcome.Ran():
			notRun++
		case c.Outcome.Failed():
			failed++
		}
	}
	if notRun > 0 {
		return &exitError{Code: exitSetup, Err: fmt.Errorf("%d variants could not be started (see the detail column)", notRun)}
	}
	if failed > 0 {
		return &exitError{Code: exitFail}
	}
	return nil
}

func budgetNote(b time.Duration) string {
	if b <= 0 {
		return " (no budget)"
	}
	return " of budget " + b.String()
}

// chooseAccel resolves --accel: as asked for kvm and tcg; for auto, what
// the VM runner finds works on this host (remembered after one probe).
func chooseAccel(ctx context.Context, flag spec.Accel, kernel string) (accel spec.Accel, note string, err error) {
	if flag != spec.AccelAuto {
		return flag, "as asked", nil
	}
	a, note, err := detectAccel(ctx, kernel, "")
	if err != nil {
		return "", "", fmt.Errorf("choose accelerator: %w", err)
	}
	return a, note, nil
}

// resolveKernel returns the --kernel image, or the discovered one.
func resolveKernel(path string) (vm.Kernel, error) {
	if path == "" {
		return vm.FindKernel()
	}
	if err := vm.CheckKernelImage(path); err != nil {
		return vm.Kernel{}, fmt.Errorf("--kernel %s: %w", path, err)
	}
	return vm.Kernel{Path: path, Step: "--kernel"}, nil
}
