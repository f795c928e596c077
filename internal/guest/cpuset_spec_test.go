package guest

import (
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// layout4 is 1n2l2c1t: LLCs 0-1 and 2-3; CPU 3 is the harness's.
var layout4 = topo.ExpectedLayout(topo.Topology{NUMA: 1, LLCs: 2, CoresPerLLC: 2, ThreadsPerCore: 1})

func TestCpusetSpecResolve(t *testing.T) {
	usable := topo.UsableCPUs(layout4.Online())
	cases := []struct {
		spec CpusetSpec
		want string
		name string
	}{
		{CpusetSpec{}, "0-2", "inherit"},
		{CpusetSpec{Kind: CpusetLLC}, "0-1", "llc(0)"},
		{CpusetSpec{Kind: CpusetLLC, Index: 1}, "2", "llc(1)"},
		{CpusetSpec{Kind: CpusetNode}, "0-2", "node(0)"},
		{CpusetSpec{Kind: CpusetRange, To: 0.5}, "0-1", "range(0.00-0.50)"},
		{CpusetSpec{Kind: CpusetDisjoint, Index: 1, Of: 2}, "2", "disjoint(1/2)"},
		{CpusetSpec{Kind: CpusetOverlap, Of: 2, Frac: 1}, "0-2", "overlap(0/2,1.00)"},
		{CpusetSpec{Kind: CpusetExact, CPUs: []int{2, 0}}, "0,2", "exact(2,0)"},
	}
	for _, c := range cases {
		got, err := c.spec.resolve(layout4, usable)
		if err != nil || got.String() != c.want {
			t.Errorf("%s: got %s, %v; want %s", c.spec, got, err, c.want)
		}
		if c.spec.String() != c.name {
			t.Errorf("String() = %q, want %q", c.spec.String(), c.name)
		}
	}
}

func TestCpusetSpecErrorsNameTheSpec(t *testing.T) {
	usable := topo.UsableCPUs(layout4.Online())
	for _, bad := range []CpusetSpec{
		{Kind: CpusetLLC, Index: 2}, {Kind: CpusetNode, Index: 1}, {Kind: CpusetRange, From: 0.5, To: 0.2},
		{Kind: CpusetDisjoint, Of: 4}, {Kind: CpusetOverlap, Of: 2, Frac: 2}, {Kind: CpusetExact, CPUs: []int{3}},
	} {
		_, err := bad.resolve(layout4, usable)
		if err == nil || !strings.HasPrefix(err.Error(), "cpuset "+bad.String()) {
			t.Errorf("%s: err %v, want one naming the cpuset", bad, err)
		}
	}
}
