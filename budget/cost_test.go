package budget

import (
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// flat returns a 1-NUMA, 1-LLC, n-core topology.
func flat(n int) topo.Topology {
	return topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: n, ThreadsPerCore: 1}
}

func TestModelCost(t *testing.T) {
	two := Host{CPUs: 2, Accel: spec.AccelTCG}
	cases := []struct {
		name string
		c    Candidate
		h    Host
		want Cost
	}{
		{"tcg 2 vCPUs default duration", Candidate{Topology: flat(2)}, two,
			Cost{Boot: 3200 * time.Millisecond, Test: 3 * time.Second, Teardown: 500 * time.Millisecond, Source: SourceModel}},
		{"tcg 4 vCPUs on 2 cores boots multi-threaded", Candidate{Topology: flat(4)}, two,
			Cost{Boot: 3200 * time.Millisecond, Test: 3450 * time.Millisecond, Teardown: 500 * time.Millisecond, Source: SourceModel}},
		{"tcg 16 vCPUs on 2 cores boots single-threaded", Candidate{Topology: flat(16), Duration: 5 * time.Second}, two,
			Cost{Boot: 5500 * time.Millisecond, Test: 12300 * time.Millisecond, Teardown: 500 * time.Millisecond, Source: SourceModel}},
		{"tcg 32 vCPUs on 2 cores boots multi-threaded and stretches the test 3.25x", Candidate{Topology: flat(32), Duration: 5 * time.Second}, two,
			Cost{Boot: 15 * time.Second, Test: 19500 * time.Millisecond, Teardown: 500 * time.Millisecond, Source: SourceModel}},
		{"tcg 32 vCPUs on 16 cores reads the table at 4", Candidate{Topology: flat(32)}, Host{CPUs: 16},
			Cost{Boot: 3200 * time.Millisecond, Test: 3450 * time.Millisecond, Teardown: 500 * time.Millisecond, Source: SourceModel}},
		{"kvm 8 vCPUs", Candidate{Topology: flat(8), Duration: 10 * time.Second}, Host{CPUs: 64, Accel: spec.AccelKVM},
			Cost{Boot: 1660 * time.Millisecond, Test: 11 * time.Second, Teardown: 500 * time.Millisecond, Source: SourceModel}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := EstimateCost(c.c, c.h, nil); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestModelCostGrowsWithVCPUs checks that more vCPUs never cost less,
// within one way of running them: a TCG guest that turns single-threaded
// ([spec.SingleThreadedTCG]) boots faster than a smaller multi-threaded
// one, as measured, so the comparison restarts there.
func TestModelCostGrowsWithVCPUs(t *testing.T) {
	for _, h := range []Host{{CPUs: 2}, {CPUs: 8, Accel: spec.AccelKVM}} {
		prev, prevSingle := time.Duration(0), false
		for n := 1; n <= 256; n *= 2 {
			got := EstimateCost(Candidate{Topology: flat(n)}, h, nil).Total()
			single := h.Accel != spec.AccelKVM && spec.SingleThreadedTCG(n, h.CPUs)
			if got < prev && single == prevSingle {
				t.Errorf("host %+v: %d vCPUs cost %s, less than %s for %d", h, n, got, prev, n/2)
			}
			prev, prevSingle = got, single
		}
	}
}

func TestEstimateCostPrefersHistory(t *testing.T) {
	c := Candidate{Package: "p", Test: "TestA", Variant: "TestA/tiny-1llc/default", Topology: flat(4)}
	res := &Results{Version: 1, RunID: "r", Host: Host{CPUs: 2}, Accel: spec.AccelTCG, Variants: []VariantResult{
		{Package: "p", Test: "TestA", Variant: "TestA/tiny-1llc/llc", Topology: flat(4), VCPUs: 4, Accel: spec.AccelTCG, BootS: 4, TestS: 5, TotalS: 10, Outcome: spec.OutcomePass},
	}}
	h := NewHistory(res)
	host := Host{CPUs: 2}
	if got := EstimateCost(c, host, h); got.Source != SourceHistoryTopology || got.Total() != 10*time.Second {
		t.Errorf("same test and topology, other profile: got %+v; want 10 s from %s", got, SourceHistoryTopology)
	}
	res.Variants = append(res.Variants, VariantResult{Package: "p", Test: "TestA", Variant: c.Variant, Topology: flat(4), VCPUs: 4, Accel: spec.AccelTCG, BootS: 3, TestS: 3, TotalS: 7, Outcome: spec.OutcomePass})
	h = NewHistory(res)
	want := Cost{Boot: 3 * time.Second, Test: 3 * time.Second, Teardown: time.Second, Source: SourceHistory, Runs: 1}
	if got := EstimateCost(c, host, h); got != want {
		t.Errorf("same variant: got %+v, want %+v", got, want)
	}
	if got := EstimateCost(c, Host{CPUs: 2, Accel: spec.AccelKVM}, h); got.Source != SourceModel {
		t.Errorf("history from TCG used for a KVM host: %+v", got)
	}
}
