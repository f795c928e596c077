package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// ResultProperties flattens the guest's structured result r into JUnit
// properties, in a fixed order: the run ("gauntlet.outcome",
// "gauntlet.topology", "gauntlet.scheduler", ...), the thresholds ("gauntlet.threshold.max_gap_ms", ...), then per cgroup
// of scenario i "gauntlet.s<i>.<cgroup>.<stat>" (work_units, max_gap_ms,
// gap_cpu, spread_pct, migrations, run_delay_us, wake_p99_us). Times are
// in the unit their name ends in; floats have two decimals.
func ResultProperties(r spec.Result) []Property {
	var ps []Property
	add := func(name, value string) {
		if value != "" {
			ps = append(ps, Property{Name: "gauntlet." + name, Value: value})
		}
	}
	add("outcome", string(r.Outcome))
	add("topology", r.Topology)
	add("cpus", strconv.Itoa(r.CPUs))
	add("usable_cpus", r.UsableCPUs)
	add("accel", r.Accel)
	add("kernel", r.Kernel)
	add("scheduler", r.Scheduler)
	add("flags", strings.Join(r.Flags, "+"))
	add("elapsed_ms", ms(r.Elapsed))
	th := r.Thresholds
	add("threshold.max_gap_ms", ms(th.MaxGap))
	add("threshold.max_spread_pct", pct(th.MaxSpread))
	add("threshold.min_work_units", strconv.FormatUint(th.MinWorkUnits, 10))
	add("threshold.isolation", strconv.FormatBool(th.Isolation))
	add("threshold.scale", pct(th.Scale))
	for i, s := range r.Scenarios {
		for _, cg := range s.Cgroups {
			p := fmt.Sprintf("s%d.%s.", i, cg.Name)
			add(p+"work_units", strconv.FormatUint(cg.WorkUnits, 10))
			add(p+"max_gap_ms", ms(cg.MaxGap))
			add(p+"gap_cpu", strconv.Itoa(cg.GapCPU))
			add(p+"spread_pct", pct(cg.SpreadPct))
			add(p+"migrations", strconv.Itoa(cg.Migrations))
			add(p+"run_delay_us", us(cg.RunDelay))
			if cg.WakeSamples > 0 {
				add(p+"wake_p99_us", us(cg.WakeP99))
			}
		}
	}
	return ps
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
func us(d time.Duration) string { return strconv.FormatInt(d.Microseconds(), 10) }
func pct(f float64) string      { return strconv.FormatFloat(f, 'f', 2, 64) }
