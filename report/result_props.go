package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/metrics"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// ResultProperties flattens the guest's structured result r into JUnit
// properties, in a fixed order: the run ("gauntlet.outcome",
// "gauntlet.topology", "gauntlet.scheduler", ...), the thresholds
// ("gauntlet.threshold.max_gap_ms", ...), the scheduler's exit when it
// stopped ("gauntlet.scheduler_exit.kind", .kind_name, .reason, .message,
// .attached, .after_attach_ms, .victim, .victim_role, .victim_cgroup,
// .stalled_ms, .loader, .last_words, .detected_by, .detect_latency_ms,
// .report_latency_ms, .expected), the count of restart requests it
// recovered from ("gauntlet.scheduler_restarts"), the verified
// instructions of each of its BPF programs, most first
// ("gauntlet.verifier.<prog>.insns", then its type
// "gauntlet.verifier.<prog>.type"; a "#<id>" suffix on a repeated name), then per cgroup of scenario i "gauntlet.s<i>.<cgroup>.<stat>"
// (work_units, max_gap_ms, gap_cpu, spread_pct, migrations, run_delay_us,
// wake_p50_us, wake_p99_us), then each payload metric as
// "gauntlet.metric.<name>" with its value and unit ("1403.66 ops/s").
// Times are in the unit their name ends in; floats have two decimals.
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
	if th.MaxRunDelay > 0 {
		add("threshold.max_run_delay_ms", ms(th.MaxRunDelay))
	}
	add("threshold.min_work_units", strconv.FormatUint(th.MinWorkUnits, 10))
	add("threshold.isolation", strconv.FormatBool(th.Isolation))
	add("threshold.scale", pct(th.Scale))
	if e := r.SchedulerExit; e != nil {
		p := "scheduler_exit."
		add(p+"kind", strconv.Itoa(int(e.Kind)))
		add(p+"kind_name", e.Kind.Name())
		add(p+"reason", e.Reason)
		add(p+"message", e.Message)
		add(p+"attached", strconv.FormatBool(e.Attached))
		if e.Attached {
			add(p+"after_attach_ms", ms(e.AfterAttach))
		}
		if v := e.Victim; v != nil {
			add(p+"victim", fmt.Sprintf("%s[%d]", v.Comm, v.PID))
			add(p+"victim_role", string(v.Role))
			add(p+"victim_cgroup", v.Cgroup)
		}
		if e.Stalled > 0 {
			add(p+"stalled_ms", ms(e.Stalled))
		}
		add(p+"loader", e.Loader)
		add(p+"last_words", e.LastWords)
		add(p+"detected_by", e.DetectedBy)
		if e.DetectLatency > 0 {
			add(p+"detect_latency_ms", ms(e.DetectLatency))
		}
		if e.ReportLatency > 0 {
			add(p+"report_latency_ms", ms(e.ReportLatency))
		}
		if e.Expected {
			add(p+"expected", "true")
		}
	}
	if n := len(r.SchedulerRestarts); n > 0 {
		add("scheduler_restarts", strconv.Itoa(n))
	}
	for _, name := range verifierProps(r.BPFPrograms) {
		add(name[0], name[1])
	}
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
				add(p+"wake_p50_us", us(cg.WakeP50))
				add(p+"wake_p99_us", us(cg.WakeP99))
			}
			if cg.PageFaults > 0 {
				add(p+"page_faults", strconv.FormatUint(cg.PageFaults, 10))
			}
		}
	}
	for _, m := range r.Metrics {
		ps = append(ps, Property{Name: metrics.PropertyPrefix + m.Name, Value: metrics.PropertyValue(m)})
	}
	return ps
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
func us(d time.Duration) string { return strconv.FormatInt(d.Microseconds(), 10) }
func pct(f float64) string      { return strconv.FormatFloat(f, 'f', 2, 64) }

// verifierProps names the properties of each BPF program, most verified
// instructions first: "verifier.<name>.insns", then "verifier.<name>.type"
// when the type is known, with "#<id>" after a name seen before (the
// kernel keeps 15 characters of a name).
func verifierProps(progs []spec.BPFProgram) [][2]string {
	sorted := slices.Clone(progs)
	slices.SortStableFunc(sorted, func(a, b spec.BPFProgram) int { return cmp.Compare(b.VerifiedInsns, a.VerifiedInsns) })
	seen := map[string]bool{}
	var out [][2]string
	for _, p := range sorted {
		name := p.Name
		if name == "" || seen[name] {
			name += "#" + strconv.FormatUint(uint64(p.ID), 10)
		}
		seen[p.Name] = true
		out = append(out, [2]string{"verifier." + name + ".insns", strconv.FormatUint(uint64(p.VerifiedInsns), 10)})
		if p.Type != "" {
			out = append(out, [2]string{"verifier." + name + ".type", p.Type})
		}
	}
	return out
}

// CaseMetrics returns c's metrics: its payloads' ("gauntlet.metric.*")
// and its workers' built-in numbers, read from its guest result or, for a
// case read back from JUnit, its properties ([metrics.FromProperties]).
func CaseMetrics(c Case) []spec.Metric {
	ps := properties(c)
	kv := make([][2]string, len(ps))
	for i, p := range ps {
		kv[i] = [2]string{p.Name, p.Value}
	}
	return metrics.FromProperties(kv)
}
