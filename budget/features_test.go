package budget

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestBuckets(t *testing.T) {
	for _, c := range []struct {
		got, want []int32
		what      string
	}{
		{[]int32{cpuBucket(1), cpuBucket(8), cpuBucket(9), cpuBucket(16), cpuBucket(17), cpuBucket(64), cpuBucket(65), cpuBucket(128), cpuBucket(129), cpuBucket(252)},
			[]int32{0, 0, 1, 1, 2, 2, 3, 3, 4, 4}, "cpus 1,8,9,16,17,64,65,128,129,252"},
		{[]int32{llcBucket(1), llcBucket(2), llcBucket(3), llcBucket(4), llcBucket(5), llcBucket(8), llcBucket(9), llcBucket(15)},
			[]int32{0, 1, 2, 2, 3, 3, 4, 4}, "llcs 1,2,3,4,5,8,9,15"},
		{[]int32{numaBucket(1), numaBucket(2), numaBucket(3), numaBucket(4), numaBucket(5)}, []int32{0, 1, 2, 2, 3}, "numa 1..5"},
		{[]int32{durationBucket(time.Second), durationBucket(2900 * time.Millisecond), durationBucket(3 * time.Second), durationBucket(10 * time.Second), durationBucket(11 * time.Second)},
			[]int32{0, 0, 1, 1, 2}, "durations 1s,2.9s,3s,10s,11s"},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: buckets %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestCandidateFeatures(t *testing.T) {
	cs := []Candidate{
		{Package: "p", Test: "TestA", Variant: "TestA", Base: true, Profile: "default", Topology: flat(2), Kernel: "6.1"},
		{Package: "p", Test: "TestA", Variant: "TestA/numa4-12llc/llc+steal", Profile: "llc+steal", Flags: []string{"llc", "steal"},
			Scheduler: "scx_lavd", Duration: 12 * time.Second, Kernel: "6.12",
			Topology: topo.Topology{NUMA: 4, LLCs: 12, CoresPerLLC: 8, ThreadsPerCore: 2, PossibleCPUs: 256, MemoryNodes: 1}},
	}
	f := newFeatures(cs)
	names := func(i int32) []string {
		var out []string
		for _, id := range f.of(i) {
			out = append(out, f.describe(id))
		}
		return out
	}
	want0 := []string{"cpus:1-8", "llcs:1", "numa:1", "duration:0-2s", "base", "sched:eevdf", "test:p/TestA",
		"test:p/TestA x class:cpus1-8/llcs1/numa1/nosmt", "test:p/TestA x profile:eevdf/default", "class:cpus1-8/llcs1/numa1/nosmt x profile:eevdf/default",
		"kernel:6.1", "test:p/TestA x kernel:6.1", "kernel:6.1 x class:cpus1-8/llcs1/numa1/nosmt"}
	want1 := []string{"cpus:129+", "llcs:9+", "numa:3-4", "smt", "offline-cpus", "memory-only-nodes", "flag:scx_lavd/llc", "flag:scx_lavd/steal", "duration:11s+", "gauntlet",
		"sched:scx_lavd", "test:p/TestA",
		"test:p/TestA x class:cpus129+/llcs9+/numa3-4/smt", "test:p/TestA x profile:scx_lavd/llc+steal", "class:cpus129+/llcs9+/numa3-4/smt x profile:scx_lavd/llc+steal",
		"kernel:6.12", "test:p/TestA x kernel:6.12", "kernel:6.12 x class:cpus129+/llcs9+/numa3-4/smt"}
	if got := names(0); !slices.Equal(got, want0) {
		t.Errorf("base features:\n got %q\nwant %q", got, want0)
	}
	if got := names(1); !slices.Equal(got, want1) {
		t.Errorf("variant features:\n got %q\nwant %q", got, want1)
	}
	cov := f.coverage(func(i int32) bool { return i == 0 })
	if cov.SinglePossible != 20 || cov.SingleCovered != 8 || cov.PairPossible != 10 || cov.PairCovered != 5 || cov.Covered != 13 || cov.Possible != 30 {
		t.Errorf("coverage of the base only: %+v", cov)
	}
	// One kernel is no dimension: no kernel features.
	cs[0].Kernel = "6.12"
	one := newFeatures(cs)
	for _, id := range one.ids {
		if d := one.describe(id); strings.Contains(d, "kernel") {
			t.Errorf("one kernel, feature %s", d)
		}
	}
}
