package guest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// GuestOptions change how [RunGuest] judges a test.
type GuestOptions struct {
	// ExpectSchedulerExit, when set, makes the scheduler's exit the
	// expected end of the test: when the scheduler stops during the test
	// or never attaches, the test passes if it returns nil for the exit
	// (and fails with its error otherwise); a scheduler that runs to the
	// end fails the test.
	ExpectSchedulerExit func(spec.SchedulerExit) error
}

// RunGuest executes the scenario fn as test t inside the VM. It reads the
// guest's topology from sysfs, derives the check thresholds (printing
// them), keeps the last CPU for itself when there are more than two,
// creates its cgroup, loads the Spec's scheduler and watches it (see
// [Harness.Execute]), runs fn, stops and removes everything, verifies
// nothing is left, hands the scheduler's logs to the host as file blocks
// ([spec.WriteFileBlock]), prints the result line (see
// [spec.ResultPrefix]) and marks t: failed with the scenario's error
// (failure lines, thresholds and stats block) or the scheduler's exit,
// skipped when the guest cannot run it (no sched_ext), else passed.
func RunGuest(t testing.TB, s spec.Spec, o GuestOptions, fn func(*Harness) error) {
	t.Helper()
	g := &guestRun{t: t, opts: o, begin: time.Now(), res: spec.Result{Test: t.Name(), Outcome: spec.OutcomePass, Scheduler: "eevdf"}}
	err := g.run(s, fn)
	g.finish(err)
}

// guestRun is one RunGuest call.
type guestRun struct {
	t     testing.TB
	opts  GuestOptions
	begin time.Time
	res   spec.Result
	env   *env
	sched *scheduler
	// override is the variant's scheduler (`gauntlet run --scheduler`)
	// when the Spec has none; kernel the variant's kernel, for its hint.
	override *spec.Scheduler
	kernel   string
}

// run sets up, runs fn and tears down; the error combines all failures.
func (g *guestRun) run(s spec.Spec, fn func(*Harness) error) (err error) {
	c, err := g.newHarness(s)
	if err != nil {
		return err
	}
	if h := topo.HarnessCPU(c.Online); h >= 0 {
		if err := pinProcess(h); err != nil {
			return err
		}
	}
	harness, note, err := setupHarnessCgroup(c.Usable, topo.HarnessCPU(c.Online) >= 0)
	if err != nil {
		return err
	}
	if note != "" {
		g.t.Logf("warning: %s", note)
	}
	defer func() { err = errors.Join(err, removeHarnessCgroup(harness)) }()
	c.env.harness = harness
	if sched := spec.SchedulerOf(s, c.Variant); sched != nil {
		if s.Scheduler == nil {
			g.override, g.kernel = sched, c.Variant.Kernel
		}
		sc, err := startScheduler(c.env.ctx, sched, c.Flags, harness)
		if sc != nil {
			g.sched = sc
			defer func() { err = errors.Join(err, g.stopScheduler(sc)) }()
		}
		if err != nil {
			return err
		}
		c.env.sched = sc
		g.res.Scheduler = sc.name
		g.t.Logf("scheduler %s attached after %v (%d BPF programs)", sc.name, (sc.attachTS - sc.startTS).Round(time.Millisecond), len(sc.programs))
		ctx, cancel := context.WithCancelCause(c.env.ctx)
		defer cancel(nil)
		c.env.ctx = ctx
		sc.watch(cancel)
	}
	err = callScenario(c, fn)
	if err == nil {
		err = c.unmeasuredBounds()
	}
	if sc := c.env.sched; sc != nil {
		if e := sc.stopWatching(); e != nil {
			sc.noteReported()
			err = errors.Join(&SchedulerExitError{Exit: e}, err)
		}
	}
	return errors.Join(err, leftoverTempFiles())
}

// stopScheduler unloads the scheduler and checks sched_ext is disabled.
func (g *guestRun) stopScheduler(sc *scheduler) error {
	sc.stopWatching()
	defer sc.release()
	err := sc.stop()
	deadline := time.Now().Add(sc.attachTimeout)
	for {
		st, _ := schedExtState()
		if st == "disabled" {
			break
		}
		if time.Now().After(deadline) {
			err = errors.Join(err, fmt.Errorf("sched_ext still %q %v after the scheduler stopped", st, sc.attachTimeout))
			break
		}
		sc.wait(schedPoll)
	}
	if sc.klog != nil {
		sc.klog.read()
	}
	sc.fillRestartMessages()
	return err
}

// callScenario runs fn, turning a panic into an error with its stack.
func callScenario(c *Harness, fn func(*Harness) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("scenario panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(c)
}

// newHarness builds the Ctx from the variant, the guest's sysfs and the Spec.
func (g *guestRun) newHarness(s spec.Spec) (*Harness, error) {
	v, err := variantFromEnv(g.t.Name(), s)
	if err != nil {
		return nil, err
	}
	for _, f := range s.RequiredFlags {
		if !slices.Contains(v.Flags, f) {
			v.Flags = append(v.Flags, f)
		}
	}
	g.res.Variant, g.res.Flags = v.Name, v.Flags
	layout, err := topo.ReadSysfs("/sys")
	if err != nil {
		return nil, err
	}
	c := &Harness{Layout: layout, Online: layout.Online(), Duration: s.Duration, Workers: s.Workers, Flags: v.Flags, Variant: v}
	c.Usable = topo.UsableCPUs(c.Online)
	c.Topology = v.Topology
	if obs, ok := layout.Topology(); ok {
		c.Topology = obs
	}
	if err := topo.CheckLayout(v.Topology, layout); err != nil {
		g.t.Logf("warning: %v", err)
	}
	d := s.WithDefaults()
	c.Duration, c.Workers = d.Duration, d.Workers
	g.env = newEnv(g.t, s, c, v)
	c.env = g.env
	g.fillResult(c)
	return c, nil
}

// newEnv measures the machine, derives thresholds and prepares how
// workers are started.
func newEnv(t testing.TB, s spec.Spec, c *Harness, v spec.Variant) *env {
	ctx, cancel := context.WithCancel(t.Context())
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if d, has := dt.Deadline(); has {
			cancel()
			ctx, cancel = context.WithDeadline(t.Context(), d)
		}
	}
	cal := calibrate(c.Usable, calibrationTime)
	m := machine{Accel: detectAccel(v.Accel), VCPUs: c.Usable.Len(), Parallelism: cal.Parallelism, Stall: cal.Stall, Clocksource: clocksource(),
		Threads: c.Online.Len(), HostCPUs: v.HostCPUs, TCGSingle: v.TCGSingle}
	th := effectiveThresholds(s.Checks, m)
	t.Logf("%s", formatThresholds(th))
	exe, _ := os.Executable()
	return &env{ctx: ctx, cancel: cancel, tb: t, exe: exe, args: []string{"-test.run=" + spec.RunPattern(t.Name())}, thresholds: th, pay: newPayloadEnv(s)}
}

// fillResult records what the result line reports about the machine.
func (g *guestRun) fillResult(c *Harness) {
	r := &g.res
	r.Topology = c.Topology.String()
	if _, ok := c.Layout.Topology(); !ok {
		r.Topology = c.Layout.String()
	}
	r.CPUs, r.UsableCPUs = c.Online.Len(), c.Usable.String()
	r.Accel, r.Kernel = detectAccel(c.Variant.Accel), kernelRelease()
	r.Thresholds = g.env.thresholds
}

// finish hands the scheduler's logs to the host, prints the result line
// and marks the test.
func (g *guestRun) finish(err error) {
	r := &g.res
	r.Elapsed = time.Since(g.begin)
	if g.env != nil {
		r.Scenarios, r.Metrics = g.env.scenarios, g.env.pay.metrics
		g.env.cancel()
	}
	err = g.judgeExit(err)
	var ce *CheckError
	switch {
	case err == nil:
	case errors.Is(err, spec.ErrNotSupported):
		r.Outcome, r.Message = spec.OutcomeSkip, err.Error()
	case errors.As(err, &ce):
		r.Outcome, r.Message, r.Failures = spec.OutcomeFail, ce.Failures[0], ce.Failures
	default:
		r.Outcome, r.Message = spec.OutcomeFail, firstLine(err.Error())
		r.Failures = []string{r.Message}
	}
	if g.env != nil {
		for _, f := range g.env.pay.files {
			spec.WriteFileBlock(os.Stdout, f.name, []byte(f.data))
		}
	}
	if r.Outcome == spec.OutcomePass {
		r.Inconclusive = inconclusive(r.Scenarios, r.Thresholds)
		if r.Inconclusive != "" {
			g.t.Logf("inconclusive: %s", r.Inconclusive)
		}
	}
	if g.sched != nil {
		for _, f := range g.sched.logFiles() {
			spec.WriteFileBlock(os.Stdout, f.name, []byte(f.data))
		}
	}
	if line, lerr := r.Line(); lerr == nil {
		fmt.Fprintln(os.Stdout, line)
	}
	switch r.Outcome {
	case spec.OutcomeSkip:
		testutil.SkipIfNotSupported(g.t, err)
	case spec.OutcomeFail:
		g.t.Fatal(err.Error())
	}
}

// inconclusive says which checks of a passing test ran with limits past
// their bounds (the scenarios' Relaxed lists, each named once) and why,
// or "" when every applied check kept its power.
func inconclusive(scs []spec.ScenarioStats, th spec.Thresholds) string {
	var relaxed []string
	for _, sc := range scs {
		for _, r := range sc.Relaxed {
			if !slices.Contains(relaxed, r) {
				relaxed = append(relaxed, r)
			}
		}
	}
	if len(relaxed) == 0 {
		return ""
	}
	return fmt.Sprintf("limits relaxed past their bounds: %s (%s)", strings.Join(relaxed, ", "), th.Basis)
}

// judgeExit records the scheduler's programs, restarts and exit in the
// result and decides what the exit means: with no expectation it is the
// test's headline failure; an expected exit the expectation accepts
// clears the errors it caused.
func (g *guestRun) judgeExit(err error) error {
	sc := g.sched
	if sc == nil {
		if g.opts.ExpectSchedulerExit != nil && err == nil {
			return errors.New("the test expects a scheduler exit, but its Spec has no scheduler")
		}
		return err
	}
	r := &g.res
	r.BPFPrograms, r.SchedulerRestarts = sc.programs, sc.restarts
	for _, rs := range sc.restarts {
		g.t.Logf("scheduler restart request (not a failure): %s", rs.String())
	}
	if sc.relaunches > 0 {
		g.t.Logf("scheduler %s: %s %d times after restart requests", sc.name, map[bool]string{true: "the built-in scheduler attached again",
			false: "its loader, which exited at the request, started again"}[sc.launch.builtin], sc.relaunches)
	}
	e := sc.exit
	if e == nil {
		if g.opts.ExpectSchedulerExit != nil && err == nil {
			return fmt.Errorf("scheduler %s was expected to exit, but it ran to the end of the test", sc.name)
		}
		return err
	}
	r.SchedulerExit = e
	g.logExit(e)
	rest := withoutExit(err)
	if g.opts.ExpectSchedulerExit == nil {
		return errors.Join(&SchedulerExitError{Exit: e, Hint: g.hint(e)}, rest)
	}
	if cerr := g.opts.ExpectSchedulerExit(*e); cerr != nil {
		return errors.Join(fmt.Errorf("scheduler exit not as expected: %w (the exit: %s)", cerr, e), rest)
	}
	e.Expected = true
	g.t.Logf("expected scheduler exit: %s", e)
	return rest
}

// logExit logs the exit and how quickly it was noticed and reported.
func (g *guestRun) logExit(e *spec.SchedulerExit) {
	var b strings.Builder
	fmt.Fprintf(&b, "scheduler exit: kind %d (%s), detected by %s", int(e.Kind), orNone(e.KindName), orNone(e.DetectedBy))
	if e.DetectLatency > 0 {
		fmt.Fprintf(&b, " %v after the kernel's exit", e.DetectLatency.Round(time.Microsecond))
	}
	if e.ReportLatency > 0 {
		fmt.Fprintf(&b, ", scenario ended %v after it", e.ReportLatency.Round(time.Microsecond))
	}
	if sc := g.sched; sc.disabled != nil && sc.gone != nil && sc.klog.calibrated {
		fmt.Fprintf(&b, "; the kernel's \"disabled\" record is %+v from the detection", (sc.disabled.TS - sc.gone.at).Round(time.Microsecond))
	}
	if e.Loader != "" {
		fmt.Fprintf(&b, "; loader %s", e.Loader)
	}
	g.t.Logf("%s", b.String())
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// withoutExit drops from err the parts that only restate the scheduler's
// exit: the exit's own error and the cancellation it caused.
func withoutExit(err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var keep []error
		for _, e := range j.Unwrap() {
			if e = withoutExit(e); e != nil {
				keep = append(keep, e)
			}
		}
		return errors.Join(keep...)
	}
	var se *SchedulerExitError
	if errors.As(err, &se) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// variantFromEnv decodes spec.EnvVariant, or builds the base variant from
// the Spec when it is unset (a test binary started by hand in a VM).
func variantFromEnv(test string, s spec.Spec) (spec.Variant, error) {
	if raw := os.Getenv(spec.EnvVariant); raw != "" {
		var v spec.Variant
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return v, fmt.Errorf("decode %s: %w", spec.EnvVariant, err)
		}
		return v, nil
	}
	t, err := topo.Parse(s.WithDefaults().Topology)
	if err != nil {
		return spec.Variant{}, fmt.Errorf("spec topology: %w", err)
	}
	return spec.Variant{Name: test, Topology: t, Flags: s.RequiredFlags}, nil
}

// leftoverTempFiles fails when an IoSync temp file outlived its worker.
func leftoverTempFiles() error {
	left, _ := filepath.Glob(filepath.Join(os.TempDir(), "gauntlet-iosync-*"))
	if len(left) > 0 {
		return fmt.Errorf("temp files left behind: %v", left)
	}
	return nil
}

// schedulerGone returns the scheduler's exit as a *SchedulerExitError
// once the watcher has cancelled the scenario for it, nil before.
func (h *Harness) schedulerGone() error {
	if h.env.sched == nil || context.Cause(h.env.ctx) != errSchedulerGone {
		return nil
	}
	return &SchedulerExitError{Exit: h.env.sched.exitInfo()}
}

// hint says what to do about e when the scheduler is a `gauntlet run
// --scheduler` binary (the variant's override) that never attached; ""
// otherwise (a Spec's own scheduler, or one that attached and failed on
// its own).
func (g *guestRun) hint(e *spec.SchedulerExit) string {
	o := g.override
	if o == nil || o.Binary == "" || e.Attached {
		return ""
	}
	k, _, _ := strings.Cut(g.kernel, " (from ") // spec.Variant.Kernel: "PATH (from STEP)"
	if k == "" {
		k = "SCHED_EXT_KERNEL"
	}
	byHand := fmt.Sprintf("try it by hand: gauntlet shell --kernel %s -i %s -- %s", k, o.Binary, strings.Join(append([]string{filepath.Base(o.Binary)}, o.Args...), " "))
	switch e.DetectedBy {
	case spec.DetectedStart:
		return "give --scheduler a sched_ext scheduler executable that runs in the guest; " + byHand
	case spec.DetectedTimeout:
		return "is it a sched_ext scheduler (it must load a BPF scheduler the kernel names in /sys/kernel/sched_ext/root/ops)? " + byHand
	}
	if len(o.Args) == 0 {
		return "check that it loads on this kernel; " + byHand
	}
	return fmt.Sprintf("check --scheduler-args %q and that it loads on this kernel; %s", strings.Join(o.Args, " "), byHand)
}
