package budget

import (
	"math/bits"
	"slices"
	"testing"
	"time"
)

// A reference implementation of ktstr's budget selector (its src/budget.rs,
// summarised in ktstr.md), to compare ours against. It is serial: it adds
// up estimated seconds against the budget.

// ktstrCandidate is a candidate as ktstr sees it.
type ktstrCandidate struct {
	name     string
	features uint64
	est      float64 // seconds
}

// ktstr's bit layout (one-hot fields): scheduler name hash 0-3, CPU bucket
// 4-8, LLC bucket 9-13, SMT 14, duration bucket 18-20, gauntlet variant
// 22, test name hash 23-26, NUMA bucket 27-30. Scheduler flags, which
// ktstr.md lists among its features, get one bit each from 31 up.
const (
	ksSched    = 0
	ksCPU      = 4
	ksLLC      = 9
	ksSMT      = 14
	ksDuration = 18
	ksGauntlet = 22
	ksName     = 23
	ksNUMA     = 27
	ksFlags    = 31
)

// djb2 is the string hash ktstr uses for scheduler and test names.
func djb2(s string) uint32 {
	h := uint32(5381)
	for i := 0; i < len(s); i++ {
		h = h*33 + uint32(s[i])
	}
	return h
}

// toKtstr converts candidates the way ktstr would see them.
func toKtstr(cs []Candidate) []ktstrCandidate {
	flagBit := map[string]int{}
	out := make([]ktstrCandidate, len(cs))
	for i := range cs {
		c := &cs[i]
		out[i] = ktstrCandidate{c.Package + "/" + c.Variant, ktstrFeatures(c, flagBit), ktstrEstimate(c)}
	}
	return out
}

func ktstrFeatures(c *Candidate, flagBit map[string]int) uint64 {
	sched := c.Scheduler
	if sched == "" {
		sched = "eevdf"
	}
	t := c.Topology
	f := uint64(1) << (ksSched + djb2(sched)%4)
	f |= 1 << (ksCPU + cpuBucket(t.CPUs()))
	f |= 1 << (ksLLC + llcBucket(t.LLCs))
	if t.SMT() {
		f |= 1 << ksSMT
	}
	f |= 1 << (ksDuration + durationBucket(c.duration()))
	if !c.Base {
		f |= 1 << ksGauntlet
	}
	f |= 1 << (ksName + djb2(c.Test)%4)
	f |= 1 << (ksNUMA + numaBucket(t.NUMA))
	for _, fl := range c.Flags {
		k := sched + "/" + fl
		if _, ok := flagBit[k]; !ok {
			flagBit[k] = ksFlags + len(flagBit)%(64-ksFlags)
		}
		f |= 1 << flagBit[k]
	}
	return f
}

// ktstrEstimate is ktstr's cost: 10 s + (cpus-16)/10 s beyond 16 CPUs
// (integer seconds) + duration + 2 s.
func ktstrEstimate(c *Candidate) float64 {
	cpus := c.Topology.CPUs()
	boot := 10 + max(0, cpus-16)/10
	return float64(boot + int(c.duration()/time.Second) + 2)
}

// ktstrCost is ktstrEstimate as a Cost, to run our selector under ktstr's
// cost model.
func ktstrCost(c *Candidate) Cost {
	return Cost{Boot: seconds(ktstrEstimate(c)), Source: SourceModel}
}

// ktstrSelect is ktstr's greedy: repeatedly take the candidate with the
// most new feature bits per estimated second that still fits the
// remaining serial budget, ties by name; stop when none adds a bit. It
// returns indices in ascending order.
func ktstrSelect(cs []ktstrCandidate, budget float64) []int {
	used := make([]bool, len(cs))
	var covered uint64
	var sel []int
	left := budget
	for {
		best, bestRatio := -1, 0.0
		for i, c := range cs {
			if used[i] || c.est > left {
				continue
			}
			gain := bits.OnesCount64(c.features &^ covered)
			if gain == 0 {
				continue
			}
			r := float64(gain) / c.est
			if r > bestRatio || (r == bestRatio && c.name < cs[best].name) {
				best, bestRatio = i, r
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		covered |= cs[best].features
		left -= cs[best].est
		sel = append(sel, best)
	}
	slices.Sort(sel)
	return sel
}

// TestKtstrReference checks the reference against ktstr's documented
// behaviour on a hand-made set.
func TestKtstrReference(t *testing.T) {
	mk := func(name string, f uint64, est float64) ktstrCandidate { return ktstrCandidate{name, f, est} }
	cs := []ktstrCandidate{
		mk("a", 0b0011, 10), // 2 bits / 10 s
		mk("b", 0b0111, 10), // 3 bits / 10 s: best first
		mk("c", 0b1000, 5),  // then 1 bit / 5 s
		mk("d", 0b1000, 5),  // same as c; c wins the tie by name
		mk("e", 0b0001, 10), // no new bit after b
	}
	if got, want := ktstrSelect(cs, 100), []int{1, 2}; !slices.Equal(got, want) {
		t.Errorf("budget 100: got %v, want %v (b, then c; stop when nothing adds a bit)", got, want)
	}
	if got, want := ktstrSelect(cs, 12), []int{1}; !slices.Equal(got, want) {
		t.Errorf("budget 12: got %v, want %v (c no longer fits after b)", got, want)
	}
	if got := ktstrSelect(cs, 0.5); len(got) != 0 {
		t.Errorf("budget 0.5: got %v, want nothing", got)
	}
}

func TestKtstrEstimateAndFeatures(t *testing.T) {
	small := Candidate{Test: "TestA", Topology: genBaseTopologies[0], Base: true}
	big := Candidate{Test: "TestA", Topology: bigTopology, Duration: 5 * time.Second, Flags: []string{"llc"}, Scheduler: "scx_lavd"}
	if got := ktstrEstimate(&small); got != 14 {
		t.Errorf("estimate of a 2-CPU base variant: %v, want 10+2+2", got)
	}
	if got := ktstrEstimate(&big); got != 10+23+5+2 {
		t.Errorf("estimate of a 252-CPU variant: %v, want 10+(252-16)/10+5+2", got)
	}
	flags := map[string]int{}
	fs, fb := ktstrFeatures(&small, flags), ktstrFeatures(&big, flags)
	if fs&(1<<ksGauntlet) != 0 || fb&(1<<ksGauntlet) == 0 {
		t.Errorf("gauntlet bit: base %b, variant %b", fs, fb)
	}
	if fb&(1<<ksSMT) == 0 || fb&(1<<(ksCPU+4)) == 0 || fb&(1<<ksFlags) == 0 {
		t.Errorf("252-CPU SMT variant with a flag: features %b lack SMT, CPU bucket >128 or the flag bit", fb)
	}
}
