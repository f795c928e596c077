package metrics

import (
	"fmt"
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func BenchmarkStressNGYAML(b *testing.B) {
	data, err := os.ReadFile("testdata/stress-ng-0.15.06.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := StressNGYAML(data, "stress-ng"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCyclictestJSON(b *testing.B) {
	data, err := os.ReadFile("testdata/cyclictest-2.4.json")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := CyclictestJSON(data, "cyclictest"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompare1000x50 compares two runs of 1000 variants with 50
// metrics each, a large nightly sweep.
func BenchmarkCompare1000x50(b *testing.B) {
	old, new := map[string][]spec.Metric{}, map[string][]spec.Metric{}
	for v := range 1000 {
		name := fmt.Sprintf("TestX/preset%d/default", v)
		for m := range 50 {
			metric := fmt.Sprintf("s0.cg_%d.work_units", m)
			old[name] = append(old[name], spec.Metric{Name: metric, Value: 1000})
			new[name] = append(new[name], spec.Metric{Name: metric, Value: float64(900 + m*4)})
		}
	}
	for b.Loop() {
		Compare(old, new, nil)
	}
}
