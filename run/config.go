package run

import (
	"io"
	"time"

	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// PlanConfig is what a plan is made from: the package patterns and the
// planning settings. Zero fields are defaults, as each field says.
type PlanConfig struct {
	// Patterns are package patterns as `go test` takes them; none means
	// ".".
	Patterns []string
	// Budget is the wall-clock budget of the run; zero means none: every
	// variant that fits the host is selected.
	Budget time.Duration
	// Jobs is the most VMs at once; zero means one per host CPU.
	Jobs int
	// Presets are the topology presets tests expand to; nil means all of
	// them, unless Topologies are given.
	Presets []topo.Preset
	// Topologies are custom topologies to expand to, named by their
	// compact form, after Presets.
	Topologies []topo.Topology
	// Run and Skip filter tests and variants like go test -run and -skip;
	// empty keeps everything.
	Run, Skip string
	// ShardK and ShardN select shard K of N (1-based) of the selection;
	// ShardN zero means not sharded.
	ShardK, ShardN int
	// ShardFrom says where the shard came from (a CI system's variable),
	// for the plan's summary; empty when it was given.
	ShardFrom string
	// Oversubscribe is the most vCPUs per host CPU a VM may have; zero
	// means [topo.DefaultOversubscribe].
	Oversubscribe float64
	// Accel is the accelerator the estimates assume; empty or auto means
	// KVM when /dev/kvm is usable, else TCG.
	Accel spec.Accel
	// History is a directory of earlier runs whose */results.json replace
	// the cost model; empty means none.
	History string
	// Schedulers are scheduler binaries (--scheduler, with their
	// arguments) that the tests whose Spec declares no scheduler also run
	// under, each as a profile named by its base name
	// ([expand.Options.Schedulers]). A binary that cannot be used leaves
	// its variants out and is reported by [Plan.Report].
	Schedulers []spec.Scheduler
	// Retries is how many times a variant whose test failed is booted
	// again, each time in a fresh VM; zero means none. A variant that
	// then passes is flaky. The estimates do not book retries (a
	// failure is not foreseen); the plan's summary says what they may
	// cost.
	Retries int
	// FreshVM boots every variant in a VM of its own. Without it, a VM
	// whose test passed and whose guest reported itself clean runs the
	// next selected variant that boots the same VM (kernel, test binary,
	// files, topology, memory, accelerator) instead of powering off, and
	// the plan counts one boot for such variants run back to back. Any
	// failure, crash, timeout or dirty guest ends the VM; the next
	// variant boots its own. FreshVM is for bisecting a state leak
	// between tests, or for comparing against shared boots.
	FreshVM bool
	// Count runs each selected variant Count times, like go test -count;
	// zero or one means once. Repeat k (from 2) is its own variant,
	// named with a "#k" suffix (TestX/tiny-1llc/default#2), planned,
	// budgeted and sharded like any other.
	Count int
	// Tags are build tags for the test binaries, like go test -tags.
	Tags []string
	// Conclusive, when set, excludes the variants whose checks would run
	// with default limits relaxed past their bounds on this host (under
	// TCG, or with many more vCPUs than host CPUs; see
	// [spec.PredictInconclusive]), each with the reason, so the budget
	// buys only results that prove something.
	Conclusive bool
	// Kernels are the kernels the variants boot ([Runner.PlanKernels]
	// resolves them). With more than one, every variant is planned once
	// per kernel and its name ends in "/LABEL"; one kernel leaves names
	// alone; none means the kernel is not known. A variant with a
	// scheduler on a kernel without sched_ext is excluded with the
	// kernel's NoSchedExt reason.
	Kernels []PlanKernel
	// SchedExtKernel is the kernel variants with a scheduler boot instead
	// of the one kernel of Kernels (GAUNTLET_SCX_KERNEL, when no kernel
	// is given); nil means none. It is ignored with several Kernels.
	SchedExtKernel *PlanKernel
}

// Validate checks what flag parsing cannot: that the filters compile and
// that the presets and topologies do not name one topology twice. It
// returns a [*UsageError].
func (c PlanConfig) Validate() error {
	if _, err := c.matcher(); err != nil {
		return err
	}
	if c.Retries < 0 || c.Count < 0 {
		return usageErrorf("retries %d, count %d: want 0 or more", c.Retries, c.Count)
	}
	seen := map[string]bool{}
	for _, p := range c.presetList() {
		if seen[p.Name] {
			return usageErrorf("topology %s given twice", p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

// matcher compiles Run and Skip.
func (c PlanConfig) matcher() (*expand.Matcher, error) {
	m, err := expand.NewMatcher(c.Run, c.Skip)
	if err != nil {
		return nil, usageErrorf("%s (run 'gauntlet plan -h' for usage)", oneLine(err))
	}
	return m, nil
}

// kernelLabels are the labels of the kernel dimension: nil unless there
// are several kernels.
func (c PlanConfig) kernelLabels() []string {
	if len(c.Kernels) < 2 {
		return nil
	}
	labels := make([]string, len(c.Kernels))
	for i, k := range c.Kernels {
		labels[i] = k.Label
	}
	return labels
}

// kernelOf returns the kernel variant v boots; false when unknown.
func (c PlanConfig) kernelOf(v expand.Variant) (PlanKernel, bool) {
	switch {
	case len(c.Kernels) > 1:
		for _, k := range c.Kernels {
			if k.Label == v.Kernel {
				return k, true
			}
		}
		return PlanKernel{}, false
	case v.Scheduler != "" && c.SchedExtKernel != nil:
		return *c.SchedExtKernel, true
	case len(c.Kernels) == 1:
		return c.Kernels[0], true
	}
	return PlanKernel{}, false
}

// presetList returns the topologies to expand to: the chosen presets (all
// when neither presets nor topologies are given) then the custom ones.
func (c PlanConfig) presetList() []topo.Preset {
	ps := c.Presets
	if ps == nil && len(c.Topologies) == 0 {
		ps = topo.Presets()
	}
	ps = append([]topo.Preset(nil), ps...)
	for _, t := range c.Topologies {
		ps = append(ps, topo.Preset{Name: t.String(), Topology: t})
	}
	return ps
}

// Config is one run: the plan, where the kernel comes from and where the
// results go.
type Config struct {
	// Plan is what to plan; its Accel also selects the VMs' accelerator.
	Plan PlanConfig
	// Kernels are the kernels to boot, each a boot image or kernel tree
	// path, a version or a cache key ([kernel.Resolve]), optionally
	// labelled as LABEL=KERNEL. None means the discovered kernel, and
	// GAUNTLET_SCX_KERNEL (when set) for variants with a scheduler; one
	// means every variant boots it; several make the kernel a dimension
	// of the matrix: every variant runs on each kernel and boots it. The
	// run fills in Plan.Kernels and Plan.SchedExtKernel.
	Kernels []string
	// Out is the directory under which the run creates its own
	// directory. It must not be empty.
	Out string
	// JUnit, when set, is a file that also receives the JUnit XML.
	JUnit string
	// FailFast stops launching variants after the first one that failed
	// (after its retries), like go test -failfast: the VMs already
	// running finish, and the variants not started are reported not run.
	FailFast bool
	// Timeout bounds the whole run, planning included, like go test
	// -timeout; zero means none. When it passes, the running VMs are
	// killed and recorded as not run ("interrupted while it ran"), the
	// variants not started as not run, the partial results are written
	// and Run returns an error wrapping [ErrTimeout].
	Timeout time.Duration
	// Verbose streams every variant's test output to Stdout as it runs,
	// each line prefixed with the variant's name.
	Verbose bool
	// Display says how progress shows on Stdout; the zero value prints
	// plain lines without colour.
	Display Display
	// Stdout receives the progress lines, the tables and the summary;
	// Stderr the warnings and package failures. Nil discards.
	Stdout, Stderr io.Writer
	// JSON, when set, receives the run as the test2json events `go test
	// -json` writes: one test per variant named as in JUnit, with the
	// guest's output as its output events (see `gauntlet run -h`).
	JSON io.Writer
}

// Validate checks c, returning a [*UsageError].
func (c Config) Validate() error {
	if c.Out == "" {
		return usageErrorf("--out is empty; give the directory runs are written under, e.g. gauntlet-runs")
	}
	return c.Plan.Validate()
}
