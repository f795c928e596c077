package guest

import (
	"fmt"
	"os"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// spawn launches count workers in leaf n; they get ready in parallel with
// the rest and are held at a barrier until the next release.
func (s *scenario) spawn(n *cgNode, count int) error {
	if count <= 0 {
		return nil
	}
	if len(n.children) > 0 || n.fd < 0 {
		return fmt.Errorf("cgroup %s has child cgroups; start workers in a leaf", n.name)
	}
	if s.nextSlot+count > maxSlots {
		return fmt.Errorf("cgroup %s: %d more workers exceed the scenario limit of %d", n.name, count, maxSlots)
	}
	w := n.def.Work.orDefault()
	if err := w.checkCount(count); err != nil {
		return fmt.Errorf("cgroup %s: spawn: %w", n.name, err)
	}
	reqs, parentEnds, err := s.requests(n, w, count)
	defer closeFiles(parentEnds)
	if err != nil {
		return err
	}
	b, err := s.launch.launch(reqs)
	if err != nil {
		return fmt.Errorf("start workers of %s: %w", n.name, err)
	}
	s.pending = append(s.pending, b)
	ep := s.shm.epoch().Load()
	for _, p := range b.procs {
		n.members = append(n.members, p)
		s.procs = append(s.procs, p)
		s.meta[p.cfg.Slot] = &procMeta{origin: n, cur: n}
		s.spans[p.cfg.Slot] = []allowedSpan{{From: ep, CPUs: n.effective}}
	}
	return nil
}

// requests builds the worker configurations of one spawn, with the pipes
// PipeIo pairs need; the returned files are the harness's copies, to be
// closed once the workers started.
func (s *scenario) requests(n *cgNode, w WorkSpec, count int) ([]spawnRequest, []*os.File, error) {
	first := s.nextSlot
	g := max(2, w.groupSize())
	reqs := make([]spawnRequest, count)
	for i := range reqs {
		idx := n.nextIndex
		cfg := workerConfig{
			Slot: s.nextSlot, Cgroup: n.name, Index: idx, Work: w,
			Policy: n.def.Policy.Policy, Prio: n.def.Policy.Prio, Nice: n.def.Nice,
			PairSlot: first + i - i%g, PairRole: i % g, LockSlot: first,
			Seed:   n.seed ^ (uint64(idx+1) * 0x9e3779b97f4a7c15),
			Settle: defaultSettle,
		}
		if !n.def.Affinity.inherit() {
			a, err := n.def.Affinity.resolve(idx, n.seed, s.h.Layout, n.effective)
			if err != nil {
				return nil, nil, fmt.Errorf("cgroup %s: %w", n.name, err)
			}
			cfg.Affinity = a
		}
		s.nextSlot++
		n.nextIndex++
		reqs[i] = spawnRequest{cfg: cfg, cgroupFD: n.fd}
	}
	if k, _ := w.kind(); !k.pipes {
		return reqs, nil, nil
	}
	var files []*os.File
	for i := 0; i+1 < count; i += 2 {
		f, err := pipePair(&reqs[i], &reqs[i+1])
		files = append(files, f...)
		if err != nil {
			return nil, files, err
		}
	}
	return reqs, files, nil
}

// pipePair joins the partners a and b by two pipes, each reading what the
// other writes. It returns the ends it opened, the harness's copies, to be
// closed once the workers started (also when it fails).
func pipePair(a, b *spawnRequest) ([]*os.File, error) {
	aR, aW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("PipeIo pipe: %w", err)
	}
	bR, bW, err := os.Pipe()
	if err != nil {
		return []*os.File{aR, aW}, fmt.Errorf("PipeIo pipe: %w", err)
	}
	a.pipes = []*os.File{bR, aW}
	b.pipes = []*os.File{aR, bW}
	return []*os.File{aR, aW, bR, bW}, nil
}

// change applies a cpuset or membership change around two isolation
// epochs: during the first, affected workers may be on old or new CPUs;
// from the second on, only on the new ones.
func (s *scenario) change(affected []*workerProc, apply func() error) error {
	old := map[int]topo.CPUSet{}
	for _, p := range affected {
		spans := s.spans[p.cfg.Slot]
		old[p.cfg.Slot] = spans[len(spans)-1].CPUs
	}
	transition := s.shm.epoch().Add(1)
	err := apply()
	settled := s.shm.epoch().Add(1)
	for _, p := range affected {
		now := s.meta[p.cfg.Slot].cur.effective
		s.spans[p.cfg.Slot] = append(s.spans[p.cfg.Slot],
			allowedSpan{From: transition, CPUs: old[p.cfg.Slot].Union(now)},
			allowedSpan{From: settled, CPUs: now})
	}
	return err
}

// setCpuset gives n the cpuset c (the zero spec clears it).
func (s *scenario) setCpuset(n *cgNode, c CpusetSpec) error {
	return s.change(n.running(), func() error {
		n.def.Cpuset = c
		return s.applyCpuset(n)
	})
}

// swapCpusets exchanges the cpuset specs of cgroups a and b.
func (s *scenario) swapCpusets(a, b string) error {
	na, err := s.node(a)
	if err != nil {
		return err
	}
	nb, err := s.node(b)
	if err != nil {
		return err
	}
	return s.change(append(na.running(), nb.running()...), func() error {
		na.def.Cpuset, nb.def.Cpuset = nb.def.Cpuset, na.def.Cpuset
		if err := s.applyCpuset(na); err != nil {
			return err
		}
		return s.applyCpuset(nb)
	})
}

// setAffinity re-pins n's running workers' threads. Each application
// draws random affinities afresh, so a loop re-pinning with
// AffinityRandom moves the workers around.
func (s *scenario) setAffinity(n *cgNode, a AffinitySpec) error {
	n.uneven = true
	n.repins++
	for _, p := range n.running() {
		set, err := a.resolve(p.cfg.Index, n.seed+n.repins, s.h.Layout, s.meta[p.cfg.Slot].cur.effective)
		if err != nil {
			return fmt.Errorf("cgroup %s: %w", n.name, err)
		}
		if err := setAffinity(p.tid, set); err != nil {
			return fmt.Errorf("%s: %w", p.name(), err)
		}
	}
	return nil
}

// moveAll moves every running worker of cgroup from into leaf cgroup to.
func (s *scenario) moveAll(from, to string) error {
	nf, err := s.node(from)
	if err != nil {
		return err
	}
	nt, err := s.node(to)
	if err != nil {
		return err
	}
	if len(nt.children) > 0 {
		return fmt.Errorf("cgroup %s has child cgroups; move tasks into a leaf", to)
	}
	procs := nf.running()
	nf.uneven, nt.uneven = true, true
	return s.change(procs, func() error {
		for _, p := range procs {
			if err := moveProcess(nt.dir, p.cmd.Process.Pid); err != nil {
				return err
			}
			m := s.meta[p.cfg.Slot]
			m.cur.members = slices.DeleteFunc(m.cur.members, func(q *workerProc) bool { return q == p })
			m.cur, m.moved = nt, true
			nt.members = append(nt.members, p)
		}
		return nil
	})
}

// removeNode stops the workers of n's subtree and removes its cgroups.
func (s *scenario) removeNode(n *cgNode) error {
	s.stopProcs(n.running())
	sub := n.subtree()
	for i := len(sub) - 1; i >= 0; i-- {
		d := sub[i]
		if d.fd >= 0 {
			closeFD(d.fd)
			d.fd = -1
		}
		if err := removeCgroup(d.dir, cgroupRemoveTimeout); err != nil {
			return err
		}
		delete(s.nodes, d.name)
		s.order = slices.DeleteFunc(s.order, func(x *cgNode) bool { return x == d })
	}
	n.parent.children = slices.DeleteFunc(n.parent.children, func(x *cgNode) bool { return x == n })
	return nil
}

func closeFD(fd int) { unix.Close(fd) }

func closeFiles(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}
