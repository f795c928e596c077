package budget

import (
	"fmt"
	"math/bits"
	"testing"
	"time"
)

// The comparison with ktstr's selector on the same generated candidate
// sets: 40 tests (three packages, three schedulers with two flags each)
// x the presets the host keeps x 4 profiles, plus 40 base variants.
//
// Three setups, so the numbers are read fairly:
//
//   - tcg-2cpu: this machine (2 cores, TCG). Ours plans on its own cost
//     model and weighted slots (2 job slots, but VMs with >= 2 vCPUs hold
//     both cores, so in effect mostly serial). ktstr plans serially on its
//     own estimates, which are far off here (10 s boot for any VM up to
//     16 vCPUs; the measured TCG boot of 32 vCPUs is 33 s). So "ktstr
//     predicted" is what ktstr believes; "ktstr here" is its selection
//     replayed on our model of this host.
//   - kvm-64cpu: a 64-CPU KVM host keeping all 24 presets; ours runs up
//     to 64 VMs at once within 64 cores; ktstr is serial.
//   - serial-ktstr-cost: the selection algorithms alone: ours under
//     ktstr's cost model with one job slot (Jobs = 1), ktstr as always,
//     same budget, same seconds.
//
// Coverage is counted in our feature space (exact tests and schedulers,
// pairwise features); ktstr's own bits are reported too.

var compareBudgets = []time.Duration{5 * time.Minute, 20 * time.Minute, 2 * time.Hour}

// comparison is one setup at one budget.
type comparison struct {
	setup  string
	budget time.Duration
	cands  []Candidate
	opts   Options
}

func comparisons() []comparison {
	var out []comparison
	for _, h := range []hostScenario{thisHost, bigHost} {
		cs := genSet{seed: 42, tests: 40, packages: 3, presets: h.presets()}.generate()
		for _, b := range compareBudgets {
			out = append(out, comparison{h.name, b, cs, Options{Budget: b, Host: h.host}})
		}
	}
	cs := genSet{seed: 42, tests: 40, packages: 3, presets: bigHost.presets()}.generate()
	for _, b := range compareBudgets {
		out = append(out, comparison{"serial-ktstr-cost", b, cs, Options{Budget: b, Jobs: 1, Host: bigHost.host, costModel: ktstrCost}})
	}
	return out
}

func (c comparison) name() string { return fmt.Sprintf("%s/%s", c.setup, c.budget) }

// outcome is what one comparison measured.
type outcome struct {
	ours, ktstr        Coverage
	oursN, ktstrN      int
	oursWall           time.Duration // predicted makespan
	ktstrSecs          float64       // ktstr's serial estimate of its pick
	ktstrHere          time.Duration // ktstr's pick on our model of the host
	allWall            time.Duration // no-budget makespan: is there enough to fill?
	oursBits, ktstrBit int
	possibleBits       int
}

func (c comparison) run(t testing.TB) outcome {
	ours, err := Select(c.cands, c.opts)
	if err != nil {
		t.Fatal(err)
	}
	all := c.opts
	all.Budget = 0
	everything, err := Select(c.cands, all)
	if err != nil {
		t.Fatal(err)
	}
	cs := sortedCandidates(c.cands)
	s := newSelector(cs, c.opts)
	kc := toKtstr(cs)
	inK := make([]bool, len(cs))
	var kSecs float64
	var kJobs []job
	var kBits, allBits, oursBits uint64
	for _, i := range ktstrSelect(kc, c.budget.Seconds()) {
		inK[i] = true
		kSecs += kc[i].est
		kJobs = append(kJobs, s.jobs[i])
		kBits |= kc[i].features
	}
	oursSet := map[string]bool{}
	for _, a := range ours.Selected {
		oursSet[a.Package+"/"+a.Variant] = true
	}
	for i := range kc {
		allBits |= kc[i].features
		if oursSet[kc[i].name] {
			oursBits |= kc[i].features
		}
	}
	return outcome{
		ours:         ours.Coverage,
		ktstr:        s.feats.coverage(func(i int32) bool { return inK[i] }),
		oursN:        len(ours.Selected),
		ktstrN:       len(kJobs),
		oursWall:     ours.EstWall,
		ktstrSecs:    kSecs,
		ktstrHere:    makespan(kJobs, listSchedule(kJobs, s.cap)),
		allWall:      everything.EstWall,
		oursBits:     bits.OnesCount64(oursBits),
		ktstrBit:     bits.OnesCount64(kBits),
		possibleBits: bits.OnesCount64(allBits),
	}
}

func TestCompareWithKtstr(t *testing.T) {
	for _, c := range comparisons() {
		t.Run(c.name(), func(t *testing.T) {
			o := c.run(t)
			t.Logf("ours : %4d variants, single %2d/%d, pairwise %4d/%d, predicted wall %s (%.0f%% of budget) on %d slots, ktstr bits %d/%d",
				o.oursN, o.ours.SingleCovered, o.ours.SinglePossible, o.ours.PairCovered, o.ours.PairPossible,
				short(o.oursWall), 100*o.oursWall.Seconds()/c.budget.Seconds(), NewCapacity(c.opts.Host, c.opts.Jobs).Jobs, o.oursBits, o.possibleBits)
			t.Logf("ktstr: %4d variants, single %2d/%d, pairwise %4d/%d, predicted %s serial (%.0f%% of budget), on our model of the host %s, ktstr bits %d/%d",
				o.ktstrN, o.ktstr.SingleCovered, o.ktstr.SinglePossible, o.ktstr.PairCovered, o.ktstr.PairPossible,
				short(seconds(o.ktstrSecs)), 100*o.ktstrSecs/c.budget.Seconds(), short(o.ktstrHere), o.ktstrBit, o.possibleBits)
			if o.ours.SingleCovered < o.ktstr.SingleCovered {
				t.Errorf("ours covers %d single features, ktstr %d", o.ours.SingleCovered, o.ktstr.SingleCovered)
			}
			if o.ours.PairCovered <= o.ktstr.PairCovered {
				t.Errorf("ours covers %d pairwise features, ktstr %d; want more", o.ours.PairCovered, o.ktstr.PairCovered)
			}
			if o.oursWall > c.budget {
				t.Errorf("ours predicts %s, over the %s budget", o.oursWall, c.budget)
			}
			if o.allWall > c.budget && o.oursWall < c.budget*9/10 {
				t.Errorf("ours predicts %s of a %s budget (< 90%%) though everything would take %s", o.oursWall, c.budget, o.allWall)
			}
		})
	}
}

// TestCompareWithKtstrSeeds repeats the comparison's claims on other
// generated sets, so they do not hold by the luck of one seed.
func TestCompareWithKtstrSeeds(t *testing.T) {
	seeds := uint64(8)
	if testing.Short() {
		seeds = 2
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		for _, c := range comparisons() {
			h := bigHost
			if c.setup == thisHost.name {
				h = thisHost
			}
			c.cands = genSet{seed: seed, tests: 40, packages: 3, presets: h.presets()}.generate()
			o := c.run(t)
			if o.ours.SingleCovered < o.ktstr.SingleCovered || o.ours.PairCovered <= o.ktstr.PairCovered {
				t.Errorf("seed %d %s: ours covers %d single, %d pairwise; ktstr %d, %d", seed, c.name(),
					o.ours.SingleCovered, o.ours.PairCovered, o.ktstr.SingleCovered, o.ktstr.PairCovered)
			}
			if o.oursWall > c.budget || (o.allWall > c.budget && o.oursWall < c.budget*9/10) {
				t.Errorf("seed %d %s: ours predicts %s", seed, c.name(), o.oursWall)
			}
		}
	}
}

// BenchmarkCompareWithKtstr times both selectors on the comparison sets
// and reports their coverage, so the numbers can be quoted:
//
//	go test ./budget -run '^$' -bench CompareWithKtstr -benchtime 3x
func BenchmarkCompareWithKtstr(b *testing.B) {
	for _, c := range comparisons() {
		b.Run(c.name()+"/ours", func(b *testing.B) {
			var p Plan
			for b.Loop() {
				p, _ = Select(c.cands, c.opts)
			}
			b.ReportMetric(float64(p.Coverage.SingleCovered), "single")
			b.ReportMetric(float64(p.Coverage.PairCovered), "pairwise")
			b.ReportMetric(float64(len(p.Selected)), "variants")
			b.ReportMetric(100*p.EstWall.Seconds()/c.budget.Seconds(), "%budget")
		})
		b.Run(c.name()+"/ktstr", func(b *testing.B) {
			kc := toKtstr(c.cands)
			var sel []int
			for b.Loop() {
				sel = ktstrSelect(kc, c.budget.Seconds())
			}
			o := c.run(b)
			b.ReportMetric(float64(o.ktstr.SingleCovered), "single")
			b.ReportMetric(float64(o.ktstr.PairCovered), "pairwise")
			b.ReportMetric(float64(len(sel)), "variants")
			b.ReportMetric(100*o.ktstrSecs/c.budget.Seconds(), "%budget")
		})
	}
}
