package guest

import (
	"math"
	"sort"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// allowedSpan says a worker was allowed CPUs from isolation epoch From
// until the next span.
type allowedSpan struct {
	From uint64
	CPUs topo.CPUSet
}

// workerResult is one worker's outcome as the checks see it.
type workerResult struct {
	Cgroup string
	Index  int
	PID    int
	Work   WorkSpec
	// Report is nil when the worker sent none; Failure says why (died,
	// killed, failed to stop) or holds the work's own error.
	Report  *workerReport
	Failure string
	// Offset is the worker's start relative to the scenario's start.
	Offset time.Duration
	// Spans are the CPUs its cpuset allowed, by isolation epoch.
	Spans []allowedSpan
	// Fair marks workers the fairness check compares within their
	// cgroup (not real-time or SCHED_IDLE ones: [PolicySpec.fairShare]);
	// GapExempt workers (SCHED_IDLE) skip the stuck check.
	Fair      bool
	GapExempt bool
}

// name identifies w in messages.
func (w workerResult) name() string {
	return workerName(w.Cgroup, w.Index, w.PID)
}

func workerName(cgroup string, index, pid int) string {
	return cgroup + " worker " + itoa(index) + " (pid " + itoa(pid) + ")"
}

// minFairWindow is the least steady-state time a worker needs to be
// compared by the fairness check.
const minFairWindow = 100 * time.Millisecond

// offCPUPct is the share of the worker's wall time it spent off a CPU,
// over its steady state (after the settle time) when it reached one, else
// over its whole run.
func offCPUPct(r *workerReport) float64 {
	if r == nil {
		return 0
	}
	wall, cpu := r.Wall, r.CPUTime
	if r.Settled && r.SettledWall > 0 {
		wall, cpu = r.SettledWall, r.SettledCPU
	}
	if wall <= 0 {
		return 0
	}
	on := min(float64(cpu), float64(wall))
	return 100 * (1 - on/float64(wall))
}

// delayPct is the share of the worker's steady-state wall time it waited
// runnable (schedstat run delay); 0 without a steady state.
func delayPct(r *workerReport) float64 {
	if r == nil || !r.Settled || r.SettledWall <= 0 {
		return 0
	}
	return 100 * min(1, float64(r.SettledDelay)/float64(r.SettledWall))
}

// rateSpread is 100 x (max - min) / max of rates (work units per second
// of workers doing the same work), 0 for fewer than two or a zero max.
func rateSpread(rates []float64) float64 {
	s, _, hi := spread(rates)
	if len(rates) < 2 || rates[hi] <= 0 {
		return 0
	}
	return 100 * s / rates[hi]
}

// steady reports whether r has a steady-state window long enough for the
// fairness check.
func steady(r *workerReport) bool {
	return r != nil && r.Settled && r.SettledWall >= minFairWindow
}

// percentile returns the p-th percentile (0-100) of samples by the
// nearest-rank method; 0 for no samples.
func percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

// spread returns max minus min of vals (0 for fewer than two) and the
// indexes of the extremes.
func spread(vals []float64) (float64, int, int) {
	if len(vals) < 2 {
		return 0, 0, 0
	}
	lo, hi := 0, 0
	for i, v := range vals {
		if v < vals[lo] {
			lo = i
		}
		if v > vals[hi] {
			hi = i
		}
	}
	return vals[hi] - vals[lo], lo, hi
}

// cgroupStats summarises ws per cgroup, in the order of first appearance;
// cpusets holds each cgroup's last effective cpuset.
func cgroupStats(ws []workerResult, cpusets map[string]topo.CPUSet) []spec.CgroupStats {
	var order []string
	by := map[string][]workerResult{}
	for _, w := range ws {
		if _, seen := by[w.Cgroup]; !seen {
			order = append(order, w.Cgroup)
		}
		by[w.Cgroup] = append(by[w.Cgroup], w)
	}
	out := make([]spec.CgroupStats, 0, len(order))
	for _, name := range order {
		out = append(out, oneCgroup(name, by[name], cpusets[name]))
	}
	return out
}

func oneCgroup(name string, ws []workerResult, cpuset topo.CPUSet) spec.CgroupStats {
	cs := spec.CgroupStats{Name: name, Work: ws[0].Work.String(), Cpuset: cpuset.String(), GapCPU: -1}
	var used topo.CPUSet
	var off, fairOff, fairDelay, fairRate []float64
	var cost time.Duration
	costs := 0
	var wake []time.Duration
	var delay time.Duration
	first := true
	for _, w := range ws {
		r := w.Report
		if r == nil {
			cs.Killed++
			continue
		}
		cs.Workers++
		used = used.Union(r.CPUs)
		cs.WorkUnits += r.WorkUnits
		if first || r.WorkUnits < cs.MinWorkUnits {
			cs.MinWorkUnits = r.WorkUnits
		}
		first = false
		if r.MaxGap > cs.MaxGap {
			cs.MaxGap, cs.GapCPU, cs.GapAt = r.MaxGap, r.GapCPU, w.Offset+r.GapAt
		}
		cs.Migrations += r.Migrations
		delay += r.RunDelay
		off = append(off, offCPUPct(r))
		if w.Fair && steady(r) {
			fairOff = append(fairOff, offCPUPct(r))
			fairDelay = append(fairDelay, delayPct(r))
			fairRate = append(fairRate, float64(r.SettledUnits)/r.SettledWall.Seconds())
		}
		cs.MaxOffGap = max(cs.MaxOffGap, r.OffGap)
		cs.MaxDelayGap = max(cs.MaxDelayGap, r.DelayGap)
		if r.StatCost > 0 {
			cost += r.StatCost
			costs++
		}
		wake = append(wake, r.Wake...)
		cs.WakeSamples += r.WakeCount
		cs.WakeMax = max(cs.WakeMax, r.WakeMax)
		cs.PageFaults += r.PageFaults
	}
	cs.CPUsUsed = used.String()
	if cs.Workers > 0 {
		cs.RunDelay = delay / time.Duration(cs.Workers)
		cs.OffCPUPct = round2(mean(off))
	}
	s, _, _ := spread(fairOff)
	cs.SpreadPct = round2(s)
	sd, _, _ := spread(fairDelay)
	cs.SpreadDelayPct = round2(sd)
	cs.SpreadUnitsPct = round2(rateSpread(fairRate))
	if costs > 0 {
		cs.StatCost = cost / time.Duration(costs)
	}
	cs.WakeP50, cs.WakeP99 = percentile(wake, 50), percentile(wake, 99)
	return cs
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var sum float64
	for _, x := range v {
		sum += x
	}
	return sum / float64(len(v))
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
