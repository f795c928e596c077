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
		{CpusetLLC(0), "0-1", "llc(0)"},
		{CpusetLLC(1), "2", "llc(1)"},
		{CpusetNode(0), "0-2", "node(0)"},
		{CpusetRange(0, 0.5), "0-1", "range(0.00-0.50)"},
		{CpusetDisjoint(1, 2), "2", "disjoint(1/2)"},
		{CpusetOverlap(0, 2, 1), "0-2", "overlap(0/2,1.00)"},
		{CpusetExact(2, 0), "0,2", "exact(2,0)"},
	}
	for _, c := range cases {
		got, err := c.spec.Resolve(layout4, usable)
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
	for _, bad := range []CpusetSpec{CpusetLLC(2), CpusetNode(1), CpusetRange(0.5, 0.2), CpusetDisjoint(0, 4), CpusetOverlap(0, 2, 2), CpusetExact(3)} {
		_, err := bad.Resolve(layout4, usable)
		if err == nil || !strings.HasPrefix(err.Error(), "cpuset "+bad.String()) {
			t.Errorf("%s: err %v, want one naming the cpuset", bad, err)
		}
	}
}
