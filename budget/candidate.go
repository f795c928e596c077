package budget

import (
	"cmp"
	"fmt"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Candidate is one variant the planner could run: a test at one topology
// with one scheduler flag profile (and kernel, when several are given).
// Candidates are identified by Package, Variant and Kernel; two candidates
// with the same three are an error.
type Candidate struct {
	// Package is the test's import path.
	Package string
	// Test is the top-level test name, "TestX".
	Test string
	// Variant is "TestX" for the base variant, else "TestX/PRESET/PROFILE";
	// "/KERNEL" ends it when several kernels are planned.
	Variant string
	// Preset is the preset name; empty for the base variant.
	Preset string
	// Profile is "default" or the profile's flags joined by "+".
	Profile string
	// Flags are the scheduler flags on in this profile.
	Flags []string
	// Topology is the topology the VM boots with.
	Topology topo.Topology
	// Base marks the test's base variant.
	Base bool
	// Duration is the Spec's test duration; zero means the Spec default
	// ([spec.DefaultDuration], see [spec.Spec.WithDefaults]).
	Duration time.Duration
	// MemoryMiB is the memory the test asks for (Spec.MemoryMiB) or the
	// guest memory already sized by topo.GuestMemoryMiB; either way the
	// guest gets topo.GuestMemoryMiB(Topology, MemoryMiB), which is the
	// same for both. Zero means no request.
	MemoryMiB int
	// Scheduler is the sched_ext scheduler's name; empty means EEVDF.
	Scheduler string
	// Kernel is the label of the kernel the variant boots; empty when
	// unknown. History is looked up per kernel, and when candidates name
	// more than one kernel, kernels are features (see the package doc).
	Kernel string
	// BootKey is equal for candidates that boot the same VM (kernel,
	// test binary, topology, memory) but for the files packed for them,
	// so that with [Options.ShareBoots] one may run in the VM booted for
	// another whose BootFiles include all of its own; empty means it never
	// shares.
	BootKey string
	// BootFiles names the files the candidate's VM is packed with beside
	// its test binary (scheduler and payload binaries), in any order.
	BootFiles []string
}

// vcpus returns the VM's vCPU count.
func (c *Candidate) vcpus() int { return c.Topology.CPUs() }

// guestMemoryMiB returns the memory the VM gets.
func (c *Candidate) guestMemoryMiB() int { return topo.GuestMemoryMiB(c.Topology, c.MemoryMiB) }

// duration returns the test duration with the Spec's default applied.
func (c *Candidate) duration() time.Duration {
	return spec.Spec{Duration: c.Duration}.WithDefaults().Duration
}

// id names the candidate in errors and reasons.
func (c *Candidate) id() string {
	s := c.Package + " " + c.Variant
	if c.Kernel != "" {
		s += " (kernel " + c.Kernel + ")"
	}
	return s
}

// compareCandidates orders candidates by Package, Variant, Kernel: the
// order every tie is broken in.
func compareCandidates(a, b *Candidate) int {
	if r := cmp.Compare(a.Package, b.Package); r != 0 {
		return r
	}
	if r := cmp.Compare(a.Variant, b.Variant); r != 0 {
		return r
	}
	return cmp.Compare(a.Kernel, b.Kernel)
}

// validate checks one candidate's fields.
func (c *Candidate) validate() error {
	switch {
	case c.Test == "":
		return fmt.Errorf("candidate %s: empty test name", c.id())
	case c.Variant == "":
		return fmt.Errorf("candidate %s %s: empty variant name; want %q or %q/PRESET/PROFILE", c.Package, c.Test, c.Test, c.Test)
	case c.Duration < 0:
		return fmt.Errorf("candidate %s: negative duration %s", c.id(), c.Duration)
	case c.MemoryMiB < 0:
		return fmt.Errorf("candidate %s: negative memory %d MiB", c.id(), c.MemoryMiB)
	}
	if err := c.Topology.Validate(); err != nil {
		return fmt.Errorf("candidate %s: %w", c.id(), err)
	}
	return nil
}

// Host is what the host offers, gathered by the caller and passed in as
// data. It is also recorded in results.json.
type Host struct {
	// CPUs is the number of host CPUs usable for VMs; at least 1.
	CPUs int `json:"cpus"`
	// MemoryMiB is the host's memory; zero means no memory limit.
	MemoryMiB int `json:"memory_mib"`
	// Accel is the accelerator VMs run on, [spec.AccelKVM] or
	// [spec.AccelTCG]; empty means TCG (the slower estimate).
	Accel spec.Accel `json:"accel"`
}

// accel returns the accelerator with the default applied.
func (h Host) accel() spec.Accel {
	if h.Accel == "" {
		return spec.AccelTCG
	}
	return h.Accel
}

// validate checks h.
func (h Host) validate() error {
	switch {
	case h.CPUs < 1:
		return fmt.Errorf("host: %d CPUs; want at least 1", h.CPUs)
	case h.MemoryMiB < 0:
		return fmt.Errorf("host: negative memory %d MiB; want 0 (no limit) or more", h.MemoryMiB)
	}
	return validAccel("host accel", h.Accel, true)
}

// validAccel checks an accelerator a VM ran or runs on (auto is a choice,
// not one of them); empty is allowed when allowEmpty.
func validAccel(what string, a spec.Accel, allowEmpty bool) error {
	if a == spec.AccelKVM || a == spec.AccelTCG || (a == "" && allowEmpty) {
		return nil
	}
	return fmt.Errorf("%s %q; want %q or %q", what, a, spec.AccelKVM, spec.AccelTCG)
}

// Options tune [Select]. The zero value is not usable: Host.CPUs must be
// set.
type Options struct {
	// Budget is the wall-clock budget for the whole run; zero means no
	// budget: every candidate is selected.
	Budget time.Duration
	// Jobs caps how many VMs run at once; zero means one per host CPU.
	Jobs int
	// Host is what the VMs share.
	Host Host
	// History holds measured durations of earlier runs; nil means the
	// cost model only.
	History *History
	// ShareBoots counts that the runner runs candidates with the same
	// BootKey one after another in one VM, paying one boot (see
	// [Select]).
	ShareBoots bool

	// costModel replaces [EstimateCost] when set; tests use it to compare
	// selectors under one cost model.
	costModel func(c *Candidate) Cost
}

// validate checks o.
func (o Options) validate() error {
	if o.Budget < 0 {
		return fmt.Errorf("budget %s is negative; want a duration like 20m, or 0 for no budget", o.Budget)
	}
	if o.Jobs < 0 {
		return fmt.Errorf("jobs %d is negative; want at least 1, or 0 for one per host CPU", o.Jobs)
	}
	return o.Host.validate()
}

// validateCandidates checks every candidate and that no two share a
// Package, Variant and Kernel. sorted must be in [compareCandidates] order.
func validateCandidates(sorted []Candidate) error {
	for i := range sorted {
		if err := sorted[i].validate(); err != nil {
			return err
		}
		if i > 0 && compareCandidates(&sorted[i-1], &sorted[i]) == 0 {
			return fmt.Errorf("candidate %s given twice; variants must be unique per package and kernel", sorted[i].id())
		}
	}
	return nil
}
