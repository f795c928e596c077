package metrics

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// nanValue matches a nan value as C's printf writes it.
var nanValue = regexp.MustCompile(`:\s*-?nan\b`)

// cyclictestReport is the part of cyclictest's --json report (rt-tests
// 2.x, "file_version": 1) the metrics come from.
type cyclictestReport struct {
	ReturnCode   *int                        `json:"return_code"`
	ResolutionNS int                         `json:"resolution_in_ns"`
	Thread       map[string]cyclictestThread `json:"thread"`
}

type cyclictestThread struct {
	Cycles uint64  `json:"cycles"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Avg    float64 `json:"avg"`
}

// CyclictestJSON returns the metrics of cyclictest's --json report data,
// latencies in microseconds: over all measuring threads
// "PREFIX.latency_min_us", "PREFIX.latency_avg_us" (weighted by cycles),
// "PREFIX.latency_max_us" and "PREFIX.cycles", then per thread N
// "PREFIX.tN.latency_avg_us" and "PREFIX.tN.latency_max_us". Threads
// that measured no cycle (their average is nan) are left out; a report
// without a thread that measured one, or with a nonzero return_code, is
// an error.
func CyclictestJSON(data []byte, prefix string) ([]spec.Metric, error) {
	var r cyclictestReport
	// A thread with no cycles (cyclictest stopped at once) has "avg": nan
	// or -nan, which is not JSON.
	data = nanValue.ReplaceAll(data, []byte(": null"))
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("cyclictest json: %w", err)
	}
	if r.ReturnCode != nil && *r.ReturnCode != 0 {
		return nil, fmt.Errorf("cyclictest json: return_code %d", *r.ReturnCode)
	}
	if len(r.Thread) == 0 {
		return nil, fmt.Errorf("cyclictest json: no threads")
	}
	scale := 1.0
	if r.ResolutionNS == 1 { // --nsecs
		scale = 1e-3
	}
	ids := make([]int, 0, len(r.Thread))
	for k := range r.Thread {
		id, err := strconv.Atoi(k)
		if err != nil {
			return nil, fmt.Errorf("cyclictest json: thread %q: not a number", k)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	lo, hi, sum, cycles := math.Inf(1), math.Inf(-1), 0.0, uint64(0)
	var per []spec.Metric
	for _, id := range ids {
		t := r.Thread[strconv.Itoa(id)]
		if t.Cycles == 0 {
			continue
		}
		lo, hi = min(lo, t.Min*scale), max(hi, t.Max*scale)
		sum += t.Avg * scale * float64(t.Cycles)
		cycles += t.Cycles
		p := fmt.Sprintf("%s.t%d.", prefix, id)
		per = append(per, spec.Metric{Name: p + "latency_avg_us", Value: t.Avg * scale, Unit: "us"},
			spec.Metric{Name: p + "latency_max_us", Value: t.Max * scale, Unit: "us"})
	}
	if cycles == 0 {
		return nil, fmt.Errorf("cyclictest json: no thread measured a cycle")
	}
	avg := sum / float64(cycles)
	out := []spec.Metric{
		{Name: prefix + ".latency_min_us", Value: lo, Unit: "us"},
		{Name: prefix + ".latency_avg_us", Value: avg, Unit: "us"},
		{Name: prefix + ".latency_max_us", Value: hi, Unit: "us"},
		{Name: prefix + ".cycles", Value: float64(cycles), Unit: "cycles"},
	}
	return append(out, per...), nil
}
