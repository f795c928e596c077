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

// RunGuest executes the scenario fn as test t inside the VM. It reads the
// guest's topology from sysfs, derives the check thresholds (printing
// them), keeps the last CPU for itself when there are more than two,
// creates its cgroup, loads the Spec's scheduler, runs fn, stops and
// removes everything, verifies nothing is left, prints the result line
// (see [spec.ResultPrefix]) and marks t: failed with the scenario's error
// (failure lines, thresholds and stats block), skipped when the guest
// cannot run it (no sched_ext), else passed.
func RunGuest(t testing.TB, s spec.Spec, fn func(*Harness) error) {
	t.Helper()
	g := &guestRun{t: t, begin: time.Now(), res: spec.Result{Test: t.Name(), Outcome: spec.OutcomePass, Scheduler: "eevdf"}}
	err := g.run(s, fn)
	g.finish(err)
}

// guestRun is one RunGuest call.
type guestRun struct {
	t     testing.TB
	begin time.Time
	res   spec.Result
	env   *env
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
	if s.Scheduler != nil {
		sc, err := startScheduler(c.env.ctx, s.Scheduler, c.Flags)
		if err != nil {
			return err
		}
		c.env.sched = sc
		g.res.Scheduler = sc.name
		g.t.Logf("scheduler %s attached", sc.name)
		defer func() { err = errors.Join(err, g.stopScheduler(sc)) }()
	}
	err = callScenario(c, fn)
	if err == nil && c.env.sched != nil {
		err = c.schedulerAlive("at the end")
	}
	return errors.Join(err, leftoverTempFiles())
}

// stopScheduler unloads the scheduler and checks sched_ext is disabled.
func (g *guestRun) stopScheduler(sc *scheduler) error {
	if err := sc.stop(); err != nil {
		return err
	}
	deadline := time.Now().Add(schedAttachTimeout)
	for {
		st, _ := schedExtState()
		if st == "disabled" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sched_ext still %q %v after the scheduler stopped", st, schedAttachTimeout)
		}
		time.Sleep(schedPoll)
	}
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
	m := machine{Accel: detectAccel(v.Accel), VCPUs: c.Usable.Len(), Parallelism: cal.Parallelism, Stall: cal.Stall, Clocksource: clocksource()}
	th := effectiveThresholds(s.Checks, m)
	t.Logf("%s", formatThresholds(th))
	exe, _ := os.Executable()
	return &env{ctx: ctx, cancel: cancel, tb: t, exe: exe, args: []string{"-test.run=" + spec.RunPattern(t.Name())}, thresholds: th}
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

// finish prints the result line and marks the test.
func (g *guestRun) finish(err error) {
	r := &g.res
	r.Elapsed = time.Since(g.begin)
	if g.env != nil {
		r.Scenarios = g.env.scenarios
		g.env.cancel()
	}
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

// schedulerAlive checks the scheduler (if any) still runs; where says
// when, for the message.
func (c *Harness) schedulerAlive(where string) error {
	if c.env.sched == nil {
		return nil
	}
	if err := c.env.sched.alive(); err != nil {
		return &schedDeadError{msg: fmt.Sprintf("scheduler died (found %s): %v", where, err)}
	}
	return nil
}
