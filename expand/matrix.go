package expand

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// ExclusionKind says why a variant does not run; empty means it may.
type ExclusionKind string

// Exclusion kinds.
const (
	// ByConstraint: the topology breaks the test's constraints.
	ByConstraint ExclusionKind = "constraint"
	// ByCapacity: the VM is too big for the host.
	ByCapacity ExclusionKind = "capacity"
	// ByKernel: the kernel lacks what the test needs (sched_ext).
	ByKernel ExclusionKind = "kernel"
	// ByInconclusive: the variant's checks would run with limits relaxed
	// past their bounds on this host, and the plan asked for conclusive
	// variants only.
	ByInconclusive ExclusionKind = "inconclusive"
)

// Variant is one concrete run of a test: a topology, a flag profile and
// possibly a kernel.
type Variant struct {
	// Package is the test's import path.
	Package string
	// Test is the test's name as it called gauntlet.Run ("TestX", or
	// "TestX/sub" for a subtest).
	Test string
	// Name is Test for the base variant and Test/PRESET/PROFILE for the
	// others, with "/KERNEL" (the kernel's label) appended when several
	// kernels are planned: Test/KERNEL, Test/PRESET/PROFILE/KERNEL.
	Name string
	// Preset names the preset; empty for the base variant.
	Preset string
	// Topology is the topology the VM boots with.
	Topology topo.Topology
	// Profile is the scheduler flag profile.
	Profile Profile
	// Base marks the variant at the test's own topology.
	Base bool
	// Kernel is the kernel label; empty unless [Options.Kernels] is set.
	Kernel string
	// MemoryMiB is the guest memory ([topo.GuestMemoryMiB]).
	MemoryMiB int
	// Duration is the scenario's duration (the Spec's, or the default).
	Duration time.Duration
	// Scheduler names the scheduler; empty for the kernel's own.
	Scheduler string
	// Override is the scheduler of [Options.Schedulers] this variant of
	// a test without one of its own runs under; nil otherwise.
	Override *spec.Scheduler
	// Excluded is why the variant does not run; empty when it may.
	Excluded ExclusionKind
	// Reason explains Excluded, e.g. "2 NUMA nodes > max_numa 1".
	Reason string
}

// Options configure [Expand].
type Options struct {
	// Presets are the topologies tests expand to; nil means
	// [topo.Presets]. A custom topology is a Preset named by its compact
	// form.
	Presets []topo.Preset
	// Capacity is the host; variants that do not fit are excluded with
	// [ByCapacity]. It must be valid.
	Capacity topo.Capacity
	// Kernels are kernel labels; with more than one, every variant is
	// planned once per kernel and its name ends in "/LABEL". Nil or one
	// label leaves names alone.
	Kernels []string
	// Match filters variants by name (-run/-skip); nil keeps all.
	Match *Matcher
	// Schedulers are scheduler binaries (`gauntlet run --scheduler`)
	// that the tests whose Spec has no scheduler also run under: each
	// adds one profile per preset to such a test, named by
	// [OverrideProfile], after the test's own. Tests with a scheduler of
	// their own are not affected.
	Schedulers []spec.Scheduler
}

// OverrideProfile names the profile of scheduler s of
// [Options.Schedulers]: its binary's base name, e.g. "scx_simple".
func OverrideProfile(s spec.Scheduler) string {
	return path.Base(s.Binary)
}

// Validate checks the options: a valid host capacity and kernel labels
// that fit into variant names.
func (o Options) Validate() error {
	if err := o.Capacity.Validate(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, k := range o.Kernels {
		if k == "" || strings.ContainsAny(k, "/@+= \t\n") {
			return fmt.Errorf("kernel label %q: want a short name without / @ + = or spaces, e.g. 6.12-scx", k)
		}
		if seen[k] {
			return fmt.Errorf("kernel label %q given twice", k)
		}
		seen[k] = true
	}
	return checkOverrides(o.Schedulers)
}

// checkOverrides checks that the profile names of the schedulers fit
// into variant names and do not collide.
func checkOverrides(ss []spec.Scheduler) error {
	seen := map[string]bool{}
	for _, s := range ss {
		name := OverrideProfile(s)
		switch {
		case s.Binary == "":
			return fmt.Errorf("scheduler with no binary: give the path of a sched_ext scheduler binary, e.g. ./scx_simple")
		case name == DefaultProfile || strings.ContainsAny(name, "/@+ \t\n"):
			return fmt.Errorf("scheduler %s: its profile would be named %q; rename the binary (a symbolic link will do) to a name without + @ or spaces, other than %q", s.Binary, name, DefaultProfile)
		case seen[name]:
			return fmt.Errorf("scheduler %s: a scheduler named %s is given twice; to compare two builds or argument sets, give them different names (symbolic links will do)", s.Binary, name)
		}
		seen[name] = true
	}
	return nil
}

// CheckSpec reports what is wrong with a Spec, if anything: a base
// topology that does not parse, constraints that contradict themselves,
// negative durations or memory, flags that do not add up (see [Profiles]).
func CheckSpec(s spec.Spec) error {
	if _, err := baseTopology(s); err != nil {
		return err
	}
	if err := s.Constraints.Validate(); err != nil {
		return err
	}
	switch {
	case s.Duration < 0:
		return fmt.Errorf("duration %v is negative", s.Duration)
	case s.Timeout < 0:
		return fmt.Errorf("timeout %v is negative", s.Timeout)
	case s.MemoryMiB < 0:
		return fmt.Errorf("memory_mib %d is negative", s.MemoryMiB)
	case s.Scheduler != nil && s.Scheduler.Name == "":
		return fmt.Errorf("scheduler has no name; set Scheduler.Name to what /sys/kernel/sched_ext/root/ops shows")
	}
	_, err := Profiles(s)
	return err
}

func baseTopology(s spec.Spec) (topo.Topology, error) {
	return topo.Parse(s.WithDefaults().Topology)
}

// ExpandSpec returns the variants of one described test of package pkg:
// the base variant first, then presets (in order) x profiles (in order,
// then one per [Options.Schedulers] for a test without a scheduler) x
// kernels. Variants the constraints or the host rule out are returned
// with Excluded and Reason set; variants Match filters out are not
// returned at all. The error says what is wrong with the Spec.
func ExpandSpec(pkg string, d spec.Description, o Options) ([]Variant, error) {
	if err := CheckSpec(d.Spec); err != nil {
		return nil, err
	}
	base, _ := baseTopology(d.Spec)
	profiles, _ := Profiles(d.Spec)
	presets := o.Presets
	if presets == nil {
		presets = topo.Presets()
	}
	proto := Variant{Package: pkg, Test: d.Test, Duration: d.Spec.WithDefaults().Duration, Scheduler: schedulerName(d.Spec)}
	out := make([]Variant, 0, (1+len(presets)*len(profiles))*len(kernels(o.Kernels)))
	add := func(v Variant) {
		for _, k := range kernels(o.Kernels) {
			v := v
			v.Kernel = k
			if len(o.Kernels) > 1 {
				v.Name += "/" + k
			}
			if o.Match.Variant(v.Name) {
				out = append(out, v)
			}
		}
	}
	b := proto
	b.Name, b.Topology, b.Profile, b.Base = d.Test, base, profiles[0], true
	add(o.place(b, d.Spec, nil))
	for _, p := range presets {
		cerr := d.Spec.Constraints.Check(p.Topology)
		for _, prof := range profiles {
			v := proto
			v.Name, v.Preset, v.Topology, v.Profile = d.Test+"/"+p.Name+"/"+prof.Name, p.Name, p.Topology, prof
			add(o.place(v, d.Spec, cerr))
		}
		if d.Spec.Scheduler == nil {
			for i := range o.Schedulers {
				add(o.place(overrideVariant(proto, p, &o.Schedulers[i]), d.Spec, cerr))
			}
		}
	}
	return out, nil
}

// overrideVariant is proto on preset p under scheduler sc of
// [Options.Schedulers].
func overrideVariant(proto Variant, p topo.Preset, sc *spec.Scheduler) Variant {
	v := proto
	name := OverrideProfile(*sc)
	v.Name, v.Preset, v.Topology, v.Profile = proto.Test+"/"+p.Name+"/"+name, p.Name, p.Topology, Profile{Name: name}
	v.Scheduler, v.Override = name, sc
	return v
}

// place sizes v's memory and marks it excluded by constraint (cerr) or by
// the host's capacity.
func (o Options) place(v Variant, s spec.Spec, cerr error) Variant {
	v.MemoryMiB = topo.GuestMemoryMiB(v.Topology, s.MemoryMiB)
	if cerr != nil {
		v.Excluded, v.Reason = ByConstraint, cerr.Error()
	} else if err := o.Capacity.Check(v.Topology, v.MemoryMiB); err != nil {
		v.Excluded, v.Reason = ByCapacity, err.Error()
	}
	return v
}

func kernels(labels []string) []string {
	if len(labels) == 0 {
		return []string{""}
	}
	return labels
}

func schedulerName(s spec.Spec) string {
	if s.Scheduler == nil {
		return ""
	}
	return s.Scheduler.Name
}

// Expand returns the variants of every described test of pkgs, in package
// order, then description order (see [ExpandSpec]). A Spec that cannot be
// expanded sets its package's Err (wrapping [ErrSpec]) and drops the
// package's variants; packages that already have an Err are skipped.
func Expand(pkgs []*Package, o Options) []Variant {
	var out []Variant
	for _, p := range pkgs {
		if p.Err != nil {
			continue
		}
		vs, err := expandPackage(p, o)
		if err != nil {
			p.Err = &PackageError{ImportPath: p.ImportPath, Err: err}
			continue
		}
		out = append(out, vs...)
	}
	return out
}

func expandPackage(p *Package, o Options) ([]Variant, error) {
	var out []Variant
	for _, d := range p.Descriptions {
		vs, err := ExpandSpec(p.ImportPath, d, o)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrSpec, d.Test, err)
		}
		out = append(out, vs...)
	}
	return out, nil
}

// Wire returns the variant as the test binary receives it in the guest
// (GAUNTLET_VARIANT); the runner fills in Accel.
func (v Variant) Wire() spec.Variant {
	return spec.Variant{Name: v.Name, Preset: v.Preset, Topology: v.Topology, Flags: v.Profile.Flags, Kernel: v.Kernel, Scheduler: v.Override}
}
