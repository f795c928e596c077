package guest

import (
	"testing"

	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestAffinityResolve(t *testing.T) {
	cpuset := topo.NewCPUSet(0, 1, 2)
	for i, want := range []string{"0", "1", "2", "0"} {
		if got, _ := (AffinitySpec{Kind: AffinitySingle}).resolve(i, 1, layout4, cpuset); got.String() != want {
			t.Errorf("single-cpu worker %d = %s, want %s", i, got, want)
		}
	}
	for i, want := range []string{"0-1", "2", "0-1"} {
		if got, _ := (AffinitySpec{Kind: AffinityLLC}).resolve(i, 1, layout4, cpuset); got.String() != want {
			t.Errorf("llc worker %d = %s, want %s", i, got, want)
		}
	}
	if got, _ := (AffinitySpec{}).resolve(3, 1, layout4, cpuset); got != cpuset {
		t.Errorf("inherit = %s", got)
	}
	if got, err := (AffinitySpec{Kind: AffinityExact, CPUs: []int{1}}).resolve(0, 1, layout4, cpuset); err != nil || got != topo.NewCPUSet(1) {
		t.Errorf("exact(1) = %s, %v", got, err)
	}
	if _, err := (AffinitySpec{Kind: AffinityExact, CPUs: []int{3}}).resolve(0, 1, layout4, cpuset); err == nil {
		t.Error("exact(3) outside the cpuset accepted")
	}
}

func TestAffinityRandomIsSeededSubset(t *testing.T) {
	cpuset := topo.CPURange(0, 16)
	a, _ := (AffinitySpec{Kind: AffinityRandom, N: 4}).resolve(2, 99, layout4, cpuset)
	b, _ := (AffinitySpec{Kind: AffinityRandom, N: 4}).resolve(2, 99, layout4, cpuset)
	c, _ := (AffinitySpec{Kind: AffinityRandom, N: 4}).resolve(3, 99, layout4, cpuset)
	if a != b || a.Len() != 4 || !a.SubsetOf(cpuset) {
		t.Errorf("random(4): %s then %s; want the same 4 cpus of %s", a, b, cpuset)
	}
	if a == c {
		t.Errorf("workers 2 and 3 drew the same cpus %s", a)
	}
	if all, _ := (AffinitySpec{Kind: AffinityRandom, N: 40}).resolve(0, 1, layout4, cpuset); all != cpuset {
		t.Errorf("random(40) of 16 cpus = %s, want all", all)
	}
	if _, err := (AffinitySpec{Kind: AffinityRandom, N: 0}).resolve(0, 1, layout4, cpuset); err == nil {
		t.Error("random(0) accepted")
	}
}
