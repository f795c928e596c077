package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// Runner runs gauntlets: it plans, boots every selected variant in its
// own VM, as many at once as the plan's capacity allows, and writes the
// run directory. Its fields are its dependencies on the machine; a nil
// field is the real one, so the zero Runner runs on this host. A Runner
// may be used by several goroutines at once when its fields may.
type Runner struct {
	// Planner makes the run's plan.
	Planner Planner
	// LookQEMU finds the emulator; nil means [vm.LookQEMU].
	LookQEMU func() (string, error)
	// FindKernel returns the kernel image at path, checked, or the
	// discovered one when path is empty; nil means the image check and
	// the discovery chain of [kernel.Find].
	FindKernel func(path string) (kernel.Kernel, error)
	// SchedExtKernel returns the kernel for tests with a scheduler, nil
	// when there is none; nil means [launch.SchedExtKernel]
	// (GAUNTLET_SCX_KERNEL). Config.Kernel overrides it.
	SchedExtKernel func() (*kernel.Kernel, error)
	// DetectAccel resolves the accelerator "auto" on this host with the
	// given kernel; nil means [vm.DetectAccel], which boots it once under
	// KVM and remembers the verdict.
	DetectAccel func(ctx context.Context, kernel, cacheDir string) (spec.Accel, string, error)
	// BootVM boots one VM and waits for it; nil means [vm.Config.Run].
	BootVM func(context.Context, vm.Config) (vm.Result, error)
	// Now is the clock that names the run directory and times the run;
	// nil means [time.Now].
	Now func() time.Time
}

// Machine is what [Runner.Preflight] found: the kernel VMs boot and the
// accelerator they use.
type Machine struct {
	Kernel    kernel.Kernel
	Accel     spec.Accel // kvm or tcg
	AccelNote string     // why: "as asked", or what detection found
}

// Result is a finished (or interrupted) run.
type Result struct {
	// Dir is the run directory: [JUnitFile], [ResultsFile], [LogsDir].
	Dir string
	// Cases are the plain host tests (in an unsharded run or shard 1),
	// then one case per selected variant, in the plan's order.
	Cases []report.Case
	// Started is when the run started; Elapsed how long it took.
	Started time.Time
	Elapsed time.Duration
}

// Summary is the run's one-line verdict ([report.Summary]).
func (res *Result) Summary() string { return report.Summary(res.Cases, res.Elapsed) }

// Preflight checks that this host can boot VMs: QEMU is installed, the
// kernel (the image at kernelPath, or the discovered one) is there, and
// the accelerator asked for ("auto" or empty: what works here) is
// resolved. Errors name the missing piece and wrap the cause
// ([vm.ErrNoQEMU], [kernel.NotFoundError], ...).
func (r *Runner) Preflight(ctx context.Context, kernelPath string, accel spec.Accel) (Machine, error) {
	if _, err := r.lookQEMU(); err != nil {
		return Machine{}, err
	}
	k, err := r.findKernel(kernelPath)
	if err != nil {
		return Machine{}, err
	}
	m := Machine{Kernel: k, Accel: accel, AccelNote: "as asked"}
	if accel != "" && accel != spec.AccelAuto {
		return m, nil
	}
	if m.Accel, m.AccelNote, err = r.detectAccel()(ctx, k.Path, ""); err != nil {
		return Machine{}, fmt.Errorf("choose accelerator: %w", err)
	}
	return m, nil
}

// Run runs the gauntlet cfg describes: preflight, plan, boot, report. It
// writes the run directory (JUnit, results.json, logs) and prints
// progress, the tables and the summary to cfg.Stdout. The result is
// non-nil once the run directory exists, also with an error. The error
// is [ErrTestsFailed] when a variant or host test failed; a
// [*UsageError] for bad input; something else when the host cannot run
// the gauntlet, variants could not start, the results could not be
// written or ctx was cancelled (the partial results are written), one
// wrapping [ErrTimeout] when cfg.Timeout passed.
func (r *Runner) Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Stdout, cfg.Stderr = orDiscard(cfg.Stdout), orDiscard(cfg.Stderr)
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, cfg.Timeout, fmt.Errorf("%w: -timeout %s passed", ErrTimeout, cfg.Timeout))
		defer cancel()
	}
	b, err := r.prepare(ctx, cfg)
	if cause := context.Cause(ctx); err != nil && errors.Is(cause, ErrTimeout) {
		return nil, fmt.Errorf("%w before any VM booted (%v)", cause, err)
	}
	if err != nil {
		return nil, err
	}
	defer b.plan.Close()
	res, werr := b.run(ctx)
	return res, b.verdict(ctx, res.Cases, werr)
}

// prepare does what comes before booting: host, preflight, plan, run
// directory.
func (r *Runner) prepare(ctx context.Context, cfg Config) (*batch, error) {
	started := r.now()
	host, err := r.Planner.HostInfo()
	if err != nil {
		return nil, err
	}
	m, err := r.Preflight(ctx, cfg.Kernel, cfg.Plan.Accel)
	if err != nil {
		return nil, err
	}
	var scx *kernel.Kernel // --kernel boots every test; else sched_ext tests may get their own
	if cfg.Kernel == "" {
		if scx, err = r.schedExtKernel(); err != nil {
			return nil, err
		}
	}
	cfg.Plan.Accel = m.Accel
	cfg.Plan.NoSchedExt = NoSchedExtReason(m.Kernel, scx)
	p, err := r.Planner.plan(ctx, cfg.Plan, host)
	if err != nil {
		return nil, err
	}
	dir, err := newRunDir(cfg.Out, started)
	if err != nil {
		p.Close()
		return nil, err
	}
	return &batch{r: r, cfg: cfg, m: m, scx: scx, host: host, plan: p, dir: dir, started: started}, nil
}

func (r *Runner) lookQEMU() (string, error) {
	if r.LookQEMU != nil {
		return r.LookQEMU()
	}
	return vm.LookQEMU()
}

func (r *Runner) detectAccel() func(context.Context, string, string) (spec.Accel, string, error) {
	if r.DetectAccel != nil {
		return r.DetectAccel
	}
	return vm.DetectAccel
}

func (r *Runner) bootVM(ctx context.Context, cfg vm.Config) (vm.Result, error) {
	if r.BootVM != nil {
		return r.BootVM(ctx, cfg)
	}
	return cfg.Run(ctx)
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
