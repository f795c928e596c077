package guest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// CPU hotplug in scenarios. An op takes a CPU offline or brings it online
// through /sys/devices/system/cpu/cpuN/online; the kernel then moves the
// tasks off a CPU going away and recomputes every cpuset's effective CPUs
// (a cgroup whose CPUs are all offline falls back to its parent's). The
// harness follows the kernel instead of predicting it:
//
//   - isolation: the op is a change of every running worker
//     ([scenario.change]): during it a worker may be on its old or its new
//     CPUs, from its end on only on the new ones, read back from
//     cpuset.cpus.effective;
//   - gaps: the time the kernel spends in the op (it stops the machine
//     to take a CPU down) is in the shared hotplug clock and excused in
//     every worker's stuck check; the rest of a gap counts;
//   - a CPU brought online that the harness cgroup does not list (a
//     possible CPU offline at boot) joins it, so the scenario's cgroups
//     without a cpuset of their own get it;
//   - at the scenario's end every CPU it changed is put back as it was,
//     and the harness cgroup's CPUs with it.

// cpuSysDir is the kernel's CPU directory in sysfs.
var cpuSysDir = "/sys/devices/system/cpu"

// hotplugOps are the op kinds that change a CPU's online state.
var hotplugOps = []OpKind{OpCPUOffline, OpCPUOnline, OpCPUToggle}

// isHotplug reports whether o takes a CPU offline or online.
func (o OpSpec) isHotplug() bool { return slices.Contains(hotplugOps, o.Kind) }

// hotplugString describes a hotplug op, e.g. "offline-cpu 1".
func (o OpSpec) hotplugString() string {
	verb := map[OpKind]string{OpCPUOffline: "offline-cpu", OpCPUOnline: "online-cpu", OpCPUToggle: "toggle-cpu"}[o.Kind]
	return fmt.Sprintf("%s %d", verb, o.CPU)
}

// validateCPU checks a CPU number of an op or hold before anything runs.
func validateCPU(what string, cpu int) error {
	if cpu < 0 || cpu >= topo.MaxVCPUs {
		return fmt.Errorf("%s: cpu %d out of range; give a CPU number 0..%d", what, cpu, topo.MaxVCPUs-1)
	}
	return nil
}

// hotplugState is what a scenario changed of the machine's CPUs, to put
// back at its end.
type hotplugState struct {
	// orig is each touched CPU's online state before the scenario's first
	// change to it.
	orig map[int]bool
	// harnessCPUs is the harness cgroup's cpuset.cpus before the scenario
	// added CPUs to it (valid when added).
	harnessCPUs string
	added       bool
	// ops counts the online writes, for the log line at the end.
	ops int
}

// onlinePath returns cpu's online file, or an error naming the CPU when
// the guest cannot hotplug it.
func (s *scenario) onlinePath(cpu int) (string, error) {
	possible, _ := topo.CPUSetOf(s.h.Layout.Possible)
	if !possible.IsEmpty() && !possible.Contains(cpu) {
		return "", fmt.Errorf("cpu %d is not a possible CPU of this guest (possible %s): pick one of those, or boot a topology with -possible%d or more",
			cpu, possible, cpu+1)
	}
	p := filepath.Join(cpuSysDir, fmt.Sprintf("cpu%d", cpu), "online")
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("cpu %d cannot be hotplugged: the kernel offers no %s (on x86 the boot CPU, cpu 0, stays online); take another CPU offline", cpu, p)
	} else if err != nil {
		return "", fmt.Errorf("cpu %d: %w", cpu, err)
	}
	return p, nil
}

// cpuOnline reads whether cpu is online.
func (s *scenario) cpuOnline(cpu int) (bool, error) {
	p, err := s.onlinePath(cpu)
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", p, err)
	}
	return strings.TrimSpace(string(b)) == "1", nil
}

// toggleCPU flips cpu's online state.
func (s *scenario) toggleCPU(cpu int) error {
	on, err := s.cpuOnline(cpu)
	if err != nil {
		return err
	}
	return s.setCPUOnline(cpu, !on)
}

// setCPUOnline takes cpu offline or brings it online (nothing when it is
// already so), as a change of every running worker.
func (s *scenario) setCPUOnline(cpu int, on bool) error {
	cur, err := s.cpuOnline(cpu)
	if err != nil || cur == on {
		return err
	}
	if h := topo.HarnessCPU(s.h.Online); !on && cpu == h {
		return fmt.Errorf("cpu %d runs the harness (the last online CPU at boot); take one of the usable CPUs %s offline", cpu, s.h.Usable)
	}
	if s.hp.orig == nil {
		s.hp.orig = map[int]bool{}
	}
	if _, seen := s.hp.orig[cpu]; !seen {
		s.hp.orig[cpu] = cur
	}
	return s.change(s.running(), func() error {
		if err := s.writeOnline(cpu, on); err != nil {
			return err
		}
		if on {
			if err := s.admitCPU(cpu); err != nil {
				return err
			}
		}
		return s.refreshAll()
	})
}

// writeOnline writes cpu's online file, timed on the shared hotplug
// clock.
func (s *scenario) writeOnline(cpu int, on bool) error {
	p, err := s.onlinePath(cpu)
	if err != nil {
		return err
	}
	v := "0"
	if on {
		v = "1"
	}
	s.shm.hotplugBegin()
	err = os.WriteFile(p, []byte(v), 0)
	s.shm.hotplugEnd()
	s.hp.ops++
	if err != nil {
		return fmt.Errorf("cpu %d online=%s: %w", cpu, v, err)
	}
	return nil
}

// admitCPU adds cpu, just brought online, to the harness cgroup when it
// does not list it and it is not the harness's own CPU.
func (s *scenario) admitCPU(cpu int) error {
	if cpu == topo.HarnessCPU(s.h.Online) {
		return nil
	}
	v, err := readCgroupFile(s.root.dir, "cpuset.cpus")
	if err != nil {
		return err
	}
	cur, err := topo.ParseCPUSet(v)
	if err != nil {
		return fmt.Errorf("cpuset.cpus of %s: %w", s.root.dir, err)
	}
	if cur.Contains(cpu) {
		return nil
	}
	if !s.hp.added {
		s.hp.harnessCPUs, s.hp.added = v, true
	}
	return writeCpus(s.root.dir, cur.Add(cpu))
}

// refreshAll re-reads the effective CPUs of the harness cgroup and every
// scenario cgroup.
func (s *scenario) refreshAll() error {
	eff, err := effectiveCpus(s.root.dir)
	if err != nil {
		return err
	}
	s.root.effective = eff
	for _, c := range s.root.children {
		if err := s.refresh(c); err != nil {
			return err
		}
	}
	return nil
}

// restoreCPUs puts every CPU the scenario changed back as it was, in CPU
// order, and the harness cgroup's CPUs. It runs once the workers are
// gone.
func (s *scenario) restoreCPUs() error {
	cpus := make([]int, 0, len(s.hp.orig))
	for c := range s.hp.orig {
		cpus = append(cpus, c)
	}
	slices.Sort(cpus)
	var errs []error
	for _, c := range cpus {
		if on, err := s.cpuOnline(c); err != nil || on != s.hp.orig[c] {
			errs = append(errs, errors.Join(err, s.writeOnline(c, s.hp.orig[c])))
		}
	}
	if s.hp.added {
		errs = append(errs, writeCgroupFile(s.root.dir, "cpuset.cpus", s.hp.harnessCPUs))
		s.hp.added = false
	}
	if s.hp.ops > 0 {
		s.h.env.tb.Logf("cpu hotplug: %d writes to cpuN/online took %v in all (not counted as gaps)",
			s.hp.ops, time.Duration(s.shm.hotplugTime(monoNow())).Round(time.Millisecond))
	}
	s.hp.orig, s.hp.ops = nil, 0
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("put the CPUs back: %w", err)
	}
	return nil
}

// toggler toggles a CPU while a hold lasts ([HoldSpec.ToggleEvery]).
type toggler struct {
	s       *scenario
	cpu     int
	ticker  *time.Ticker
	flipped bool
	flips   int
}

// newToggler starts h's CPU toggling; nil when h toggles nothing.
func (s *scenario) newToggler(h HoldSpec) *toggler {
	if h.ToggleEvery <= 0 {
		return nil
	}
	return &toggler{s: s, cpu: h.ToggleCPU, ticker: time.NewTicker(h.ToggleEvery)}
}

// tick is the channel of toggle times; nil (never ready) for no toggler.
func (t *toggler) tick() <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.ticker.C
}

// toggle flips the CPU once.
func (t *toggler) toggle() error {
	if err := t.s.toggleCPU(t.cpu); err != nil {
		return fmt.Errorf("hold: toggle cpu %d: %w", t.cpu, err)
	}
	t.flipped = !t.flipped
	t.flips++
	return nil
}

// stop ends the toggling; with restore (the hold's normal end) it flips
// the CPU back when the hold left it changed, and flips it there and
// back when the hold ended before its first toggle (a guest too slow
// for the interval still gets one hotplug cycle).
func (t *toggler) stop(restore bool) error {
	if t == nil {
		return nil
	}
	t.ticker.Stop()
	if restore && t.flips == 0 {
		if err := t.toggle(); err != nil {
			return err
		}
	}
	if restore && t.flipped {
		return t.toggle()
	}
	return nil
}

// The shared hotplug clock: the total time the harness spent in hotplug
// ops, in the shared memory's header after the isolation epoch. The
// harness is its only writer; seq is odd while it writes.
const (
	hotplugSeqOff   = 8
	hotplugTotalOff = 16
	hotplugStartOff = 24
)

func (m *shm) word(off int) *atomic.Int64 { return (*atomic.Int64)(unsafe.Pointer(&m.mem[off])) }

// hotplugBegin marks the start of a hotplug op (now, CLOCK_MONOTONIC).
func (m *shm) hotplugBegin() {
	m.word(hotplugSeqOff).Add(1)
	m.word(hotplugStartOff).Store(monoNow())
	m.word(hotplugSeqOff).Add(1)
}

// hotplugEnd adds the op begun last to the total.
func (m *shm) hotplugEnd() {
	m.word(hotplugSeqOff).Add(1)
	m.word(hotplugTotalOff).Add(monoNow() - m.word(hotplugStartOff).Load())
	m.word(hotplugStartOff).Store(0)
	m.word(hotplugSeqOff).Add(1)
}

// hotplugTime returns the time spent in hotplug ops up to mono (a
// CLOCK_MONOTONIC time): the finished ops' total plus the running op's
// time so far. It is 0 while no op ever ran, without reading more.
func (m *shm) hotplugTime(mono int64) int64 {
	for {
		seq := m.word(hotplugSeqOff).Load()
		if seq == 0 {
			return 0
		}
		total, start := m.word(hotplugTotalOff).Load(), m.word(hotplugStartOff).Load()
		if seq%2 != 0 || m.word(hotplugSeqOff).Load() != seq {
			continue
		}
		if start > 0 && mono > start {
			total += mono - start
		}
		return total
	}
}

// validateToggle checks a hold's CPU toggling.
func (h HoldSpec) validateToggle() error {
	switch {
	case h.ToggleEvery < 0:
		return fmt.Errorf("hold %s: toggle interval must not be negative", h)
	case h.ToggleEvery == 0:
		return nil
	case h.ToggleEvery < time.Millisecond:
		return fmt.Errorf("hold %s: toggle interval below 1ms; use at least 1ms", h)
	}
	return validateCPU("hold "+h.String(), h.ToggleCPU)
}
