package gauntlet

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
)

// WorkType is what each worker does in a loop, one work unit per pass;
// see [guest.WorkType] and the constructors below for what one pass does.
type WorkType = guest.WorkType

// Phase is one part of a [Sequence].
type Phase = guest.Phase

// CpuSpin: a fixed block of integer arithmetic per iteration.
func CpuSpin() WorkType { return guest.CpuSpin() }

// YieldHeavy: a short block then sched_yield per iteration.
func YieldHeavy() WorkType { return guest.YieldHeavy() }

// Mixed: compute blocks with a yield every 4th and a 500µs sleep every
// 8th iteration.
func Mixed() WorkType { return guest.Mixed() }

// IoSync: a 4 KiB write to an unlinked temp file and fdatasync per
// iteration.
func IoSync() WorkType { return guest.IoSync() }

// Bursty: spin for burst, then sleep for sleep.
func Bursty(burst, sleep time.Duration) WorkType { return guest.Bursty(burst, sleep) }

// PipeIo: pairs of workers pass a timestamp back and forth over pipes.
func PipeIo() WorkType { return guest.PipeIo() }

// FutexPingPong: pairs of workers hand a turn back and forth through a
// futex.
func FutexPingPong() WorkType { return guest.FutexPingPong() }

// CachePressure: every cache line of the next 64 KiB of a sizeKiB buffer
// per iteration (0 means 1024 KiB).
func CachePressure(sizeKiB int) WorkType { return guest.CachePressure(sizeKiB) }

// ForkExit: fork a child that exits at once and wait for it.
func ForkExit() WorkType { return guest.ForkExit() }

// NiceSweep: a compute block, then the next nice value of a sweep.
func NiceSweep() WorkType { return guest.NiceSweep() }

// AffinityChurn: a compute block, then a move to a random allowed CPU.
func AffinityChurn() WorkType { return guest.AffinityChurn() }

// PolicyChurn: a compute block, then the next of normal, batch, idle.
func PolicyChurn() WorkType { return guest.PolicyChurn() }

// MutexContention: the workers started together share one lock, taking
// it for a short block per iteration.
func MutexContention() WorkType { return guest.MutexContention() }

// Sequence cycles through phases, each for its time.
func Sequence(phases ...Phase) WorkType { return guest.Sequence(phases...) }

// Custom registers fn under name and returns a work type calling it once
// per iteration in the worker process. Declare it at package level so
// worker processes (fresh runs of the test binary) have it:
//
//	var escape = gauntlet.Custom("escape", func() error { ... })
func Custom(name string, fn func() error) WorkType { return guest.Custom(name, fn) }
