package gauntlet

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
)

// WorkType is what each worker of a cgroup does in a loop. One pass of
// the loop is one work unit, and every pass ends at a progress checkpoint
// where the worker notes the time and the CPU it is on; the checks
// measure those. Build one with the constructors below; the zero value is
// [CPUSpin].
type WorkType struct {
	s guest.WorkSpec
}

// Phase is one part of a [Sequence]: Work for the time For.
type Phase struct {
	Work WorkType
	For  time.Duration
}

func work(kind string) WorkType { return WorkType{guest.WorkSpec{Kind: kind}} }

// CPUSpin: one iteration runs a fixed block of integer arithmetic (4096
// rounds of xorshift), never blocking.
func CPUSpin() WorkType { return work(guest.KindCPUSpin) }

// YieldHeavy: one iteration runs a short block (256 rounds) then calls
// sched_yield.
func YieldHeavy() WorkType { return work(guest.KindYieldHeavy) }

// Mixed: one iteration runs the CPUSpin block; every 8th iteration then
// sleeps 500µs and every 4th yields, mixing compute, yields and short
// sleeps. Sleeps give wake-latency samples.
func Mixed() WorkType { return work(guest.KindMixed) }

// IOSync: one iteration writes 4 KiB to an unlinked temporary file (at
// one of 256 rotating offsets) and calls fdatasync. The guest has no disk,
// so this exercises the system-call and file-system paths on tmpfs.
func IOSync() WorkType { return work(guest.KindIOSync) }

// Bursty: one iteration spins for burst (in CPUSpin blocks, each its own
// checkpoint), then sleeps for sleep. The sleep is not counted as a gap;
// its overshoot is a wake-latency sample. burst must be above 0.
func Bursty(burst, sleep time.Duration) WorkType {
	return WorkType{guest.WorkSpec{Kind: guest.KindBursty, Burst: burst, Sleep: sleep}}
}

// PipeIO: workers pair up (0 with 1, 2 with 3, ...; the count must be
// even) and pass an 8-byte timestamp back and forth over two pipes; one
// iteration is receiving the partner's message and sending one back. The
// time from the partner's send to this worker running is a wake-latency
// sample.
func PipeIO() WorkType { return work(guest.KindPipeIO) }

// FutexPingPong: like [PipeIO], but the pair hands a turn back and forth
// through a futex word in shared memory; one iteration is one handoff.
func FutexPingPong() WorkType { return work(guest.KindFutexPingPong) }

// CachePressure: one iteration reads and writes one 64-byte line in every
// 64 KiB window of a sizeKiB buffer, moving the window each time, so the
// worker keeps evicting cache (sizeKiB 0 means 1024; at most 1 GiB).
func CachePressure(sizeKiB int) WorkType {
	return WorkType{guest.WorkSpec{Kind: guest.KindCachePressure, SizeKiB: sizeKiB}}
}

// ForkExit: one iteration forks a child that exits at once and waits for
// it. Its workers are not compared for fairness.
func ForkExit() WorkType { return work(guest.KindForkExit) }

// NiceSweep: one iteration runs the CPUSpin block then moves the worker
// thread to the next nice value of 0, 5, 10, 15, 19, 15, 10, 5. Its
// workers are not compared for fairness.
func NiceSweep() WorkType { return work(guest.KindNiceSweep) }

// AffinityChurn: one iteration runs the CPUSpin block then pins the worker
// thread to another CPU of its starting affinity, chosen at random. Its
// workers are not compared for fairness.
func AffinityChurn() WorkType { return work(guest.KindAffinityChurn) }

// PolicyChurn: one iteration runs the CPUSpin block then switches the
// worker thread to the next of SCHED_NORMAL, SCHED_BATCH, SCHED_IDLE. Its
// workers are exempt from the fairness and stuck checks.
func PolicyChurn() WorkType { return work(guest.KindPolicyChurn) }

// MutexContention: all workers started together in a cgroup share one
// futex-based lock; one iteration takes it, runs 256 rounds of arithmetic
// holding it, and releases it. The wait for a contended lock is a
// wake-latency sample.
func MutexContention() WorkType { return work(guest.KindMutexContention) }

// Sequence cycles through phases in order, each for its time (above 0),
// again and again; one iteration is one iteration of the current phase's
// work type. Phases may not be sequences, paired ([PipeIO],
// [FutexPingPong], [CachePipe]), lock-sharing ([MutexContention]) or
// fan-out ([FutexFanOut], [FanOutCompute]) work types.
func Sequence(phases ...Phase) WorkType {
	w := guest.WorkSpec{Kind: guest.KindSequence}
	for _, p := range phases {
		w.Phases = append(w.Phases, guest.PhaseSpec{Work: p.Work.lower(), For: p.For})
	}
	return WorkType{w}
}

// Custom registers fn under name and returns a work type that runs it: one
// call is one iteration (one work unit), in the worker process, on the
// worker's thread. A non-nil error ends the worker and fails the test
// with that error. Workers are fresh runs of the test binary, so fn must
// be registered there too: call Custom at package level,
//
//	var escape = gauntlet.Custom("escape", func() error { ... })
//
// or in the test function before [Run]. Registering a name again replaces
// its function. It panics on an empty name or a nil fn.
func Custom(name string, fn func() error) WorkType {
	if name == "" || fn == nil {
		panic("gauntlet: Custom needs a name and a function")
	}
	guest.RegisterCustom(name, fn)
	return WorkType{guest.WorkSpec{Kind: guest.KindCustom, Name: name}}
}

// lower returns the wire form, with the zero value turned into CPUSpin.
func (t WorkType) lower() guest.WorkSpec {
	if t.s.Kind == "" {
		return guest.WorkSpec{Kind: guest.KindCPUSpin}
	}
	return t.s
}

// Name returns the work type's kind as worker reports spell it, e.g.
// "Bursty" or "CpuSpin".
func (t WorkType) Name() string { return t.lower().Kind }

// String describes t with its parameters, e.g. "Bursty(50ms,100ms)".
func (t WorkType) String() string { return t.lower().String() }
