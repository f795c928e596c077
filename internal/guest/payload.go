package guest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/metrics"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// Payload timing.
const (
	// payloadStopGrace is how long a payload has to exit after SIGINT
	// before it is killed.
	payloadStopGrace = 10 * time.Second
	// minPayloadTimeout bounds a foreground payload without a Timeout:
	// at least this, or five scenario durations.
	minPayloadTimeout = 60 * time.Second
)

// PayloadRunSpec is the wire form of one run of a payload program: the
// Spec's payload Payload started with Args (and the arguments that make
// it write its machine-readable report) in leaf cgroup Cgroup (empty: a
// cgroup of its own, "payload-LABEL"), waited for up to Timeout, or in
// the Background until the step ends. Label names its metrics and log
// files; empty means the payload's name.
type PayloadRunSpec struct {
	Payload    string
	Args       []string
	Cgroup     string
	Background bool
	Timeout    time.Duration
	Label      string
}

// String describes r, e.g. "payload stress-ng --cpu 1 (background)".
func (r PayloadRunSpec) String() string {
	s := strings.Join(append([]string{"payload", r.Payload}, r.Args...), " ")
	if r.Background {
		s += " (background)"
	}
	return s
}

// payloadEnv is the test's payload state: what the Spec declares and what
// its payloads measured.
type payloadEnv struct {
	spec     []spec.Payload
	declared map[string]spec.Payload
	bounds   []spec.MetricBound
	labels   map[string]int
	metrics  []spec.Metric
	files    []logFile
}

func newPayloadEnv(s spec.Spec) *payloadEnv {
	e := &payloadEnv{spec: s.Payloads, declared: map[string]spec.Payload{}, bounds: s.MetricBounds, labels: map[string]int{}}
	for _, p := range s.Payloads {
		e.declared[p.Name] = p
	}
	return e
}

// validate checks a payload op before the scenario starts.
func (e *payloadEnv) validate(r PayloadRunSpec) error {
	if _, ok := e.declared[r.Payload]; !ok {
		return fmt.Errorf("%s: no payload %q in the Spec's Payloads (declare it there, so its binary is packed into the guest)", r, r.Payload)
	}
	if r.Timeout < 0 {
		return fmt.Errorf("%s: negative timeout", r)
	}
	return nil
}

// validateSteps checks the Spec's payloads and bounds and the payload
// ops of steps.
func (e *payloadEnv) validateSteps(steps []StepSpec) error {
	if err := metrics.ValidatePayloads(e.spec, e.bounds); err != nil {
		return err
	}
	for i, st := range steps {
		for _, o := range st.Ops {
			if o.Kind != OpPayload {
				continue
			}
			if err := e.validate(o.Payload); err != nil {
				return fmt.Errorf("step %d: %w", i, err)
			}
		}
	}
	return nil
}

// label returns a unique label for a run: its own, a second run of the
// same label gets "#2", and so on.
func (e *payloadEnv) label(r PayloadRunSpec) string {
	l := r.Label
	if l == "" {
		l = r.Payload
	}
	e.labels[l]++
	if n := e.labels[l]; n > 1 {
		l = fmt.Sprintf("%s#%d", l, n)
	}
	return l
}

// payloadProc is one running payload.
type payloadProc struct {
	run     PayloadRunSpec
	p       spec.Payload
	label   string
	report  string
	cmd     *exec.Cmd
	out     bytes.Buffer
	done    chan struct{}
	waitErr error
	stopped bool
	began   time.Time
}

// startPayload starts r: in its cgroup, with its report file's arguments.
func (s *scenario) startPayload(r PayloadRunSpec) (*payloadProc, error) {
	pe := s.h.env.pay
	pp := &payloadProc{run: r, p: pe.declared[r.Payload], label: pe.label(r), done: make(chan struct{})}
	n, err := s.payloadNode(pp)
	if err != nil {
		return nil, err
	}
	args := slices.Clone(r.Args)
	safe := strings.NewReplacer("#", "-", "/", "-").Replace(pp.label)
	switch pp.p.Output {
	case spec.OutputStressNGYAML:
		pp.report = filepath.Join(os.TempDir(), "gauntlet-payload-"+safe+".yaml")
		args = append(args, "--metrics", "--yaml", pp.report)
	case spec.OutputCyclictestJSON:
		pp.report = filepath.Join(os.TempDir(), "gauntlet-payload-"+safe+".json")
		args = append(args, "--json="+pp.report)
	}
	bin := spec.PayloadGuestPath(pp.p.Binary)
	cmd := exec.Command(bin, args...)
	cmd.Args[0] = filepath.Base(pp.p.Binary)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp", "LD_LIBRARY_PATH=" + os.Getenv(spec.EnvPayloadLibPath)}
	cmd.Dir, cmd.Stdout, cmd.Stderr = os.TempDir(), &pp.out, &pp.out
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: n.fd, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", r, bin, err)
	}
	pp.cmd, pp.began = cmd, time.Now()
	go func() { pp.waitErr = cmd.Wait(); close(pp.done) }()
	s.h.env.tb.Logf("payload %s started (pid %d) in cgroup %s: %s", pp.label, cmd.Process.Pid, n.name, strings.Join(cmd.Args, " "))
	return pp, nil
}

// payloadNode returns the leaf cgroup r runs in, creating its own when
// it names none.
func (s *scenario) payloadNode(pp *payloadProc) (*cgNode, error) {
	if pp.run.Cgroup != "" {
		n, err := s.node(pp.run.Cgroup)
		if err != nil {
			return nil, err
		}
		if len(n.children) > 0 || n.fd < 0 {
			return nil, fmt.Errorf("%s: cgroup %s has child cgroups; run payloads in a leaf", pp.run, n.name)
		}
		return n, nil
	}
	name := "payload-" + strings.NewReplacer("#", "-", "/", "-").Replace(pp.label)
	if n, ok := s.nodes[name]; ok {
		return n, nil
	}
	n := &cgNode{name: name, dir: filepath.Join(s.root.dir, name), parent: s.root, fd: -1}
	if err := os.Mkdir(n.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup: %w", err)
	}
	s.nodes[name], s.order = n, append(s.order, n)
	s.root.children = append(s.root.children, n)
	if err := s.applyCpuset(n); err != nil {
		return nil, err
	}
	fd, err := openCgroupFD(n.dir)
	if err != nil {
		return nil, err
	}
	n.fd = fd
	return n, nil
}

// runPayload runs r: a foreground payload to its end (or its timeout), a
// background one until the step ends.
func (s *scenario) runPayload(r PayloadRunSpec) error {
	pp, err := s.startPayload(r)
	if err != nil {
		return err
	}
	if r.Background {
		s.background = append(s.background, pp)
		return nil
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = max(minPayloadTimeout, 5*s.h.Duration)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-pp.done:
	case <-t.C:
		pp.stop()
		s.payloadFailures = append(s.payloadFailures, fmt.Sprintf("payload %s still running after its timeout %v; stopped", pp.label, timeout))
	case <-s.ctx.Done():
		pp.stop()
	}
	s.finishPayload(pp)
	return nil
}

// stopBackground stops the background payloads still running (SIGINT,
// then SIGKILL after a grace period) and records them.
func (s *scenario) stopBackground() {
	for _, pp := range s.background {
		pp.stop()
	}
	for _, pp := range s.background {
		s.finishPayload(pp)
	}
	s.background = nil
}

// stop interrupts pp's process group unless it has exited, killing it
// after payloadStopGrace.
func (pp *payloadProc) stop() {
	select {
	case <-pp.done:
		return
	default:
	}
	pp.stopped = true
	pgid := -pp.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGINT)
	select {
	case <-pp.done:
	case <-time.After(payloadStopGrace):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-pp.done
	}
}

// finishPayload judges pp's exit, parses its metrics and keeps its
// output for the host.
func (s *scenario) finishPayload(pp *payloadProc) {
	<-pp.done
	pe := s.h.env.pay
	elapsed := time.Since(pp.began).Round(time.Millisecond)
	var failures []string
	var ee *exec.ExitError
	switch {
	case pp.waitErr == nil || pp.stopped && errors.As(pp.waitErr, &ee):
	default:
		failures = append(failures, fmt.Sprintf("payload %s %v after %v: %s", pp.label, pp.waitErr, elapsed, lastLine(pp.out.String())))
	}
	ms, report, err := pp.metrics()
	switch {
	case err == nil || len(failures) > 0:
	case pp.stopped:
		// Stopped by the harness, it may not have written its report; a
		// bound on its metrics then fails as never measured.
		s.h.env.tb.Logf("payload %s, stopped: no metrics: %v", pp.label, err)
	default:
		failures = append(failures, fmt.Sprintf("payload %s: %v", pp.label, err))
	}
	base := "payload-" + strings.NewReplacer("#", "-", "/", "-").Replace(pp.label)
	if spec.ValidFileName(base + ".log") {
		pe.files = append(pe.files, logFile{base + ".log", pp.out.String()})
		if report != nil {
			pe.files = append(pe.files, logFile{base + filepath.Ext(pp.report), string(report)})
		}
	}
	pe.metrics = append(pe.metrics, ms...)
	s.metrics = append(s.metrics, ms...)
	s.payloadFailures = append(s.payloadFailures, failures...)
	s.h.env.tb.Logf("payload %s ended after %v (%v), %d metrics", pp.label, elapsed, exitText(pp.waitErr), len(ms))
}

// metrics parses pp's report file and output; report is the file's
// content (nil without one).
func (pp *payloadProc) metrics() (ms []spec.Metric, report []byte, err error) {
	if pp.report != "" {
		report, err = os.ReadFile(pp.report)
		os.Remove(pp.report)
		if err != nil {
			return nil, nil, fmt.Errorf("no report: %w", err)
		}
		switch pp.p.Output {
		case spec.OutputStressNGYAML:
			ms, err = metrics.StressNGYAML(report, pp.label)
		case spec.OutputCyclictestJSON:
			ms, err = metrics.CyclictestJSON(report, pp.label)
		}
		if err != nil {
			return nil, report, err
		}
	}
	more, err := metrics.Patterns(pp.out.Bytes(), pp.label, pp.p.Patterns)
	return append(ms, more...), report, err
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "no output"
	}
	return s
}

// Metrics returns the metrics the test's payloads measured so far.
func (h *Harness) Metrics() []spec.Metric { return slices.Clone(h.env.pay.metrics) }

// CheckMetrics returns a *[CheckError] naming each measured metric outside
// one of bounds, and each bound on a metric never measured; nil when all
// hold.
func (h *Harness) CheckMetrics(bounds []spec.MetricBound) error {
	fs := append(metrics.Check(h.env.pay.metrics, bounds), metrics.Unmeasured(h.env.pay.metrics, bounds)...)
	if len(fs) == 0 {
		return nil
	}
	return &CheckError{Failures: fs, Thresholds: h.env.thresholds}
}

// unmeasuredBounds fails a test whose Spec bounds a metric none of its
// payloads measured.
func (h *Harness) unmeasuredBounds() error {
	fs := metrics.Unmeasured(h.env.pay.metrics, h.env.pay.bounds)
	if len(fs) == 0 {
		return nil
	}
	return &CheckError{Failures: fs, Thresholds: h.env.thresholds}
}
