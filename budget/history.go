package budget

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// historyRuns is how many of the newest measured runs per key count.
const historyRuns = 5

// History holds measured durations from earlier runs, ready to replace
// the cost model (see [EstimateCost]). A nil *History is empty.
type History struct {
	byVariant  map[variantKey]estimate
	byTopology map[topologyKey]estimate
	// byBoot is the median boot of the runs that booted, per package
	// (one test binary), topology, accelerator and kernel: what a VM
	// with this boot takes whichever test it was booted for.
	byBoot map[bootKey]time.Duration
}

// estimate is a key's measured cost; noBoot when every sample shared a
// boot, so the boot time is not measured (the model's replaces it).
type estimate struct {
	cost   Cost
	noBoot bool
}

// anyKernel is the kernel of the keys that hold every kernel's samples.
const anyKernel = "\x00any"

type variantKey struct {
	pkg, variant string // variant without its kernel level
	accel        spec.Accel
	kernel       string // label, or anyKernel
}

type bootKey struct {
	pkg    string
	accel  spec.Accel
	topo   topo.Topology
	kernel string
}

type topologyKey struct {
	pkg, test string
	accel     spec.Accel
	topo      topo.Topology
	kernel    string
}

// sample is one measured run; shared when it ran in a VM booted for an
// earlier variant (its boot is zero and says nothing, and its test ran
// faster than in a fresh VM).
type sample struct {
	boot, test, total time.Duration
	shared            bool
}

// NewHistory builds a History from earlier runs' results, in any order;
// nil entries are skipped. Only runs that ended in pass or fail count (a
// crash, panic, timeout or QEMU failure says nothing about how long the
// variant takes), and only a variant's last attempt counts (a retried
// variant's earlier attempts, [VariantResult.Attempts], are not extra
// samples). Runs are ordered by their start time (then run id) and
// only the newest 5 per key count; the estimate is their median by total
// time (the mean of the middle two for an even count), so one slow outlier
// does not move it. Samples are kept per kernel (a result's KernelLabel)
// and for all kernels together, which is what a variant on a kernel
// without measurements gets.
//
// A run that shared a boot ([VariantResult.SharedBoot], or a boot of
// zero: no boot measured) is kept apart from the runs that booted their
// own, fresh VM, whose first test runs slower (0.4-2 s measured): of a
// key's runs, those in a fresh VM give the estimate's boot, test and
// teardown ([Cost.Total]), their median by total time; those in a shared
// VM its shared test ([Cost.SharedTest], [Cost.Shared]), their median by
// test plus teardown. Each kind falls back to the other when the key has
// none: with fresh runs only the shared test is their test; with shared
// runs only the test and teardown are theirs, and the boot that of the
// runs of any test of the package that booted the same topology (the
// same VM), or the cost model's when none did ([EstimateCost]).
func NewHistory(rs ...*Results) *History {
	runs := slices.DeleteFunc(slices.Clone(rs), func(r *Results) bool { return r == nil })
	slices.SortStableFunc(runs, func(a, b *Results) int {
		if c := a.Started.Compare(b.Started); c != 0 {
			return c
		}
		return cmp.Compare(a.RunID, b.RunID)
	})
	byVariant := map[variantKey][]sample{}
	byTopology := map[topologyKey][]sample{}
	byBoot := map[bootKey][]sample{}
	for _, r := range runs {
		for i := range r.Variants {
			v := &r.Variants[i]
			if v.Outcome != spec.OutcomePass && v.Outcome != spec.OutcomeFail && v.Outcome != spec.OutcomeInconclusive {
				continue
			}
			s := sample{seconds(v.BootS), seconds(v.TestS), seconds(v.TotalS), inSharedVM(v)}
			name := withoutKernel(v.Variant, v.KernelLabel)
			for _, k := range []string{v.KernelLabel, anyKernel} {
				vk := variantKey{v.Package, name, v.Accel, k}
				byVariant[vk] = append(byVariant[vk], s)
				tk := topologyKey{v.Package, v.Test, v.Accel, v.Topology, k}
				byTopology[tk] = append(byTopology[tk], s)
				if !s.shared {
					bk := bootKey{v.Package, v.Accel, v.Topology, k}
					byBoot[bk] = append(byBoot[bk], sample{s.boot, 0, s.boot, false})
				}
			}
		}
	}
	boots := make(map[bootKey]time.Duration, len(byBoot))
	for k, ss := range byBoot {
		boots[k] = median(ss[max(0, len(ss)-historyRuns):], SourceHistory).Boot
	}
	return &History{byVariant: medians(byVariant, SourceHistory), byTopology: medians(byTopology, SourceHistoryTopology), byBoot: boots}
}

// inSharedVM reports whether v ran in a VM it did not boot: results.json
// names that VM (shared_boot) since boot sharing exists; a run without
// the name but with no boot measured cannot have booted its own either.
// Files written before boot sharing hold fresh runs only, each with its
// boot.
func inSharedVM(v *VariantResult) bool { return v.SharedBoot != "" || v.BootS == 0 }

// withoutKernel drops the kernel level ("/LABEL") a variant name ends in
// when several kernels were planned.
func withoutKernel(variant, label string) string {
	if label == "" {
		return variant
	}
	return strings.TrimSuffix(variant, "/"+label)
}

// Len returns how many variants have measured runs (on any kernel).
func (h *History) Len() int {
	if h == nil {
		return 0
	}
	n := 0
	for k := range h.byVariant {
		if k.kernel == anyKernel {
			n++
		}
	}
	return n
}

// lookup returns the measured cost of c under accel, if any: the
// variant's on c's kernel, else its test's at the same topology on that
// kernel, else the same two on any kernel. When every sample of it
// shared a boot, its boot is the one measured for another test of the
// package at the same topology (same kernel, else any), the same VM, if
// any booted; else it stays noBoot.
func (h *History) lookup(c *Candidate, accel spec.Accel) (estimate, bool) {
	if h == nil {
		return estimate{}, false
	}
	e, ok := h.lookupCost(c, accel)
	if ok && e.noBoot {
		for _, k := range []string{c.Kernel, anyKernel} {
			if b, ok := h.byBoot[bootKey{c.Package, accel, c.Topology, k}]; ok {
				e.cost.Boot, e.noBoot = b, false
				break
			}
		}
	}
	return e, ok
}

func (h *History) lookupCost(c *Candidate, accel spec.Accel) (estimate, bool) {
	name := withoutKernel(c.Variant, c.Kernel)
	for _, k := range []string{c.Kernel, anyKernel} {
		if e, ok := h.byVariant[variantKey{c.Package, name, accel, k}]; ok {
			return e, true
		}
		if e, ok := h.byTopology[topologyKey{c.Package, c.Test, accel, c.Topology, k}]; ok {
			return e, true
		}
	}
	return estimate{}, false
}

// medians reduces each key's samples (oldest first) to one estimate.
func medians[K comparable](m map[K][]sample, src CostSource) map[K]estimate {
	out := make(map[K]estimate, len(m))
	for k, ss := range m {
		ss = ss[max(0, len(ss)-historyRuns):]
		out[k] = estimateOf(ss, src)
	}
	return out
}

// estimateOf is the estimate of samples ss, fresh and shared kept
// apart: the median by total time of the fresh ones (boot, test and
// teardown) and the median test of the shared ones by test plus teardown
// (SharedTest). With fresh samples only, SharedTest stays zero (the
// test's); with shared ones only, test and teardown are theirs and the
// boot is unknown (noBoot). Runs counts both kinds. A shared run's
// teardown is then the fresh ones' (the runner records none apart from
// the test: its test time runs to the VM run's end).
func estimateOf(ss []sample, src CostSource) estimate {
	var fresh, shared []sample
	for _, s := range ss {
		if s.shared {
			shared = append(shared, sample{0, s.test, s.total - s.boot, false}) // by test + teardown
		} else {
			fresh = append(fresh, s)
		}
	}
	switch {
	case len(shared) == 0:
		return estimate{cost: median(fresh, src)}
	case len(fresh) == 0:
		return estimate{cost: median(shared, src), noBoot: true}
	}
	e := estimate{cost: median(fresh, src)}
	e.cost.SharedTest = median(shared, src).Test
	e.cost.Runs = len(ss)
	return e
}

// median returns the median sample by total time as a Cost.
func median(ss []sample, src CostSource) Cost {
	sorted := slices.Clone(ss)
	slices.SortStableFunc(sorted, func(a, b sample) int { return cmp.Compare(a.total, b.total) })
	n := len(sorted)
	m := sorted[n/2]
	if n%2 == 0 {
		a := sorted[n/2-1]
		m = sample{(a.boot + m.boot) / 2, (a.test + m.test) / 2, (a.total + m.total) / 2, false}
	}
	td := max(0, m.total-m.boot-m.test)
	return Cost{Boot: m.boot, Test: m.test, Teardown: td, Source: src, Runs: n}
}
