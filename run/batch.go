package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/internal/progress"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// batch is one run in progress: its plan, machine and directory, and the
// progress count.
type batch struct {
	r       *Runner
	cfg     Config
	m       Machine
	kernels *kernelSet
	host    Host
	plan    *Plan
	dir     string
	started time.Time

	mu  sync.Mutex // guards cfg.Stdout and obs: observers are called one at a time
	obs observers
	// timeline is the observer writing TimelineFile; its err joins the
	// run's write errors.
	timeline *timelineView
	// budgetDropped counts the variants not started because they would
	// have ended past the budget's grace ([batch.pastBudget]); the
	// launch loop alone sets it, before the verdict.
	budgetDropped int
	// stopped is set when --failfast stops launching variants.
	stopped atomic.Bool
}

// run boots the plan, writes the run directory and prints the results.
// The error is for results that could not be written or printed.
func (b *batch) run(ctx context.Context) (*Result, error) {
	sel := b.plan.plan
	b.plan.reportSchedulers(b.cfg.Stderr) // before booting; the verdict counts them
	fmt.Fprintf(b.cfg.Stdout, "gauntlet: %d variants on %s (%s), %s; estimated %s%s; results in %s\n",
		len(sel.Selected), b.m.Accel, b.m.AccelNote, b.kernelNote(), sel.EstWall.Round(time.Second), budgetNote(sel.Budget)+b.plan.retriesNote(), b.dir)
	b.plan.writeKernelExclusions(b.cfg.Stdout)
	if note := b.plan.sharingNote(); note != "" {
		fmt.Fprintf(b.cfg.Stdout, "gauntlet: %s\n", note)
	}
	var host []report.Case
	if b.plan.cfg.ShardK <= 1 {
		host = hostCases(b.plan)
	}
	b.observe(func() { b.obs.runStarted(b.runStart(host)) })
	vmCases := b.runAll(ctx)
	b.plan.noteSkippedOverrides(vmCases)
	ended := b.r.now()
	b.observe(func() { b.obs.runFinished(runEnd{Time: ended, Cases: vmCases, Interrupted: ctx.Err() != nil}) })
	cases := append(host, vmCases...)
	results := b.results(vmCases)
	results.WallS, results.Slots = ended.Sub(b.started).Seconds(), sel.Slots
	werr := errors.Join(writeRun(b.dir, b.cfg.JUnit, results, cases, b.started), b.timeline.err)
	res := &Result{Dir: b.dir, Cases: cases, Started: b.started, Elapsed: b.r.now().Sub(b.started)}
	fmt.Fprintln(b.cfg.Stdout)
	if err := report.WriteTables(b.cfg.Stdout, cases, true); err != nil {
		return res, err
	}
	fmt.Fprintln(b.cfg.Stdout, progress.Paint(res.Summary(), b.cfg.Display.Color))
	fmt.Fprintf(b.cfg.Stdout, "results: %s\n", b.dir)
	return res, werr
}

// verdict picks the run's error: an interrupt, results that could not be
// written (werr), package failures and variants that could not start
// (setup problems), then failed tests.
func (b *batch) verdict(ctx context.Context, cases []report.Case, werr error) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrTimeout) {
		return fmt.Errorf("%w: %s; partial results written", cause, accounting(cases))
	} else if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %s; partial results written (%w)", accounting(cases), cause)
	}
	if werr != nil {
		return werr
	}
	if err := b.plan.Report(b.cfg.Stderr); err != nil {
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
	notRun -= b.budgetDropped // the budget's rule, not a setup problem
	if notRun > 0 && !(b.stopped.Load() && failed > 0) {
		return fmt.Errorf("%d variants could not be started (see the detail column)", notRun)
	}
	if failed > 0 {
		return ErrTestsFailed
	}
	return nil
}

// newObservers returns the run's observers: the progress display, the
// timeline ([TimelineFile]), and the test2json stream when Config.JSON
// is set.
func newObservers(b *batch) observers {
	b.timeline = newTimelineView(b.dir)
	obs := observers{newProgressView(b), b.timeline}
	if b.cfg.JSON != nil {
		obs = append(obs, newTestJSON(b.cfg.JSON))
	}
	return obs
}

// observe calls fn, which calls the observers, under the mutex.
func (b *batch) observe(fn func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn()
}

// runStart is what the observers learn of the plan.
func (b *batch) runStart(host []report.Case) runStart {
	sel := b.plan.plan
	e := runStart{Time: b.started, Variants: sel.Selected, Slots: sel.Slots, HostCPUs: sel.Capacity.CPUs, Budget: sel.Budget, EstWall: sel.EstWall, Host: host}
	for _, pe := range b.plan.failed() {
		if e.Failed == nil {
			e.Failed = map[string]string{}
		}
		e.Failed[pe.ImportPath] = strings.TrimSpace(pe.Error() + "\n" + pe.Detail)
	}
	return e
}

// accounting says what became of a run's variants (host tests aside):
// how many ran, passed and failed, and how many did not start, which are
// not failures.
func accounting(cases []report.Case) string {
	total, ran, passed, failed := 0, 0, 0, 0
	for _, c := range cases {
		if c.Host() {
			continue
		}
		total++
		switch o := c.Outcome; {
		case !o.Ran():
			continue
		case o.Failed():
			failed++
		case o.Passed():
			passed++
		}
		ran++
	}
	return fmt.Sprintf("%d of %d variants ran (%d passed, %d failed, %d skipped), %d did not start (skipped in JUnit, not failed)",
		ran, total, passed, failed, ran-passed-failed, total-ran)
}

func budgetNote(d time.Duration) string {
	if d <= 0 {
		return " (no budget)"
	}
	return " of budget " + d.String()
}

// runAll boots every selected variant under an errgroup: the group's
// limit is the plan's job count, and two weighted semaphores hold each
// VM's share of host CPUs and memory, the same weights the plan was
// packed with. A VM whose test ended reusable runs the next variant of
// the same boot in the same goroutine, under the same weights (see
// share.go). A cancelled ctx kills running VMs (package vm) and leaves
// the variants not yet started as not run; so does a failure under
// --failfast ([Config.FailFast]), without stopping the running VMs.
func (b *batch) runAll(ctx context.Context) []report.Case {
	sel := b.plan.plan.Selected
	capa := b.plan.plan.Capacity
	cases := make([]report.Case, len(sel))
	for i, a := range sel { // before any goroutine: a chain may claim any of them
		cases[i] = b.notRun(a, b.kernelOf(a), "cancelled before it started")
	}
	sh := b.newSharing(cases)
	cpus := semaphore.NewWeighted(int64(max(capa.CPUs, 1)))
	mem := semaphore.NewWeighted(int64(max(capa.MemoryMiB, 1)))
	g := new(errgroup.Group)
	g.SetLimit(max(capa.Jobs, 1))
	for i, a := range sel {
		if sh.claimed[i].Load() || ctx.Err() != nil {
			continue
		}
		if b.stopped.Load() {
			if sh.claim(i) {
				b.failedFast(&cases[i])
			}
			continue
		}
		// Take the weights here, in plan order, before the goroutine: the
		// plan predicts that each variant starts as soon as it fits
		// beside those running, in order, so a smaller later one must not
		// overtake a bigger one waiting for room (goroutines that each
		// acquire race for the semaphore, and the loser waits behind the
		// winner's whole chain).
		w := a.Weight
		if err := acquire(ctx, cpus, mem, w, capa.MemoryMiB > 0); err != nil {
			break // cancelled: the rest stay not run
		}
		release := func() {
			cpus.Release(int64(w.CPUs))
			if capa.MemoryMiB > 0 {
				mem.Release(int64(w.MemoryMiB))
			}
		}
		if !sh.claim(i) { // a VM booted for an earlier variant ran it
			release()
			continue
		}
		if why := b.pastBudget(a.Cost.Total()); why != "" {
			cases[i].Message = why
			b.budgetDropped++
			release()
			continue
		}
		g.Go(func() error { // waits for a job slot (--jobs)
			defer release()
			if b.failedFast(&cases[i]) {
				return nil
			}
			b.runChain(ctx, sh, i)
			return nil
		})
	}
	g.Wait()
	return cases
}

// budgetGrace is how far past its budget a run may end: a variant whose
// estimate, started now, would end later is not started.
const budgetGrace = 0.05

// pastBudget says why a variant estimated to take est cannot start now:
// started now it would end past the budget plus [budgetGrace] (the
// plan's estimates were too low, or the VMs before it ran long). It
// returns "" when it fits or the run has no budget.
func (b *batch) pastBudget(est time.Duration) string {
	bud := b.plan.plan.Budget
	if bud <= 0 {
		return ""
	}
	limit := bud + time.Duration(budgetGrace*float64(bud))
	at := b.r.now().Sub(b.started)
	if at+est <= limit {
		return ""
	}
	return fmt.Sprintf("not started: at +%v, estimated %v, it would end at +%v, past the budget %v + %.0f%%",
		at.Round(time.Second), est.Round(100*time.Millisecond), (at + est).Round(time.Second), bud, 100*budgetGrace)
}

// startVariant tells the observers that variant index of the plan starts now.
func (b *batch) startVariant(index int) variantStart {
	v := variantStart{Time: b.r.now(), Index: index, A: b.plan.plan.Selected[index]}
	b.observe(func() { b.obs.variantStarted(v) })
	return v
}

// finished records c as the case of v, stops the run under --failfast
// when it failed, and tells the observers; vmName names the VM when it
// ran more than one variant.
func (b *batch) finished(sh *sharing, v variantStart, c report.Case, vmName string) {
	sh.cases[v.Index] = c
	if b.cfg.FailFast && c.Outcome.Failed() {
		b.stopped.Store(true)
	}
	b.observe(func() {
		b.obs.variantFinished(variantEnd{Time: b.r.now(), Index: v.Index, Case: c, Log: b.logPath(v.A, len(c.Attempts)+1), VM: vmName})
	})
}

// failedFast reports whether --failfast stopped the run, marking the
// case not started with why.
func (b *batch) failedFast(c *report.Case) bool {
	if !b.stopped.Load() {
		return false
	}
	c.Message = "not started: --failfast stopped launching after a failure"
	return true
}

func acquire(ctx context.Context, cpus, mem *semaphore.Weighted, w budget.Weight, limitMem bool) error {
	if err := cpus.Acquire(ctx, int64(w.CPUs)); err != nil {
		return err
	}
	if !limitMem {
		return nil
	}
	if err := mem.Acquire(ctx, int64(w.MemoryMiB)); err != nil {
		cpus.Release(int64(w.CPUs))
		return err
	}
	return nil
}

// runOne boots variant v once, in a VM of its own, as attempt try (1
// for the first), and turns its result into a case (not run, with the
// reason, when the VM could not be started or the run was interrupted).
func (b *batch) runOne(ctx context.Context, v variantStart, try int) report.Case {
	t, c := b.prepare(v, try)
	if t == nil {
		return c
	}
	res, err := b.r.bootVM(ctx, t.cfg)
	return b.caseOfTest(ctx, t, res, err)
}

// vmTest is one attempt of a variant, ready to run: its VM config, with
// the attempt's output log, console log and output observers.
type vmTest struct {
	v     variantStart
	k     kernel.Kernel
	slug  string
	cfg   vm.Config
	out   *os.File
	lines *lineWriter
}

// vmConfig is the VM config of assignment a, without the attempt's log
// files and output: what decides its boot ([vm.Config.CanRun]).
func (b *batch) vmConfig(a budget.Assignment) (vm.Config, error) {
	pkg, desc, err := b.lookup(a)
	if err != nil {
		return vm.Config{}, err
	}
	if _, _, err := launch.PayloadFiles(desc.Spec); err != nil {
		return vm.Config{}, err // a payload binary missing on the host: skipped, naming its package
	}
	sv := spec.Variant{Name: a.Variant, Preset: a.Preset, Topology: a.Topology, Flags: a.Flags, Kernel: a.Kernel,
		Scheduler: b.plan.override(desc, a.Profile)}
	cfg := launch.VariantConfig(pkg.Binary, desc.Test, desc.Spec, sv, b.kernelOf(a))
	cfg.Accel = b.m.Accel
	cfg.HostCPUs = b.plan.plan.Capacity.CPUs // the cores the plan weighed this VM against
	return cfg, nil
}

// prepare makes attempt try of v ready to run: its VM config, log file,
// console log and output writer. When it cannot, it returns nil and the
// case, not run with the reason.
func (b *batch) prepare(v variantStart, try int) (*vmTest, report.Case) {
	a := v.A
	k := b.kernelOf(a)
	cfg, err := b.vmConfig(a)
	if err != nil {
		return nil, b.notRun(a, k, err.Error())
	}
	slug := attemptSlug(slugify(a.Package+"."+a.Variant), try)
	out, err := os.Create(b.logPath(a, try))
	if err != nil {
		return nil, b.notRun(a, k, fmt.Sprintf("create log: %v", err))
	}
	cfg.ConsoleLog = filepath.Join(b.dir, LogsDir, slug+".console.log")
	lines := &lineWriter{mu: &b.mu, fn: func(l []byte) {
		at := v
		at.Time = b.r.now()
		b.obs.variantOutput(at, l)
	}}
	cfg.Output = io.MultiWriter(out, lines)
	return &vmTest{v: v, k: k, slug: slug, cfg: cfg, out: out, lines: lines}, report.Case{}
}

// caseOfTest turns the result of t (or the error that ended its VM)
// into its case and closes t's log.
func (b *batch) caseOfTest(ctx context.Context, t *vmTest, res vm.Result, err error) report.Case {
	t.lines.Flush()
	t.out.Close()
	a := t.v.A
	if err != nil && ctx.Err() != nil {
		return b.notRun(a, t.k, fmt.Sprintf("interrupted while it ran (%v); its output so far is in %s", context.Cause(ctx), filepath.Join(LogsDir, t.slug+".out")))
	}
	if err != nil {
		return b.notRun(a, t.k, oneLine(err))
	}
	c := b.caseOf(a, t.k, res)
	b.writeFiles(&c, t.slug)
	return c
}

// writeFiles moves the files the guest sent in its output (the
// scheduler's loader output, kernel lines and debug dump; see
// [spec.ExtractFiles]) to logs/SLUG/ and names them in the case's
// properties, so JUnit links them and its text stays readable.
func (b *batch) writeFiles(c *report.Case, slug string) {
	files, rest := spec.ExtractFiles(c.Output)
	if len(files) == 0 {
		return
	}
	c.Output = rest
	dir := filepath.Join(LogsDir, slug)
	if err := os.MkdirAll(filepath.Join(b.dir, dir), 0o755); err != nil {
		c.Properties = append(c.Properties, report.Property{Name: "gauntlet.log.error", Value: err.Error()})
		return
	}
	for _, f := range files {
		rel := filepath.Join(dir, f.Name)
		value := rel
		if err := os.WriteFile(filepath.Join(b.dir, rel), f.Data, 0o644); err != nil {
			value = "not written: " + err.Error()
		} else if f.Truncated {
			value += " (truncated: the guest's output ended inside it)"
		}
		c.Properties = append(c.Properties, report.Property{Name: "gauntlet.log." + f.Name, Value: value})
	}
}

// logPath is the file attempt try of variant a logs its test output to.
func (b *batch) logPath(a budget.Assignment, try int) string {
	return filepath.Join(b.dir, LogsDir, attemptSlug(slugify(a.Package+"."+a.Variant), try)+".out")
}

// lookup finds the variant's package (for its test binary) and the
// description of its test (for its Spec).
func (b *batch) lookup(a budget.Assignment) (*expand.Package, spec.Description, error) {
	for _, p := range b.plan.pkgs {
		if p.ImportPath != a.Package {
			continue
		}
		for _, d := range p.Descriptions {
			if d.Test == a.Test {
				return p, d, nil
			}
		}
	}
	return nil, spec.Description{}, fmt.Errorf("internal error: no description of %s in %s", a.Test, a.Package)
}

func (b *batch) caseOf(a budget.Assignment, k kernel.Kernel, res vm.Result) report.Case {
	c := b.notRun(a, k, "")
	c.Outcome = res.Outcome
	c.Message = res.Reason
	if res.Retried != "" {
		c.Properties = append(c.Properties, report.Property{Name: "retried", Value: res.Retried})
	}
	if res.TCGSingle {
		c.Properties = append(c.Properties, report.Property{Name: "tcg-threads", Value: "single"})
	}
	if res.Dirty != "" {
		// Why the next variant did not share this boot.
		c.Properties = append(c.Properties, report.Property{Name: "guest-dirty", Value: res.Dirty})
	}
	if res.Shared {
		c.Properties = append(c.Properties, report.Property{Name: report.PropSharedBoot, Value: res.Name})
	}
	c.Accel = string(res.Accel)
	c.Output, c.ConsoleTail, c.ConsoleLog = res.Output, res.ConsoleTail, res.ConsoleLog
	c.Boot, c.Total = res.BootTime, res.TotalTime
	c.TestTime = max(res.TotalTime-res.BootTime, 0)
	return c
}

func (b *batch) notRun(a budget.Assignment, k kernel.Kernel, why string) report.Case {
	return report.Case{
		Package: a.Package, Test: a.Test, Variant: a.Variant, Preset: a.Preset, Profile: a.Profile,
		Topology: a.Topology.String(), Accel: string(b.m.Accel), Kernel: k.Path, KernelLabel: a.Kernel,
		Outcome: spec.OutcomeNotRun, Message: why,
	}
}

// hostCases reports the plain host tests of every package from the output
// of its describe pass, which ran them (in -short mode).
func hostCases(p *Plan) []report.Case {
	var cases []report.Case
	for _, pkg := range p.pkgs {
		if pkg.Err != nil {
			continue
		}
		// Load already kept only the tests --run/--skip select.
		cases = append(cases, report.HostCases(pkg.ImportPath, pkg.DescribeOutput, pkg.Plain())...)
	}
	return cases
}

// results is the run's results.json: the measured times of every variant
// that booted (cases are by index into the plan's selection), which later
// plans use instead of the cost model.
func (b *batch) results(cases []report.Case) *budget.Results {
	res := &budget.Results{
		Version: budget.ResultsVersion,
		RunID:   filepath.Base(b.dir),
		Started: b.started.UTC(),
		Host:    budget.Host{CPUs: b.host.CPUs, MemoryMiB: b.host.MemoryMiB, Accel: b.m.Accel},
		Accel:   b.m.Accel,
	}
	for i, a := range b.plan.plan.Selected {
		c := cases[i]
		if !c.Outcome.Ran() {
			continue
		}
		vr := budget.VariantResult{
			Package: a.Package, Test: a.Test, Variant: a.Variant, Preset: a.Preset, Profile: a.Profile,
			Topology: a.Topology, VCPUs: a.Topology.CPUs(), HostCPUs: a.Weight.CPUs, Accel: spec.Accel(c.Accel), Kernel: c.Kernel, KernelLabel: c.KernelLabel,
			BootS: c.Boot.Seconds(), TestS: c.TestTime.Seconds(), TotalS: c.Total.Seconds(),
			Outcome: c.Outcome, Flaky: c.Flaky(), Attempts: attemptResults(c), Metrics: report.CaseMetrics(c),
			SharedBoot: c.Property(report.PropSharedBoot),
		}
		if r, ok := c.Result(); ok {
			vr.Scheduler, vr.BPFPrograms = r.Scheduler, r.BPFPrograms
		}
		res.Variants = append(res.Variants, vr)
	}
	return res
}
