package budget

import (
	"math"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// CostSource says where an estimate comes from.
type CostSource string

// Estimate sources, from most to least specific.
const (
	// SourceHistory: measured runs of this very variant (package, variant
	// and accelerator match).
	SourceHistory CostSource = "history"
	// SourceHistoryTopology: measured runs of the same test at the same
	// topology under another variant name (e.g. another profile).
	SourceHistoryTopology CostSource = "history-topology"
	// SourceModel: the cost model of [EstimateCost].
	SourceModel CostSource = "model"
)

// Cost is the estimated wall time of one VM run, split in phases.
type Cost struct {
	// Boot is from starting QEMU to the guest running its init.
	Boot time.Duration
	// Test is the test itself inside the guest, setup included, in a VM
	// booted for it (a fresh VM).
	Test time.Duration
	// SharedTest is the test in a VM booted for another variant (boot
	// sharing), where it runs faster: measured, the first test of a fresh
	// VM takes 0.4-2 s longer than the same test in a reused one. Zero
	// means the same as Test (the model, or a history without runs of the
	// other kind).
	SharedTest time.Duration
	// Teardown is from the test's end to QEMU's exit and cleanup.
	Teardown time.Duration
	// Source says where the numbers come from.
	Source CostSource
	// Runs is how many measured runs the estimate is the median of; zero
	// for the model.
	Runs int
}

// Total returns the whole run's estimated wall time in a fresh VM: boot,
// test and teardown.
func (c Cost) Total() time.Duration { return c.Boot + c.Test + c.Teardown }

// Shared is c's duration when it runs in a VM booted for another
// variant: its test there ([Cost.SharedTestTime]) and teardown, no boot.
func (c Cost) Shared() time.Duration { return c.SharedTestTime() + c.Teardown }

// SharedTestTime returns the test's time in a VM booted for another
// variant: SharedTest, or Test when that is zero.
func (c Cost) SharedTestTime() time.Duration {
	if c.SharedTest > 0 {
		return c.SharedTest
	}
	return c.Test
}

// Cost model constants; see [EstimateCost].
const (
	kvmBootBase     = 1500 * time.Millisecond
	kvmBootPerVCPU  = 20 * time.Millisecond
	guestSetup      = time.Second
	teardown        = 500 * time.Millisecond
	stretchPerRatio = 0.15
)

// EstimateCost returns the estimated wall time of running c on host h.
//
// Measured durations in hist replace the model: first the runs of this
// very variant (same package, variant name and accelerator), else the runs
// of the same test at the same topology and accelerator. Runs in a fresh
// VM and runs in a VM booted for another variant give the test times of
// Test and SharedTest apart. See [NewHistory] for which runs count and
// how they are combined.
//
// The model, for a VM with v vCPUs on a host with H CPUs:
//
//   - Boot under TCG: the measured table of [spec.TCGBootTime] (q35, on a
//     2-core host, Start to the init, multi-threaded: 1 vCPU 3.2 s, 4:
//     3.2 s, 8: 3.6 s, 16: 5.1 s, 32: 15 s, 64: 105 s) read at v x 2/H,
//     since boot time grows with vCPUs per host core. A guest that runs
//     single-threaded ([spec.SingleThreadedTCG]: more than 2 and at most
//     8 vCPUs per core) reads the single-threaded table at v (8: 4.1 s,
//     16: 5.5 s, 32: 7.7 s, 64: 17.7 s, measured two at once): one thread
//     does not use the other cores.
//   - Boot under KVM: 1.5 s + 20 ms per vCPU, a guess (KVM is unusable on
//     the machine the table comes from); history soon replaces it.
//   - Test: (duration + 1 s of guest setup: cgroups, workers, scheduler
//     attach) x (1 + 0.15 x (v/H - 1)), at least 1. Guest wall time
//     follows host wall time, but with more vCPUs than host cores the
//     setup, the scheduler's start and the workers' reports stretch. On a
//     2-core host the example's tests took 2.8-3.0 s at 2 vCPUs, 3.3-5.3
//     s at 8-12 alone and up to 7 s at 14 beside another VM, and 4.1-7.4
//     s at 32 (multi-threaded): 1.9x at 14, 3.25x at 32.
//   - Teardown: 0.5 s (power-off, QEMU exit, temp dir removal).
func EstimateCost(c Candidate, h Host, hist *History) Cost {
	if e, ok := hist.lookup(&c, h.accel()); ok {
		if e.noBoot {
			e.cost.Boot = modelCost(&c, h).Boot
		}
		return e.cost
	}
	return modelCost(&c, h)
}

// modelCost is the cost model of [EstimateCost].
func modelCost(c *Candidate, h Host) Cost {
	v, hostCPUs := float64(c.vcpus()), float64(max(h.CPUs, 1))
	var boot time.Duration
	if h.accel() == spec.AccelKVM {
		boot = kvmBootBase + time.Duration(v)*kvmBootPerVCPU
	} else {
		single := spec.SingleThreadedTCG(c.vcpus(), h.CPUs)
		x := v * spec.TCGBootTableHostCPUs / hostCPUs
		if single {
			x = v
		}
		boot = spec.TCGBootTime(x, single)
	}
	stretch := max(1, 1+stretchPerRatio*(v/hostCPUs-1))
	test := seconds(stretch * (c.duration() + guestSetup).Seconds())
	return Cost{Boot: boot, Test: test, Teardown: teardown, Source: SourceModel}
}

// seconds converts s seconds to a Duration rounded to the millisecond, so
// estimates print cleanly and compare exactly.
func seconds(s float64) time.Duration {
	return time.Duration(math.Round(s*1000)) * time.Millisecond
}
