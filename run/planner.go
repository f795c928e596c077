package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// Planner makes plans. Its fields are the planner's dependencies on the
// machine; a nil field is the real one, so the zero Planner plans on this
// host. A Planner may be used by several goroutines at once when its
// fields may.
type Planner struct {
	// Load lists, builds and describes the packages; nil means
	// [expand.Load].
	Load func(context.Context, expand.LoadOptions) ([]*expand.Package, error)
	// Host returns the host's CPUs and memory; nil means [GatherHost].
	Host func() (Host, error)
	// ProbeKVM reports why KVM cannot be used, nil when it looks usable;
	// it decides what "auto" plans for. Nil means [vm.KVMUsable], which
	// opens /dev/kvm and knows that kvm_pvm cannot boot stock kernels.
	ProbeKVM func() error
}

// Plan is a plan with everything that went into it: the packages, the
// whole matrix of variants and what was selected. Close removes its test
// binaries.
type Plan struct {
	cfg       PlanConfig
	host      Host
	accel     spec.Accel // kvm or tcg: what the estimates assume
	accelNote string
	presets   []topo.Preset
	binDir    string
	pkgs      []*expand.Package
	variants  []expand.Variant // the whole matrix, excluded ones too
	plan      budget.Plan      // the shard asked for (or the whole plan)
	warnings  []string
	// overrides are the usable --scheduler binaries; schedProblems one
	// line for each that cannot run (see override.go).
	overrides     []spec.Scheduler
	schedProblems []string
	schedReported int // how many of schedProblems are printed
}

// HostInfo returns the host the planner plans for: p.Host's answer, or
// [GatherHost]'s.
func (p *Planner) HostInfo() (Host, error) {
	if p.Host != nil {
		return p.Host()
	}
	return GatherHost()
}

// Plan lists, builds and describes the packages of cfg, expands the
// matrix and selects what fits the budget on this host. Nothing boots.
// Packages that cannot be planned are recorded in the plan ([Plan.Report]
// names them); the error is for what stops planning altogether: a bad
// cfg or a pattern without packages ([*UsageError]), no go command, a
// cancelled ctx. The caller must Close the plan.
func (p *Planner) Plan(ctx context.Context, cfg PlanConfig) (*Plan, error) {
	host, err := p.HostInfo()
	if err != nil {
		return nil, err
	}
	return p.plan(ctx, cfg, host)
}

func (p *Planner) plan(ctx context.Context, cfg PlanConfig, host Host) (*Plan, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	binDir, err := os.MkdirTemp("", "gauntlet-bin-")
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	pl := &Plan{cfg: cfg, host: host, presets: cfg.presetList(), binDir: binDir}
	pl.accel, pl.accelNote = planAccel(cfg.Accel, p.probe())
	if err := p.fill(ctx, pl); err != nil {
		pl.Close()
		return nil, err
	}
	return pl, nil
}

// fill loads pl's packages, expands them and selects the variants.
func (p *Planner) fill(ctx context.Context, pl *Plan) error {
	m, _ := pl.cfg.matcher() // compiled by Validate
	eopts := expand.Options{Presets: pl.presets, Capacity: pl.capacity(), Kernels: pl.cfg.kernelLabels(), Match: m, Schedulers: pl.cfg.Schedulers}
	if err := eopts.Validate(); err != nil {
		return &UsageError{Err: err}
	}
	pl.usableSchedulers()
	eopts.Schedulers = pl.overrides
	pkgs, err := p.load()(ctx, expand.LoadOptions{Patterns: pl.cfg.Patterns, BinDir: pl.binDir, Tags: pl.cfg.Tags, Match: m})
	if err != nil {
		return loadError(err)
	}
	pl.pkgs = pkgs
	pl.variants = repeatVariants(expand.Expand(pkgs, eopts), pl.cfg.Count)
	if err := pl.matchedNothing(); err != nil {
		return err
	}
	pl.placeKernels()
	pl.checkOverrides()
	pl.excludeInconclusive()
	return pl.selectVariants()
}

// selectVariants fills the plan from the matrix, the history and the
// shard asked for.
func (pl *Plan) selectVariants() error {
	hist, warnings := readHistory(pl.cfg.History)
	pl.warnings = append(pl.warnings, warnings...)
	bopts := budget.Options{Budget: pl.cfg.Budget, Jobs: pl.cfg.Jobs, History: hist, ShareBoots: !pl.cfg.FreshVM,
		Host: budget.Host{CPUs: pl.host.CPUs, MemoryMiB: pl.host.MemoryMiB, Accel: pl.accel}}
	full, err := budget.Select(pl.candidates(), bopts)
	if err != nil {
		return fmt.Errorf("select variants: %w", err)
	}
	pl.plan = full
	if pl.cfg.ShardN > 0 {
		if pl.plan, err = full.Shard(pl.cfg.ShardK, pl.cfg.ShardN); err != nil {
			return usageErrorf("--shard: %v", err)
		}
	}
	return nil
}

func (p *Planner) load() func(context.Context, expand.LoadOptions) ([]*expand.Package, error) {
	if p.Load != nil {
		return p.Load
	}
	return expand.Load
}

func (p *Planner) probe() func() error {
	if p.ProbeKVM != nil {
		return p.ProbeKVM
	}
	return vm.KVMUsable
}

// Close removes the plan's test binaries. A run must be done with them.
func (pl *Plan) Close() error {
	return os.RemoveAll(pl.binDir)
}

// matchedNothing is a usage error when --run or --skip left nothing of
// packages that loaded fine: a typo in CI must not pass as an empty run.
func (pl *Plan) matchedNothing() error {
	if pl.cfg.Run == "" && pl.cfg.Skip == "" || len(pl.variants) > 0 || len(pl.failed()) > 0 {
		return nil
	}
	for _, pkg := range pl.pkgs {
		if len(pkg.Plain()) > 0 {
			return nil
		}
	}
	return usageErrorf("--run %q --skip %q match no test or variant in %s; variant names are TestX and TestX/PRESET/PROFILE, ending in /KERNEL with several kernels (see 'gauntlet plan' for the names)",
		pl.cfg.Run, pl.cfg.Skip, strings.Join(pl.cfg.Patterns, " "))
}

// capacity is the host rule variants must fit.
func (pl *Plan) capacity() topo.Capacity {
	return topo.Capacity{CPUs: pl.host.CPUs, MemoryMiB: pl.host.MemoryMiB, Oversubscribe: pl.cfg.Oversubscribe}
}

// loadError makes a pattern without packages a usage error; other load
// failures (no go command, cancelled) are setup errors.
func loadError(err error) error {
	if errors.Is(err, expand.ErrNoPackages) {
		return &UsageError{Err: err}
	}
	return fmt.Errorf("list tests: %w", err)
}

// candidates turns the variants that may run into budget candidates.
func (pl *Plan) candidates() []budget.Candidate {
	specs := map[[2]string]spec.Spec{}
	for _, pkg := range pl.pkgs {
		for _, d := range pkg.Descriptions {
			specs[[2]string{pkg.ImportPath, d.Test}] = d.Spec
		}
	}
	var out []budget.Candidate
	for _, v := range pl.variants {
		if v.Excluded != "" {
			continue
		}
		out = append(out, budget.Candidate{
			Package: v.Package, Test: v.Test, Variant: v.Name, Preset: v.Preset,
			Profile: v.Profile.Name, Flags: v.Profile.Flags, Topology: v.Topology, Base: v.Base,
			Duration: v.Duration, MemoryMiB: v.MemoryMiB, Scheduler: v.Scheduler, Kernel: v.Kernel,
		})
		c := &out[len(out)-1]
		c.BootKey, c.BootFiles = bootKeyOf(v, specs[[2]string{v.Package, v.Test}])
	}
	return out
}

// bootKeyOf is the planner's boot key of variant v of a test with Spec
// s and the files its VM is packed with ([budget.Candidate.BootKey],
// [budget.Candidate.BootFiles]): its package (the test binary), kernel,
// topology and guest memory, then its scheduler and payload binaries,
// what the runner's VMs differ in ([vm.Config.BootKey], [vm.Config.CanRun]:
// a VM runs the tests whose files it has).
func bootKeyOf(v expand.Variant, s spec.Spec) (key string, files []string) {
	if sc := spec.SchedulerOf(s, spec.Variant{Scheduler: v.Override}); sc != nil {
		files = append(files, sc.Binary)
	}
	for _, p := range s.Payloads {
		files = append(files, p.Binary)
	}
	return fmt.Sprintf("%q %q %s %d", v.Package, v.Kernel, v.Topology, v.MemoryMiB), files
}

// failed returns the packages that could not be planned.
func (pl *Plan) failed() []*expand.PackageError {
	var out []*expand.PackageError
	for _, pkg := range pl.pkgs {
		if pkg.Err != nil {
			out = append(out, pkg.Err)
		}
	}
	return out
}

// Report writes the plan's warnings (unreadable history, a --scheduler
// no test runs under), the --scheduler binaries that cannot run (unless
// the run printed them already) and package failures, each failure with
// the compiler's message indented, to w (the caller's stderr). When a
// package could not be planned or a --scheduler cannot run it returns a
// [*UsageError] saying how many.
func (pl *Plan) Report(w io.Writer) error {
	for _, s := range pl.warnings {
		fmt.Fprintf(w, "gauntlet: %s\n", s)
	}
	serr := pl.reportSchedulers(w)
	failed := pl.failed()
	if len(failed) == 0 {
		return serr
	}
	for _, e := range failed {
		fmt.Fprintf(w, "gauntlet: %v\n", e)
		if e.Detail != "" {
			for _, l := range strings.Split(e.Detail, "\n") {
				fmt.Fprintf(w, "    %s\n", l)
			}
		}
	}
	return usageErrorf("%d of %d packages could not be planned", len(failed), len(pl.pkgs))
}

// excludeInconclusive excludes, when the plan wants conclusive variants
// only ([PlanConfig.Conclusive]), those predicted to run with relaxed
// limits on this host.
func (pl *Plan) excludeInconclusive() {
	if !pl.cfg.Conclusive {
		return
	}
	checks := map[[2]string]spec.Checks{}
	for _, pkg := range pl.pkgs {
		for _, d := range pkg.Descriptions {
			checks[[2]string{pkg.ImportPath, d.Test}] = d.Spec.Checks
		}
	}
	for i := range pl.variants {
		v := &pl.variants[i]
		if v.Excluded != "" {
			continue
		}
		if why := spec.PredictInconclusive(pl.accel, v.Topology.CPUs(), pl.host.CPUs, checks[[2]string{v.Package, v.Test}]); why != "" {
			v.Excluded, v.Reason = expand.ByInconclusive, why
		}
	}
}

// placeKernels gives every variant the label of the kernel it boots
// ([PlanConfig.Kernels], [PlanConfig.SchedExtKernel]) and excludes the
// variants with a scheduler on a kernel without sched_ext.
func (pl *Plan) placeKernels() {
	for i := range pl.variants {
		v := &pl.variants[i]
		k, ok := pl.cfg.kernelOf(*v)
		if !ok {
			continue
		}
		v.Kernel = k.Label
		if v.Excluded == "" && v.Scheduler != "" && k.NoSchedExt != "" {
			v.Excluded, v.Reason = expand.ByKernel, k.NoSchedExt
		}
	}
}
