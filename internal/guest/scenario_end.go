package guest

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// results turns every worker into a workerResult for the checks.
func (s *scenario) results() []workerResult {
	out := make([]workerResult, 0, len(s.procs))
	for _, p := range s.procs {
		m := s.meta[p.cfg.Slot]
		pol := m.origin.def.Policy
		r := workerResult{
			Cgroup: p.cfg.Cgroup, Index: p.cfg.Index, PID: p.cmd.Process.Pid, Work: p.cfg.Work,
			Report: p.report, Failure: p.failure, Spans: s.spans[p.cfg.Slot],
			Fair: p.cfg.Work.fair() && m.origin.def.Affinity.inherit() && pol.fairShare() &&
				!m.origin.uneven && !m.moved && m.origin.def.Nice == 0,
			GapExempt: pol.Policy == SchedIdle || p.cfg.Work.Kind == KindPolicyChurn,
		}
		if p.report != nil && !s.start.IsZero() {
			r.Offset = time.Duration(p.report.Start - s.start.UnixNano())
		}
		out = append(out, r)
	}
	return out
}

// abortPending kills the workers started but not yet released: held at
// their barrier, they cannot report, so asking them to stop would only
// wait out the stop timeout.
func (s *scenario) abortPending() {
	for _, b := range s.pending {
		b.abort()
		for _, p := range b.procs {
			p.stopAsked, p.failure = true, "never released: the scenario ended while starting workers"
		}
	}
	s.pending = nil
}

// teardown stops what still runs, removes the scenario's cgroups, puts
// the CPUs it took offline or brought online back, and verifies nothing
// is left: no worker process, no cgroup.
func (s *scenario) teardown() error {
	s.abortPending()
	s.stopProcs(s.running())
	var errs []error
	for i := len(s.order) - 1; i >= 0; i-- {
		n := s.order[i]
		if n.fd >= 0 {
			closeFD(n.fd)
			n.fd = -1
		}
		if err := removeCgroup(n.dir, cgroupRemoveTimeout); err != nil {
			errs = append(errs, err)
		}
	}
	s.order, s.nodes = nil, map[string]*cgNode{}
	errs = append(errs, s.restoreCPUs(), s.verifyClean(), s.shm.close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clean up scenario: %w", err)
	}
	return nil
}

// verifyClean checks that every worker exited and no cgroup is left below
// the harness cgroup.
func (s *scenario) verifyClean() error {
	var alive []string
	for _, p := range s.procs {
		select {
		case <-p.exited:
		default:
			alive = append(alive, p.name())
		}
	}
	left, err := childDirs(s.root.dir)
	if err != nil {
		return err
	}
	if len(alive) > 0 || len(left) > 0 {
		return fmt.Errorf("left behind: workers %v, cgroups %v", alive, left)
	}
	return nil
}

// childDirs lists the subdirectories of dir.
func childDirs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}
