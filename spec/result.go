package spec

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ResultPrefix starts the one structured result line each gauntlet test
// prints inside the VM, on the test's standard output, after it finished:
//
//	GAUNTLET-RESULT: {"test":"TestSteady","outcome":"pass",...}
//
// The rest of the line is one JSON [Result]. Reports find the line in
// `go test -v` output by this prefix; text before the prefix on the same
// line (indentation, t.Log's "file.go:12: ") is ignored, see
// [ParseResultLine]. No other output contains the prefix.
const ResultPrefix = "GAUNTLET-RESULT: "

// Result is the structured verdict of one test run inside the VM: what ran
// (topology, scheduler, accelerator), with which thresholds, the outcome,
// and per-cgroup statistics of every scenario the test executed. Reports
// turn it into JUnit properties (package report) and results JSON.
type Result struct {
	// Test is the test's name inside the guest (t.Name()).
	Test string `json:"test"`
	// Variant is the variant name, "TestX" or "TestX/PRESET/PROFILE".
	Variant string `json:"variant,omitempty"`
	// Outcome is [OutcomePass], [OutcomeFail] or [OutcomeSkip]: the
	// test's own verdict.
	Outcome Outcome `json:"outcome"`
	// Message is the failure text (first line: the first failed check) or
	// the skip reason; empty on pass.
	Message string `json:"message,omitempty"`
	// Failures lists every failed check, one line each.
	Failures []string `json:"failures,omitempty"`
	// Topology is the topology the guest observed, "1n2l4c2t" when it is
	// regular, else the layout on one line.
	Topology string `json:"topology"`
	// CPUs is the number of online CPUs; UsableCPUs the CPU list given to
	// workers (the last CPU is kept for the harness when there are more
	// than two).
	CPUs       int    `json:"cpus"`
	UsableCPUs string `json:"usable_cpus"`
	// Accel is the accelerator the guest believes it runs on: "kvm",
	// "tcg" or "" when unknown.
	Accel string `json:"accel,omitempty"`
	// Kernel is the running kernel release (uname -r).
	Kernel string `json:"kernel,omitempty"`
	// Scheduler is the sched_ext ops name, or "eevdf" for the kernel's own.
	Scheduler string `json:"scheduler"`
	// Flags are the scheduler flags on in this variant.
	Flags []string `json:"flags,omitempty"`
	// Thresholds are the effective check thresholds.
	Thresholds Thresholds `json:"thresholds"`
	// Scenarios holds one entry per ExecuteDefs / ExecuteSteps call.
	Scenarios []ScenarioStats `json:"scenarios,omitempty"`
	// SchedulerExit is set when the scheduler under test stopped before
	// the harness unloaded it, or never attached: kind, reason, message,
	// victim.
	SchedulerExit *SchedulerExit `json:"scheduler_exit,omitempty"`
	// SchedulerRestarts are the kernel's restart requests (kind
	// [ExitUnregisteredKernel], CPU hotplug) the scheduler recovered
	// from by attaching again; they are not failures.
	SchedulerRestarts []SchedulerExit `json:"scheduler_restarts,omitempty"`
	// BPFPrograms are the BPF programs of the scheduler under test, most
	// verified instructions first.
	BPFPrograms []BPFProgram `json:"bpf_programs,omitempty"`
	// Metrics are the payloads' metrics, in the order they were measured.
	Metrics []Metric `json:"metrics,omitempty"`
	// Inconclusive is set when the test passed but some check ran with
	// limits relaxed past their bounds: which checks, how far, and why
	// (the thresholds' basis). The host reports such a pass as
	// [OutcomeInconclusive].
	Inconclusive string `json:"inconclusive,omitempty"`
	// Elapsed is the time the test spent in the guest, scheduler start and
	// stop included.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Thresholds are the check limits a test ran with, after defaults and
// accelerator scaling.
type Thresholds struct {
	// MaxGap is the longest allowed gap between a worker's progress
	// checkpoints.
	MaxGap time.Duration `json:"max_gap_ns"`
	// MaxSpread is the largest allowed spread of off-CPU percentage across
	// one cgroup's workers, in percentage points.
	MaxSpread float64 `json:"max_spread_pct"`
	// MaxRunDelay is the longest allowed run-queue wait of a worker at a
	// stretch (see [Checks.MaxRunDelay]); zero when the guest's kernel has
	// no schedstat and the check cannot run.
	MaxRunDelay time.Duration `json:"max_run_delay_ns,omitempty"`
	// MinWorkUnits is the least work each worker must do.
	MinWorkUnits uint64 `json:"min_work_units"`
	// Isolation reports whether the cpuset isolation check is on.
	Isolation bool `json:"isolation"`
	// Scale is the factor the default time-based thresholds were
	// multiplied by (1 on KVM or bare metal).
	Scale float64 `json:"scale"`
	// Basis says how the thresholds were derived, e.g. "tcg, 4 vcpus,
	// jitter 3ms".
	Basis string `json:"basis,omitempty"`
	// GapSetByTest and SpreadSetByTest say the test chose MaxGap and
	// MaxSpread itself; such limits are the test's claim and never make a
	// result inconclusive (see [Thresholds.Relaxed]).
	GapSetByTest    bool `json:"gap_set_by_test,omitempty"`
	SpreadSetByTest bool `json:"spread_set_by_test,omitempty"`
	DelaySetByTest  bool `json:"delay_set_by_test,omitempty"`
}

// Bounds past which a default limit no longer tests anything useful: a
// stuck check that lets a worker wait longer than ConclusiveMaxGap, or a
// fairness check that accepts a spread above ConclusiveMaxSpread
// percentage points, passes schedulers with real stalls and real
// unfairness. They are ktstr's debug-build defaults (3 s, 35 %). A
// run-delay limit above ConclusiveMaxRunDelay (1.5x its 500 ms default,
// the headroom the gap's bound gives its 2 s default) would pass the
// 950 ms waits of a task starved beside a SCHED_FIFO hog.
const (
	ConclusiveMaxGap      = 3 * time.Second
	ConclusiveMaxSpread   = 35.0
	ConclusiveMaxRunDelay = 750 * time.Millisecond
)

// Relaxed returns one line per applied check whose default limit was
// scaled past its bound (see [ConclusiveMaxGap]): "max-gap 6000ms > 3000ms"
// and "max-run-delay 1500ms > 750ms" when gapChecked (some worker's gaps
// were checked), "max-spread 60.0% > 35.0%" when fairChecked (some
// cgroup's workers were compared). Limits the test set itself are its own
// claim and are not listed.
func (th Thresholds) Relaxed(gapChecked, fairChecked bool) []string {
	var out []string
	if gapChecked && !th.GapSetByTest && th.MaxGap > ConclusiveMaxGap {
		out = append(out, fmt.Sprintf("max-gap %dms > %dms", th.MaxGap.Milliseconds(), ConclusiveMaxGap.Milliseconds()))
	}
	if gapChecked && !th.DelaySetByTest && th.MaxRunDelay > ConclusiveMaxRunDelay {
		out = append(out, fmt.Sprintf("max-run-delay %dms > %dms", th.MaxRunDelay.Milliseconds(), ConclusiveMaxRunDelay.Milliseconds()))
	}
	if fairChecked && !th.SpreadSetByTest && th.MaxSpread > ConclusiveMaxSpread {
		out = append(out, fmt.Sprintf("max-spread %.1f%% > %.1f%%", th.MaxSpread, ConclusiveMaxSpread))
	}
	return out
}

// ScenarioStats are the measurements of one executed scenario.
type ScenarioStats struct {
	// Steps is the number of steps the scenario ran.
	Steps int `json:"steps"`
	// Duration is the scenario's wall time from the first worker start to
	// the last worker stop.
	Duration time.Duration `json:"duration_ns"`
	// Cgroups holds one entry per cgroup that had workers, in creation
	// order.
	Cgroups []CgroupStats `json:"cgroups"`
	// Failures are this scenario's failed checks.
	Failures []string `json:"failures,omitempty"`
	// Relaxed lists the checks this scenario applied with limits scaled
	// past their bounds ([Thresholds.Relaxed]); when the scenario passed,
	// its verdict is inconclusive.
	Relaxed []string `json:"relaxed,omitempty"`
}

// CgroupStats summarise the workers of one cgroup.
type CgroupStats struct {
	// Name is the cgroup's path below the scenario root, e.g. "cg_0" or
	// "outer/inner".
	Name string `json:"name"`
	// Work is the work type's name, e.g. "CpuSpin" or "Bursty(50ms,100ms)".
	Work string `json:"work"`
	// Workers is how many workers reported.
	Workers int `json:"workers"`
	// Cpuset is the cgroup's last effective cpuset (CPU list).
	Cpuset string `json:"cpuset"`
	// CPUsUsed is the union of CPUs its workers were seen on.
	CPUsUsed string `json:"cpus_used"`
	// WorkUnits is the total work done; MinWorkUnits the least any one
	// worker did.
	WorkUnits    uint64 `json:"work_units"`
	MinWorkUnits uint64 `json:"min_work_units"`
	// SpreadPct is max minus min off-CPU percentage over its workers.
	SpreadPct float64 `json:"spread_pct"`
	// OffCPUPct is the mean off-CPU percentage.
	OffCPUPct float64 `json:"off_cpu_pct"`
	// MaxGap is the longest progress gap of any worker, seen on GapCPU at
	// GapAt after that worker started.
	MaxGap time.Duration `json:"max_gap_ns"`
	GapCPU int           `json:"gap_cpu"`
	GapAt  time.Duration `json:"gap_at_ns"`
	// Migrations is the total number of CPU changes seen between
	// checkpoints.
	Migrations int `json:"migrations"`
	// RunDelay is the mean time a worker waited runnable on a run queue
	// (from /proc/<pid>/task/<tid>/schedstat).
	RunDelay time.Duration `json:"run_delay_ns"`
	// WakeSamples counts wake-latency samples; WakeP50, WakeP99 and
	// WakeMax summarise them (zero when the work type never blocks).
	WakeSamples int           `json:"wake_samples,omitempty"`
	WakeP50     time.Duration `json:"wake_p50_ns,omitempty"`
	WakeP99     time.Duration `json:"wake_p99_ns,omitempty"`
	WakeMax     time.Duration `json:"wake_max_ns,omitempty"`
	// PageFaults is the page faults its workers' threads took (minor and
	// major, from getrusage), summed.
	PageFaults uint64 `json:"page_faults,omitempty"`
	// MaxOffGap and MaxDelayGap are the longest scheduler gaps of any
	// worker (the guest's prototype beside MaxGap, see docs/power.md):
	// wall time less charged CPU time and excused time between two
	// schedstat samples, and the run delay accrued between two samples.
	// StatCostNS is the mean cost of one sample.
	MaxOffGap   time.Duration `json:"max_off_gap_ns,omitempty"`
	MaxDelayGap time.Duration `json:"max_delay_gap_ns,omitempty"`
	StatCost    time.Duration `json:"stat_cost_ns,omitempty"`
	// SpreadDelayPct is the spread of the fair workers' steady-state
	// run-delay percentages (run delay over wall time), SpreadUnitsPct
	// that of their work rates (100 x (max - min) / max of work units
	// per second), beside SpreadPct's off-CPU percentages.
	SpreadDelayPct float64 `json:"spread_delay_pct,omitempty"`
	SpreadUnitsPct float64 `json:"spread_units_pct,omitempty"`
	// Killed counts workers that died before they were stopped (killed by
	// the kernel or crashed); their reasons are in the failures.
	Killed int `json:"killed,omitempty"`
}

// Line encodes r as one result line: [ResultPrefix] followed by JSON, no
// trailing newline.
func (r Result) Line() (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("encode result: %w", err)
	}
	return ResultPrefix + string(b), nil
}

// ParseResultLine decodes the result on line. ok is false when line holds
// no [ResultPrefix]; err is non-nil when it does but the JSON after it does
// not decode.
func ParseResultLine(line string) (r Result, ok bool, err error) {
	i := strings.Index(line, ResultPrefix)
	if i < 0 {
		return Result{}, false, nil
	}
	payload := strings.TrimSpace(line[i+len(ResultPrefix):])
	if err := json.Unmarshal([]byte(payload), &r); err != nil {
		return Result{}, true, fmt.Errorf("decode result line: %w", err)
	}
	return r, true, nil
}

// PredictInconclusive is the planner's guess, before a variant runs,
// whether its default limits will be scaled past their bounds (see
// [Thresholds.Relaxed]; the guest, which measures the machine, decides).
// Under TCG a variant is conclusive only with at most one vCPU per host
// CPU, each on its own host thread (multi-threaded TCG, see
// [SingleThreadedTCG]); the guest then applies the bare-metal limits
// (measured in docs/power.md: with a host core per vCPU correct runs
// stayed far inside them and every planted failure was caught). Past
// that the guest scales the gap at least 3x and the spread to at least
// 60 %. Under KVM it is inconclusive when the variant's vCPUs outnumber
// the host's CPUs by more than half (the gap then scales past 3 s).
// Limits the test sets itself (c) are its own claim. It returns the
// reason, or "" when the variant should be conclusive.
func PredictInconclusive(accel Accel, vcpus, hostCPUs int, c Checks) string {
	if c.MaxGap != 0 && c.MaxSpread != 0 && c.MaxRunDelay != 0 {
		return ""
	}
	switch {
	case accel == AccelTCG && !TCGDedicated(vcpus, hostCPUs, SingleThreadedTCG(vcpus, hostCPUs)):
		return fmt.Sprintf("under TCG %d vCPUs on %d host CPUs: the default limits scale past 3s gap and 35%% spread; run with KVM, pick a topology of at most %d vCPUs, or set Checks.MaxGap, Checks.MaxSpread and Checks.MaxRunDelay in the Spec", vcpus, hostCPUs, hostCPUs)
	case accel != AccelTCG && hostCPUs > 0 && float64(vcpus) > 1.5*float64(hostCPUs):
		return fmt.Sprintf("%d vCPUs on %d host CPUs: the default gap limit scales past 3s; pick a smaller topology or a bigger host", vcpus, hostCPUs)
	}
	return ""
}

// TCGDedicated reports whether a TCG guest of vcpus vCPUs on hostCPUs host
// CPUs runs like a machine with a real CPU per vCPU: each vCPU on its own
// host thread (single false) and no more vCPUs than host CPUs. Other VMs
// beside it do not change the answer: measured on a 2-core host beside a
// second VM, a 2-vCPU guest's correct runs never waited longer than
// 99 ms (docs/power.md).
func TCGDedicated(vcpus, hostCPUs int, single bool) bool {
	return !single && hostCPUs > 0 && vcpus > 0 && vcpus <= hostCPUs
}
