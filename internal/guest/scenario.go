package guest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// cgroupRemoveTimeout bounds the wait for a cgroup to empty.
const cgroupRemoveTimeout = 10 * time.Second

// scenario is one ExecuteSteps call in progress.
type scenario struct {
	h        *Harness
	ctx      context.Context
	shm      *shm
	launch   *launcher
	root     *cgNode
	nodes    map[string]*cgNode
	order    []*cgNode
	procs    []*workerProc
	meta     map[int]*procMeta
	spans    map[int][]allowedSpan
	cpusets  map[string]topo.CPUSet
	pending  []*batch
	nextSlot int
	start    time.Time
	steps    int
}

// cgNode is one live cgroup of the scenario.
type cgNode struct {
	name      string
	dir       string
	parent    *cgNode
	children  []*cgNode
	def       CgroupSpec
	effective topo.CPUSet
	fd        int
	members   []*workerProc
	nextIndex int
	uneven    bool
	seed      uint64
	repins    uint64
}

// procMeta is what the harness tracks about a worker beyond its process.
type procMeta struct {
	origin *cgNode
	cur    *cgNode
	moved  bool
}

func newScenario(h *Harness) (*scenario, error) {
	m, err := newShm()
	if err != nil {
		return nil, err
	}
	root := &cgNode{dir: h.env.harness, effective: h.Usable, fd: -1}
	return &scenario{
		h: h, ctx: h.env.ctx, shm: m, launch: newLauncher(h.env.exe, h.env.args, m), root: root,
		nodes: map[string]*cgNode{}, meta: map[int]*procMeta{}, spans: map[int][]allowedSpan{},
		cpusets: map[string]topo.CPUSet{},
	}, nil
}

// execute runs the steps, stops every worker, checks and cleans up. When
// the scheduler under test stops, the watcher cancels the scenario's
// context: the steps end at once, the workers are stopped, and the
// scenario fails with the exit alone (checks of workers whose scheduler
// was ejected say nothing new).
func (s *scenario) execute(steps []StepSpec) (err error) {
	defer func() {
		if terr := s.teardown(); terr != nil && err == nil {
			err = terr
		}
	}()
	runErr := s.runSteps(steps)
	if s.h.schedulerGone() != nil {
		s.h.env.sched.awaitSettled() // the victim of a stall is named while it runs
	}
	s.abortPending()
	s.stopProcs(s.running())
	results := s.results()
	st := spec.ScenarioStats{Steps: s.steps, Cgroups: cgroupStats(results, s.cpusets)}
	if !s.start.IsZero() {
		st.Duration = time.Since(s.start)
	}
	if gone := s.h.schedulerGone(); gone != nil {
		s.h.env.sched.noteReported()
		st.Failures = []string{gone.Error()}
		s.h.env.scenarios = append(s.h.env.scenarios, st)
		return gone
	}
	if runErr != nil {
		return runErr
	}
	th := s.h.env.thresholds
	st.Failures = append(st.Failures, checkWorkers(th, results)...)
	st.Relaxed = th.Relaxed(appliedChecks(results))
	s.h.env.scenarios = append(s.h.env.scenarios, st)
	if len(st.Failures) > 0 {
		return &CheckError{Failures: st.Failures, Thresholds: th, Stats: st.Cgroups}
	}
	return nil
}

// runSteps runs each step; it stops at the first error, and before a
// step when the scheduler is gone.
func (s *scenario) runSteps(steps []StepSpec) error {
	for i, st := range steps {
		if err := s.h.schedulerGone(); err != nil {
			return err
		}
		s.steps++
		for _, d := range st.Defs {
			if err := s.addCgroup(d, s.root); err != nil {
				return fmt.Errorf("step %d: %w", i, err)
			}
		}
		if err := s.applyAll(st.Ops); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
		if err := s.hold(st); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
	}
	return nil
}

// applyAll applies ops in order, then releases the workers they started.
func (s *scenario) applyAll(ops []OpSpec) error {
	for _, o := range ops {
		if err := s.apply(o); err != nil {
			return err
		}
	}
	return s.release()
}

// hold waits out the step, re-applying its ops at each loop interval.
func (s *scenario) hold(st StepSpec) error {
	end := time.NewTimer(st.Hold.duration(s.h.Duration))
	defer end.Stop()
	var tick <-chan time.Time
	if st.Hold.Every > 0 {
		t := time.NewTicker(st.Hold.Every)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-end.C:
			return nil
		case <-tick:
			if err := s.applyAll(st.Ops); err != nil {
				return err
			}
		case <-s.ctx.Done():
			return fmt.Errorf("hold: %w", s.ctx.Err())
		}
	}
}

// release waits until every launched worker is ready, then lets them all
// go at once.
func (s *scenario) release() error {
	for _, b := range s.pending {
		if err := b.awaitReady(s.ctx); err != nil {
			return err
		}
	}
	if len(s.pending) > 0 && s.start.IsZero() {
		s.start = time.Now()
	}
	for _, b := range s.pending {
		if err := b.release(); err != nil {
			return fmt.Errorf("release workers: %w", err)
		}
	}
	s.pending = nil
	return nil
}

// node returns the live cgroup called name.
func (s *scenario) node(name string) (*cgNode, error) {
	n, ok := s.nodes[name]
	if !ok {
		return nil, fmt.Errorf("no cgroup %q in the scenario (have %v)", name, s.names())
	}
	return n, nil
}

func (s *scenario) names() []string {
	var out []string
	for _, n := range s.order {
		out = append(out, n.name)
	}
	return out
}

// addCgroup creates def below parent, then its children or its workers.
func (s *scenario) addCgroup(def CgroupSpec, parent *cgNode) error {
	name := def.Name
	if parent != s.root {
		name = parent.name + "/" + def.Name
	}
	if _, dup := s.nodes[name]; dup {
		return fmt.Errorf("cgroup %s already exists", name)
	}
	if len(parent.members) > 0 {
		return fmt.Errorf("cgroup %s: parent %s runs workers; cgroup v2 keeps processes in leaves", name, parent.name)
	}
	n := &cgNode{name: name, dir: filepath.Join(parent.dir, def.Name), parent: parent, def: def, fd: -1, seed: seedOf(name)}
	if err := os.Mkdir(n.dir, 0o755); err != nil {
		return fmt.Errorf("create cgroup: %w", err)
	}
	s.nodes[name], s.order = n, append(s.order, n)
	parent.children = append(parent.children, n)
	if err := s.applyCpuset(n); err != nil {
		return err
	}
	if len(def.Children) > 0 {
		if err := enableControllers(n.dir); err != nil {
			return err
		}
		for _, c := range def.Children {
			if err := s.addCgroup(c, n); err != nil {
				return err
			}
		}
		return nil
	}
	fd, err := openCgroupFD(n.dir)
	if err != nil {
		return err
	}
	n.fd = fd
	return s.spawn(n, def.workerCount(s.h.Workers))
}

// applyCpuset writes n's cpuset (resolved within its parent's CPUs) and
// refreshes the effective CPUs of n and its descendants.
func (s *scenario) applyCpuset(n *cgNode) error {
	var set topo.CPUSet
	if !n.def.Cpuset.inherit() {
		var err error
		if set, err = n.def.Cpuset.resolve(s.h.Layout, n.parent.effective); err != nil {
			return fmt.Errorf("cgroup %s: %w", n.name, err)
		}
	}
	if err := writeCpus(n.dir, set); err != nil {
		return err
	}
	return s.refresh(n)
}

// refresh re-reads the effective CPUs of n and its descendants.
func (s *scenario) refresh(n *cgNode) error {
	for _, d := range n.subtree() {
		eff, err := effectiveCpus(d.dir)
		if err != nil {
			return err
		}
		d.effective = eff
		s.cpusets[d.name] = eff
	}
	return nil
}

// subtree returns n and its descendants, parents first.
func (n *cgNode) subtree() []*cgNode {
	out := []*cgNode{n}
	for _, c := range n.children {
		out = append(out, c.subtree()...)
	}
	return out
}

// running returns the workers in n's subtree not yet asked to stop.
func (n *cgNode) running() []*workerProc {
	var out []*workerProc
	for _, d := range n.subtree() {
		for _, p := range d.members {
			if !p.stopAsked {
				out = append(out, p)
			}
		}
	}
	return out
}

// running returns every worker not yet asked to stop.
func (s *scenario) running() []*workerProc {
	var out []*workerProc
	for _, p := range s.procs {
		if !p.stopAsked {
			out = append(out, p)
		}
	}
	return out
}

// stopProcs asks all of procs to stop, then collects each one's report.
func (s *scenario) stopProcs(procs []*workerProc) {
	for _, p := range procs {
		p.askStop(s.shm)
	}
	ctx := s.stopCtx()
	for _, p := range procs {
		p.collect(ctx, stopTimeout)
	}
}

// stopCtx is the context workers are stopped under: the scenario's,
// unless it was cancelled because the scheduler stopped; then workers
// still get their stop timeout to report (they run on the kernel's own
// scheduler again).
func (s *scenario) stopCtx() context.Context {
	if context.Cause(s.ctx) == errSchedulerGone {
		return context.WithoutCancel(s.ctx)
	}
	return s.ctx
}

// seedOf derives a stable seed from a cgroup name (FNV-1a).
func seedOf(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h
}
