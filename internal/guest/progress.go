package guest

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// maxWakeSamples bounds the wake-latency samples a worker keeps; beyond
// it, samples are kept by reservoir sampling.
const maxWakeSamples = 1024

// epochCPUs are the CPUs a worker was seen on during one isolation epoch.
type epochCPUs struct {
	Epoch uint64      `json:"epoch"`
	CPUs  topo.CPUSet `json:"cpus"`
}

// progress is a worker's bookkeeping at its checkpoints. Times are
// nanoseconds since the worker's start; it does no I/O and reads no clock.
type progress struct {
	last       int64
	units      uint64
	maxGap     int64
	gapAt      int64
	gapCPU     int
	cpu        int
	migrations int
	cpus       topo.CPUSet
	epoch      uint64
	epochSet   topo.CPUSet
	epochs     []epochCPUs
	wake       sampler
}

func newProgress() progress { return progress{cpu: -1, gapCPU: -1} }

// noEpoch is the epoch of a checkpoint whose CPU could not be tied to one
// isolation epoch; its CPU counts for migrations but not for isolation.
const noEpoch = ^uint64(0)

// observeRetries bounds how often observe rereads a CPU the harness's
// cpuset changes kept overtaking.
const observeRetries = 3

// observe reads the isolation epoch, then the CPU, then the epoch again,
// and returns the CPU with the epoch it was seen in. A worker preempted
// between reading the epoch and its CPU may be moved by a cpuset change
// in the meantime; then the two epoch reads differ, and tying the new CPU
// to the old epoch would be a false isolation failure (seen in CI: a
// worker of a cgroup whose cpuset was swapped every 100 ms reported on
// the other CPU). observe reads again; after observeRetries changes it
// returns noEpoch.
func observe(epoch func() uint64, getcpu func() int) (uint64, int) {
	cpu := -1
	for range observeRetries {
		before := epoch()
		cpu = getcpu()
		if epoch() == before {
			return before, cpu
		}
	}
	return noEpoch, cpu
}

// checkpoint records one unit of work finished at now on cpu during
// isolation epoch ep (noEpoch: not known). excused is time not counted
// as a gap: time the worker meant to block (a sleep) and time the kernel
// spent in CPU hotplug ops since the last checkpoint. A gap is attributed to the time it started
// and to the CPU the worker was last seen on before it (the run queue it
// waited on), or the CPU it resumed on when there was none.
func (p *progress) checkpoint(now int64, cpu int, ep uint64, excused int64) {
	p.units++
	if gap := now - p.last - excused; gap > p.maxGap {
		p.maxGap, p.gapAt, p.gapCPU = gap, p.last, p.cpu
		if p.cpu < 0 {
			p.gapCPU = cpu
		}
	}
	p.last = now
	if p.cpu >= 0 && cpu != p.cpu {
		p.migrations++
	}
	p.cpu = cpu
	if cpu >= 0 && cpu < topo.MaxVCPUs {
		p.cpus = p.cpus.Add(cpu)
		if ep == noEpoch {
			return
		}
		if ep != p.epoch {
			p.flushEpoch()
			p.epoch = ep
		}
		p.epochSet = p.epochSet.Add(cpu)
	}
}

// flushEpoch closes the current epoch's CPU set.
func (p *progress) flushEpoch() {
	if !p.epochSet.IsEmpty() {
		p.epochs = append(p.epochs, epochCPUs{Epoch: p.epoch, CPUs: p.epochSet})
	}
	p.epochSet = topo.CPUSet{}
}

// finish closes the last gap at end (the time the worker stopped), less
// excused, and the last epoch.
func (p *progress) finish(end, excused int64) {
	if gap := end - p.last - excused; gap > p.maxGap {
		p.maxGap, p.gapAt, p.gapCPU = gap, p.last, p.cpu
	}
	p.flushEpoch()
}

// sampler keeps up to maxWakeSamples durations, a uniform sample of all it
// was given, plus the count and maximum of all.
type sampler struct {
	samples []time.Duration
	count   int
	max     time.Duration
	rng     uint64
}

func (s *sampler) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	s.count++
	s.max = max(s.max, d)
	if len(s.samples) < maxWakeSamples {
		s.samples = append(s.samples, d)
		return
	}
	if j := s.next() % uint64(s.count); j < maxWakeSamples {
		s.samples[j] = d
	}
}

// next is xorshift64, seeded on first use.
func (s *sampler) next() uint64 {
	if s.rng == 0 {
		s.rng = 0x9e3779b97f4a7c15
	}
	s.rng ^= s.rng << 13
	s.rng ^= s.rng >> 7
	s.rng ^= s.rng << 17
	return s.rng
}
