package guest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Work type kinds, as written in worker configurations.
const (
	kindCpuSpin         = "CpuSpin"
	kindYieldHeavy      = "YieldHeavy"
	kindMixed           = "Mixed"
	kindIoSync          = "IoSync"
	kindBursty          = "Bursty"
	kindPipeIo          = "PipeIo"
	kindFutexPingPong   = "FutexPingPong"
	kindCachePressure   = "CachePressure"
	kindForkExit        = "ForkExit"
	kindNiceSweep       = "NiceSweep"
	kindAffinityChurn   = "AffinityChurn"
	kindPolicyChurn     = "PolicyChurn"
	kindMutexContention = "MutexContention"
	kindSequence        = "Sequence"
	kindCustom          = "Custom"
)

// defaultCacheKiB is the CachePressure buffer size when none is given.
const defaultCacheKiB = 1024

// WorkType is what each worker of a cgroup does in a loop; one pass of the
// loop is one work unit, and every pass ends at a progress checkpoint
// where the worker notes the time and the CPU it is on. Build one with
// the constructors ([CpuSpin], [Bursty], ...); the zero value is CpuSpin.
type WorkType struct {
	w workSpec
}

// workSpec is the wire form of a WorkType, passed to worker processes.
type workSpec struct {
	Kind    string        `json:"kind"`
	Burst   time.Duration `json:"burst_ns,omitempty"`
	Sleep   time.Duration `json:"sleep_ns,omitempty"`
	SizeKiB int           `json:"size_kib,omitempty"`
	Name    string        `json:"name,omitempty"`
	Phases  []phaseSpec   `json:"phases,omitempty"`
}

type phaseSpec struct {
	Work workSpec      `json:"work"`
	For  time.Duration `json:"for_ns"`
}

// Phase is one part of a [Sequence]: Work for the time For.
type Phase struct {
	Work WorkType
	For  time.Duration
}

// CpuSpin: one iteration runs a fixed block of integer arithmetic (4096
// rounds of xorshift), never blocking.
func CpuSpin() WorkType { return WorkType{workSpec{Kind: kindCpuSpin}} }

// YieldHeavy: one iteration runs a short block (256 rounds) then calls
// sched_yield.
func YieldHeavy() WorkType { return WorkType{workSpec{Kind: kindYieldHeavy}} }

// Mixed: one iteration runs the CpuSpin block; every 8th iteration then
// sleeps 500µs and every 4th yields, mixing compute, yields and short
// sleeps. Sleeps give wake-latency samples.
func Mixed() WorkType { return WorkType{workSpec{Kind: kindMixed}} }

// IoSync: one iteration writes 4 KiB to an unlinked temporary file (at
// one of 256 rotating offsets) and calls fdatasync. The guest has no disk,
// so this exercises the system-call and file-system paths on tmpfs.
func IoSync() WorkType { return WorkType{workSpec{Kind: kindIoSync}} }

// Bursty: one iteration spins for burst (in CpuSpin blocks, each its own
// checkpoint), then sleeps for sleep. The sleep is not counted as a gap;
// its overshoot is a wake-latency sample.
func Bursty(burst, sleep time.Duration) WorkType {
	return WorkType{workSpec{Kind: kindBursty, Burst: burst, Sleep: sleep}}
}

// PipeIo: workers pair up (0 with 1, 2 with 3, ...; the count must be
// even) and pass an 8-byte timestamp back and forth over two pipes; one
// iteration is receiving the partner's message and sending one back. The
// time from the partner's send to this worker running is a wake-latency
// sample.
func PipeIo() WorkType { return WorkType{workSpec{Kind: kindPipeIo}} }

// FutexPingPong: like PipeIo, but the pair hands a turn back and forth
// through a futex word in shared memory; one iteration is one handoff.
func FutexPingPong() WorkType { return WorkType{workSpec{Kind: kindFutexPingPong}} }

// CachePressure: one iteration reads and writes one 64-byte line in every
// 64 KiB window of a sizeKiB buffer, moving the window each time, so the
// worker keeps evicting cache (sizeKiB 0 means 1024).
func CachePressure(sizeKiB int) WorkType {
	return WorkType{workSpec{Kind: kindCachePressure, SizeKiB: sizeKiB}}
}

// ForkExit: one iteration forks a child that exits at once and waits for
// it.
func ForkExit() WorkType { return WorkType{workSpec{Kind: kindForkExit}} }

// NiceSweep: one iteration runs the CpuSpin block then moves the worker
// thread to the next nice value of 0, 5, 10, 15, 19, 15, 10, 5.
func NiceSweep() WorkType { return WorkType{workSpec{Kind: kindNiceSweep}} }

// AffinityChurn: one iteration runs the CpuSpin block then pins the worker
// thread to another CPU of its starting affinity, chosen at random.
func AffinityChurn() WorkType { return WorkType{workSpec{Kind: kindAffinityChurn}} }

// PolicyChurn: one iteration runs the CpuSpin block then switches the
// worker thread to the next of SCHED_NORMAL, SCHED_BATCH, SCHED_IDLE.
func PolicyChurn() WorkType { return WorkType{workSpec{Kind: kindPolicyChurn}} }

// MutexContention: all workers started together in a cgroup share one
// futex-based lock; one iteration takes it, runs 256 rounds of arithmetic
// holding it, and releases it. The wait for a contended lock is a
// wake-latency sample.
func MutexContention() WorkType { return WorkType{workSpec{Kind: kindMutexContention}} }

// Sequence cycles through phases in order, each for its time, again and
// again; one iteration is one iteration of the current phase's work type.
// Phases may not be sequences themselves.
func Sequence(phases ...Phase) WorkType {
	w := workSpec{Kind: kindSequence}
	for _, p := range phases {
		w.Phases = append(w.Phases, phaseSpec{Work: p.Work.spec(), For: p.For})
	}
	return WorkType{w}
}

// spec returns the wire form, with the zero value turned into CpuSpin.
func (t WorkType) spec() workSpec {
	if t.w.Kind == "" {
		return CpuSpin().w
	}
	return t.w
}

// Name returns the work type's kind, e.g. "Bursty".
func (t WorkType) Name() string { return t.spec().Kind }

// String describes t with its parameters, e.g. "Bursty(50ms,100ms)".
func (t WorkType) String() string { return t.spec().String() }

func (w workSpec) String() string {
	switch w.Kind {
	case kindBursty:
		return fmt.Sprintf("Bursty(%v,%v)", w.Burst, w.Sleep)
	case kindCachePressure:
		return fmt.Sprintf("CachePressure(%dKiB)", w.cacheKiB())
	case kindCustom:
		return fmt.Sprintf("Custom(%s)", w.Name)
	case kindSequence:
		parts := make([]string, len(w.Phases))
		for i, p := range w.Phases {
			parts[i] = fmt.Sprintf("%s %v", p.Work, p.For)
		}
		return "Sequence(" + strings.Join(parts, ", ") + ")"
	}
	return w.Kind
}

func (w workSpec) cacheKiB() int {
	if w.SizeKiB <= 0 {
		return defaultCacheKiB
	}
	return w.SizeKiB
}

// paired reports whether workers of this type work in pairs.
func (w workSpec) paired() bool { return w.Kind == kindPipeIo || w.Kind == kindFutexPingPong }

// fair reports whether the fairness check applies: every worker of the
// type asks for the CPU the same way, so equal treatment means equal
// off-CPU time.
func (w workSpec) fair() bool {
	switch w.Kind {
	case kindCpuSpin, kindYieldHeavy, kindMixed, kindIoSync, kindBursty, kindPipeIo,
		kindFutexPingPong, kindCachePressure, kindMutexContention:
		return true
	case kindSequence:
		for _, p := range w.Phases {
			if !p.Work.fair() {
				return false
			}
		}
		return true
	}
	return false
}

// validate checks parameters; errors say what to change.
func (w workSpec) validate() error {
	switch w.Kind {
	case kindCpuSpin, kindYieldHeavy, kindMixed, kindIoSync, kindPipeIo, kindFutexPingPong,
		kindForkExit, kindNiceSweep, kindAffinityChurn, kindPolicyChurn, kindMutexContention:
		return nil
	case kindBursty:
		if w.Burst <= 0 || w.Sleep < 0 {
			return fmt.Errorf("work %s: want a burst above 0 and a sleep of 0 or more", w)
		}
	case kindCachePressure:
		if w.SizeKiB < 0 || w.SizeKiB > 1<<20 {
			return fmt.Errorf("work %s: want a size from 1 KiB to 1 GiB (0 for the default)", w)
		}
	case kindSequence:
		return w.validateSequence()
	case kindCustom:
		if w.Name == "" {
			return fmt.Errorf("custom work without a name: give gauntlet.Custom a name")
		}
	default:
		return fmt.Errorf("unknown work type %q", w.Kind)
	}
	return nil
}

func (w workSpec) validateSequence() error {
	if len(w.Phases) == 0 {
		return fmt.Errorf("work Sequence(): give at least one phase")
	}
	for i, p := range w.Phases {
		if p.For <= 0 {
			return fmt.Errorf("work %s: phase %d lasts %v; give each phase a time above 0", w, i, p.For)
		}
		if p.Work.Kind == kindSequence || p.Work.paired() || p.Work.Kind == kindMutexContention {
			return fmt.Errorf("work %s: phase %d is %s; phases may not be sequences, paired or shared-lock work types", w, i, p.Work.Kind)
		}
		if err := p.Work.validate(); err != nil {
			return fmt.Errorf("phase %d: %w", i, err)
		}
	}
	return nil
}

// MarshalJSON writes the wire form.
func (t WorkType) MarshalJSON() ([]byte, error) { return json.Marshal(t.spec()) }

// UnmarshalJSON reads the wire form.
func (t *WorkType) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &t.w) }
