package guest

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// Default check thresholds, for CPUs that really run in parallel (KVM or
// bare metal with a core per vCPU). See [effectiveThresholds] for the
// scaling under emulation.
const (
	// defaultMaxGap is the longest allowed gap between two progress
	// checkpoints of a worker (stuck check).
	defaultMaxGap = 2 * time.Second
	// defaultMaxSpread is the largest allowed spread of steady-state
	// off-CPU percentage within a cgroup (fairness check).
	defaultMaxSpread = 15.0
	// defaultMaxRunDelay is the longest allowed run-queue wait of a
	// worker at a stretch (stuck check on schedstat's run delay). Measured
	// (docs/power.md): correct runs at most 93 ms with a host core per
	// vCPU, a worker starved beside a SCHED_FIFO hog about 950 ms.
	defaultMaxRunDelay = 500 * time.Millisecond
	// defaultMinWorkUnits is the least work a worker must do
	// (starvation check).
	defaultMinWorkUnits = 1
	// defaultSettle is how long after its start a worker's steady state
	// begins; the fairness check looks only at the steady state.
	defaultSettle = 500 * time.Millisecond
	// tcgMinSpread is the least default spread under TCG. Measured on
	// this project's 2-core hosts: the seed example with four CpuSpin
	// and two Bursty workers on 2 vCPUs showed steady-state spreads of
	// 10-48% (median 35%) in cg_0 under EEVDF, whose group load balancing
	// evens out load, not each task's share, beside bursty neighbours.
	tcgMinSpread = 60.0
	// dedicatedMaxSpread is the default spread under TCG with a host CPU
	// per vCPU (see [machine.dedicated]). Measured (docs/power.md, 2
	// vCPUs on a 2-core host beside a second VM): correct runs' spreads at
	// most 18 %, the planted nice-5 worker's about 50 %.
	dedicatedMaxSpread = 35.0
	// dedicatedMaxStall is the longest calibration stall a guest on
	// dedicated host CPUs may see and still apply the bare-metal limits:
	// a guest that saw its vCPU gone for a second does not have the host
	// to itself, whatever the counts say.
	dedicatedMaxStall = time.Second
)

// machine is what threshold scaling needs to know about the guest.
type machine struct {
	// Accel is "kvm", "tcg", or "" for bare metal or unknown.
	Accel string
	// VCPUs is the number of usable CPUs.
	VCPUs int
	// Parallelism is how many CPUs' worth of work the usable CPUs did
	// together in calibration (0 when not measured).
	Parallelism float64
	// Stall is the longest time a spinning calibration thread saw its
	// vCPU not run.
	Stall time.Duration
	// Clocksource is the kernel's clocksource ("tsc", "hpet", ...).
	Clocksource string
	// Threads is the number of online vCPUs, the threads QEMU runs;
	// HostCPUs is how many host CPUs the VM runner shares among its VMs,
	// zero when unknown; TCGSingle is set when TCG runs every vCPU on one
	// host thread (see [spec.Variant]).
	Threads   int
	HostCPUs  int
	TCGSingle bool
}

// dedicated reports whether m is a TCG guest that runs like a machine
// with a real CPU per vCPU ([spec.TCGDedicated]) and saw no long stall in
// calibration: its checks take the bare-metal limits.
func (m machine) dedicated() bool {
	return m.Accel == "tcg" && spec.TCGDedicated(m.Threads, m.HostCPUs, m.TCGSingle) && m.Stall < dedicatedMaxStall
}

// Oversubscription returns VCPUs / Parallelism, at least 1: how many
// usable vCPUs share each CPU's worth of real capacity.
func (m machine) oversubscription() float64 {
	if m.Parallelism <= 0 || m.VCPUs == 0 {
		return 1
	}
	return max(1, float64(m.VCPUs)/m.Parallelism)
}

// effectiveThresholds turns a test's overrides into the limits the checks
// use. Zero fields of c take the defaults, scaled so a correct scheduler
// passes where the host cannot run the vCPUs as real CPUs:
//
//   - under TCG with a host CPU per vCPU ([machine.dedicated]) the gap
//     and run delay take the bare-metal defaults and the spread
//     [dedicatedMaxSpread]: measured, correct runs stay far inside them
//     there and every planted failure is caught (docs/power.md);
//   - otherwise under TCG the default gap and run delay are multiplied
//     by max(3, 1.5 x oversubscription) and the gap raised to at least 10x
//     the calibration stall; elsewhere they are multiplied by the
//     oversubscription when that is above 1.25 (an overcommitted host);
//   - otherwise the default spread is multiplied by the oversubscription,
//     and doubled under TCG, at most 100%: vCPUs the host deschedules
//     unevenly make CPU time an uneven measure; under TCG it is at least
//     60% (see tcgMinSpread for the measurements).
//
// Values the test set are used as given, so a test can demand tighter
// limits; a test that sets the gap and not the run delay has its gap for
// both. Basis says how the numbers came about.
func effectiveThresholds(c spec.Checks, m machine) spec.Thresholds {
	th := spec.Thresholds{MaxGap: c.MaxGap, MaxSpread: c.MaxSpread, MaxRunDelay: c.MaxRunDelay, MinWorkUnits: c.MinWorkUnits, Isolation: !c.DisableIsolation, Scale: gapScale(m)}
	if th.MinWorkUnits == 0 {
		th.MinWorkUnits = defaultMinWorkUnits
	}
	var notes []string
	if m.dedicated() {
		notes = append(notes, "a host cpu per vcpu: bare-metal gap and run delay, spread 35%")
	}
	if th.MaxGap == 0 {
		th.MaxGap = time.Duration(th.Scale * float64(defaultMaxGap)).Round(time.Millisecond)
		if floor := 10 * m.Stall; m.Accel == "tcg" && !m.dedicated() && floor > th.MaxGap {
			th.MaxGap = floor.Round(time.Millisecond)
			notes = append(notes, "gap raised to 10x stall")
		}
	} else {
		th.GapSetByTest = true
		notes = append(notes, "gap set by test")
	}
	switch {
	case th.MaxRunDelay == 0 && th.GapSetByTest:
		// A run-queue wait is a progress gap too: the test's gap is its
		// claim for both.
		th.MaxRunDelay, th.DelaySetByTest = th.MaxGap, true
	case th.MaxRunDelay == 0:
		th.MaxRunDelay = time.Duration(th.Scale * float64(defaultMaxRunDelay)).Round(time.Millisecond)
	default:
		th.DelaySetByTest = true
		notes = append(notes, "run delay set by test")
	}
	if th.MaxSpread == 0 {
		switch {
		case m.dedicated():
			th.MaxSpread = dedicatedMaxSpread
		default:
			th.MaxSpread = defaultMaxSpread * spreadScale(m)
			if m.Accel == "tcg" && th.MaxSpread < tcgMinSpread {
				th.MaxSpread = tcgMinSpread
				notes = append(notes, "spread raised to the tcg floor")
			}
		}
		th.MaxSpread = math.Round(min(100, th.MaxSpread)*10) / 10
	} else {
		th.SpreadSetByTest = true
		notes = append(notes, "spread set by test")
	}
	if m.Accel == "tcg" && m.Clocksource != "" && m.Clocksource != "tsc" {
		notes = append(notes, "clocksource "+m.Clocksource+": every clock read is an emulated device access that serialises the vCPUs; boot with tsc=reliable")
	}
	th.Basis = basis(m, th.Scale, notes)
	return th
}

// gapScale is the factor for the default gap.
func gapScale(m machine) float64 {
	o := m.oversubscription()
	switch {
	case m.dedicated():
		return 1
	case m.Accel == "tcg":
		return round2(max(3, 1.5*o))
	case o > 1.25:
		return round2(o)
	}
	return 1
}

// spreadScale is the factor for the default spread.
func spreadScale(m machine) float64 {
	if m.dedicated() {
		return 1
	}
	f := m.oversubscription()
	if m.Accel == "tcg" {
		f *= 2
	}
	return f
}

func basis(m machine, scale float64, notes []string) string {
	accel := m.Accel
	if accel == "" {
		accel = "no emulation"
	}
	s := fmt.Sprintf("%s, %d usable vcpus ran like %.1f (oversubscribed x%.1f), stall %v; default gap x%g, spread x%.1f",
		accel, m.VCPUs, m.Parallelism, m.oversubscription(), m.Stall.Round(time.Millisecond), scale, spreadScale(m))
	return strings.Join(append([]string{s}, notes...), "; ")
}

// formatThresholds prints th on one line.
func formatThresholds(th spec.Thresholds) string {
	iso := "on"
	if !th.Isolation {
		iso = "off"
	}
	return fmt.Sprintf("thresholds: max-gap %dms, max-run-delay %dms, max-spread %.1f%%, min-work %d, isolation %s (%s)",
		th.MaxGap.Milliseconds(), th.MaxRunDelay.Milliseconds(), th.MaxSpread, th.MinWorkUnits, iso, th.Basis)
}
