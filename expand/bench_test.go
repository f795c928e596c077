package expand

import (
	"fmt"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// BenchmarkExpand expands 40 tests x 24 presets x 4 profiles (3,880
// variants with the base ones) per iteration.
func BenchmarkExpand(b *testing.B) {
	sched := &spec.Scheduler{Name: "scx_bench", Flags: []spec.Flag{{Name: "a"}, {Name: "b"}}}
	p := &Package{ImportPath: "example.com/bench"}
	for i := range 40 {
		p.Descriptions = append(p.Descriptions, spec.Description{
			Test: fmt.Sprintf("Test%02d", i),
			Spec: spec.Spec{Scheduler: sched, Constraints: topo.Constraints{MaxNUMA: 4, MaxLLCs: 16, MaxCPUs: 288}},
		})
	}
	o := Options{Capacity: topo.Capacity{CPUs: 2, MemoryMiB: 24 * 1024}}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(Expand([]*Package{p}, o))
	}
	b.ReportMetric(float64(n), "variants/op")
}
