package spec

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// Environment variables that select a test binary's role or carry data to
// it. Names that the seed (ktstr) defines keep their KTSTR_ spelling.
const (
	// EnvDescribe names a file; in a describe pass every gauntlet.Run
	// appends its [Description] as one JSON line there, then skips.
	EnvDescribe = "GAUNTLET_DESCRIBE"
	// EnvGuest is set (to "1") for the test process the guest init starts
	// inside the VM.
	EnvGuest = "GAUNTLET_GUEST"
	// EnvVariant carries the JSON [Variant] the test runs as.
	EnvVariant = "GAUNTLET_VARIANT"
	// EnvWorker carries a worker's JSON configuration; a test binary
	// started with it runs as a scenario worker and exits.
	EnvWorker = "GAUNTLET_WORKER"
	// EnvRequireVM, when set to 1, turns every skip for a missing VM
	// prerequisite (QEMU, kernel, KVM, sched_ext kernel, root) into a
	// failure. CI sets it so VM tests really run.
	EnvRequireVM = "GAUNTLET_REQUIRE_VM"
	// EnvRequireSchedExt, when set to 1, turns the skip of a test that
	// needs sched_ext on a kernel without it into a failure. CI sets it
	// when it provides a sched_ext kernel (EnvSchedExtKernel).
	EnvRequireSchedExt = "GAUNTLET_REQUIRE_SCX"
	// EnvTestKernel is a kernel image path, first in the discovery chain.
	EnvTestKernel = "KTSTR_TEST_KERNEL"
	// EnvKernel is a kernel path, version or cache key.
	EnvKernel = "KTSTR_KERNEL"
	// EnvCacheDir overrides the kernel cache root.
	EnvCacheDir = "KTSTR_CACHE_DIR"
	// EnvSchedExtKernel names a kernel image built with sched_ext, used by
	// tests that need one.
	EnvSchedExtKernel = "GAUNTLET_SCX_KERNEL"
	// EnvSchedExtKernelConfig names the .config of the EnvSchedExtKernel
	// image, for tests that compare what the image embeds or reports
	// with it.
	EnvSchedExtKernelConfig = "GAUNTLET_SCX_KERNEL_CONFIG"
	// EnvSchedulers names a directory of sched_ext scheduler binaries
	// (scx_simple, scx_qmap, ...) that tests of real schedulers use.
	EnvSchedulers = "GAUNTLET_SCHEDULERS"
	// EnvSchedulerLibPath is set in the guest, by the VM runner, to the
	// directories of a dynamically linked scheduler binary's libraries
	// (the guest has no ld.so.cache); the guest starts the scheduler
	// with it as LD_LIBRARY_PATH.
	EnvSchedulerLibPath = "GAUNTLET_SCHED_LIBPATH"
)

// Defaults for zero Spec fields; [Spec.WithDefaults] applies them.
const (
	DefaultTopology = "1n1l2c1t"
	DefaultDuration = 2 * time.Second
	DefaultWorkers  = 2
	// DefaultAttachTimeout bounds the wait for a scheduler to attach:
	// loading and verifying a BPF scheduler takes seconds under TCG.
	DefaultAttachTimeout = 20 * time.Second
)

// Spec is what a test declares about itself. Zero fields take defaults,
// applied in one place, [Spec.WithDefaults]: Topology [DefaultTopology],
// Duration [DefaultDuration], Workers [DefaultWorkers], Constraints
// [topo.DefaultConstraints], no scheduler (the kernel's own EEVDF), memory
// and timeout derived by the VM runner.
type Spec struct {
	// Topology is the base topology, in any form [topo.Parse] accepts.
	Topology string `json:"topology,omitempty"`
	// Constraints limit the presets the test expands to.
	Constraints topo.Constraints `json:"constraints"`
	// Scheduler is the sched_ext scheduler under test; nil means EEVDF.
	Scheduler *Scheduler `json:"scheduler,omitempty"`
	// RequiredFlags are scheduler flags on in every profile.
	RequiredFlags []string `json:"required_flags,omitempty"`
	// ExcludedFlags are scheduler flags never turned on.
	ExcludedFlags []string `json:"excluded_flags,omitempty"`
	// Duration is how long the scenario holds its load.
	Duration time.Duration `json:"duration_ns,omitempty"`
	// Workers is the default worker count per cgroup.
	Workers int `json:"workers,omitempty"`
	// MemoryMiB is the guest memory the test needs at least.
	MemoryMiB int `json:"memory_mib,omitempty"`
	// Timeout bounds one VM run; zero derives it from Duration and the
	// boot estimate.
	Timeout time.Duration `json:"timeout_ns,omitempty"`
	// Checks overrides check thresholds.
	Checks Checks `json:"checks,omitempty"`
	// Payloads are the programs the test's payload ops run; their
	// binaries are packed into the guest.
	Payloads []Payload `json:"payloads,omitempty"`
	// MetricBounds limit the test's metrics.
	MetricBounds []MetricBound `json:"metric_bounds,omitempty"`
}

// WithDefaults returns s with its zero fields replaced by their defaults:
//   - Topology "" becomes [DefaultTopology];
//   - Duration 0 becomes [DefaultDuration];
//   - Workers 0 becomes [DefaultWorkers];
//   - each zero Constraints field takes its [topo.DefaultConstraints] value
//     ([topo.Constraints.WithDefaults]);
//   - a Scheduler's AttachTimeout 0 becomes [DefaultAttachTimeout] (in a
//     copy: the Scheduler s points to is not changed).
//
// The other zero fields mean "derive it" and stay zero: Scheduler nil is
// the kernel's own EEVDF, MemoryMiB 0 is sized per topology
// ([topo.GuestMemoryMiB]), Timeout 0 is derived by the VM runner from
// Duration and the boot estimate, zero Checks are package guest's
// defaults scaled by the accelerator. Negative values are kept, for
// validation to report. s is not modified (its slices are shared).
func (s Spec) WithDefaults() Spec {
	if s.Topology == "" {
		s.Topology = DefaultTopology
	}
	if s.Duration == 0 {
		s.Duration = DefaultDuration
	}
	if s.Workers == 0 {
		s.Workers = DefaultWorkers
	}
	s.Constraints = s.Constraints.WithDefaults()
	if s.Scheduler != nil && s.Scheduler.AttachTimeout == 0 {
		sc := *s.Scheduler
		sc.AttachTimeout = DefaultAttachTimeout
		s.Scheduler = &sc
	}
	return s
}

// Scheduler describes a scheduler under test.
type Scheduler struct {
	// Name is what /sys/kernel/sched_ext/root/ops shows once it is loaded.
	Name string `json:"name"`
	// Binary is a host path to the scheduler executable copied into the
	// guest; empty means the built-in minimal sched_ext scheduler loaded
	// from Go (no binary needed).
	Binary string `json:"binary,omitempty"`
	// Args are passed to Binary in every profile.
	Args []string `json:"args,omitempty"`
	// Flags are the optional features profiles are built from, in
	// declaration order.
	Flags []Flag `json:"flags,omitempty"`
	// AttachTimeout bounds the wait from starting the scheduler to the
	// kernel naming it in root/ops; zero means [DefaultAttachTimeout].
	AttachTimeout time.Duration `json:"attach_timeout_ns,omitempty"`
}

// Flag is one optional scheduler feature.
type Flag struct {
	Name string `json:"name"`
	// Args are added to the scheduler's command line when the flag is on.
	Args []string `json:"args,omitempty"`
	// Requires names flags that must also be on.
	Requires []string `json:"requires,omitempty"`
}

// Checks holds check thresholds; zero fields mean the defaults of package
// guest (which scales time-based ones by the accelerator).
type Checks struct {
	// MaxGap is the longest allowed time between a worker's progress
	// checkpoints (stuck check).
	MaxGap time.Duration `json:"max_gap_ns,omitempty"`
	// MaxSpread is the largest allowed spread, in percentage points, of
	// off-CPU time across the workers of one cgroup (fairness check).
	MaxSpread float64 `json:"max_spread_pct,omitempty"`
	// MaxRunDelay is the longest a worker may wait runnable on a run
	// queue at a stretch: the run delay its schedstat accrued between two
	// of its samples (stuck check; a task starved beside a SCHED_FIFO
	// hog waits about 950 ms at a time).
	MaxRunDelay time.Duration `json:"max_run_delay_ns,omitempty"`
	// MinWorkUnits is the least work a worker must do (starvation check).
	MinWorkUnits uint64 `json:"min_work_units,omitempty"`
	// DisableIsolation turns the cpuset isolation check off.
	DisableIsolation bool `json:"disable_isolation,omitempty"`
}

// Description is one line of describe-pass output: a test and its Spec.
type Description struct {
	Test string `json:"test"`
	Spec Spec   `json:"spec"`
}

// Variant is one concrete run of a test, passed to the test in the guest
// as JSON in [EnvVariant].
type Variant struct {
	// Name is "TestX" for the base variant, else "TestX/PRESET/PROFILE";
	// with several kernels "/LABEL" ends it.
	Name string `json:"name"`
	// Preset is the preset name, empty for the base variant.
	Preset string `json:"preset,omitempty"`
	// Topology is the requested topology.
	Topology topo.Topology `json:"topology"`
	// Flags are the scheduler flags on in this variant's profile.
	Flags []string `json:"flags,omitempty"`
	// Accel is the accelerator the VM runs on: "kvm" or "tcg".
	Accel string `json:"accel,omitempty"`
	// HostCPUs is how many host CPUs the VM runner shares among its VMs,
	// and TCGSingle is set when TCG runs every vCPU on one host thread:
	// the guest weighs its vCPUs against them to decide whether its
	// default limits can be the bare-metal ones (see docs/power.md).
	// Zero and false when unknown (a VM not started by gauntlet).
	HostCPUs  int  `json:"host_cpus,omitempty"`
	TCGSingle bool `json:"tcg_single,omitempty"`
	// Kernel names the kernel the VM booted: its label in a gauntlet run,
	// else its path.
	Kernel string `json:"kernel,omitempty"`
	// Scheduler is the scheduler `gauntlet run --scheduler` runs this
	// variant of a test under when its Spec has none; nil means none.
	// The guest loads it as if the Spec had declared it (its Name empty:
	// any ops name is accepted), and the VM runner packs its binary. A
	// Spec's own scheduler is never overridden.
	Scheduler *Scheduler `json:"scheduler,omitempty"`
}

// SchedulerOf returns the scheduler a test with Spec s runs under as
// variant v: the Spec's own, else v's [Variant.Scheduler] (nil: EEVDF).
func SchedulerOf(s Spec, v Variant) *Scheduler {
	if s.Scheduler != nil {
		return s.Scheduler
	}
	return v.Scheduler
}
