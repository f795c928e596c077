package guest

import (
	"fmt"
	"regexp"
)

// MaxWorkers bounds one cgroup's worker count.
const MaxWorkers = 256

// CgroupSpec is the wire form of a cgroup and its workers. Zero fields
// mean: the Spec's worker count, CpuSpin work, the parent's CPUs, no
// affinity of its own, SCHED_NORMAL, nice 0. A cgroup with Children runs
// no workers of its own; their cpusets resolve within its CPUs.
type CgroupSpec struct {
	Name     string
	Workers  int
	Work     WorkSpec
	Cpuset   CpusetSpec
	Affinity AffinitySpec
	Policy   PolicySpec
	Nice     int
	Children []CgroupSpec
}

// workerCount returns the workers to start, def being the Spec's default.
func (d CgroupSpec) workerCount(def int) int {
	switch {
	case len(d.Children) > 0:
		return 0
	case d.Workers > 0:
		return d.Workers
	}
	return def
}

var cgroupName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// validate checks d and its children; def is the default worker count.
func (d CgroupSpec) validate(def int) error {
	if !cgroupName.MatchString(d.Name) || len(d.Name) > 64 {
		return fmt.Errorf("cgroup name %q: use 1-64 letters, digits, '_', '-' or '.', not starting with '.' or '-'", d.Name)
	}
	if err := d.validateSelf(def); err != nil {
		return fmt.Errorf("cgroup %s: %w", d.Name, err)
	}
	seen := map[string]bool{}
	for _, c := range d.Children {
		if seen[c.Name] {
			return fmt.Errorf("cgroup %s: two children named %q", d.Name, c.Name)
		}
		seen[c.Name] = true
		if err := c.validate(def); err != nil {
			return fmt.Errorf("in %s: %w", d.Name, err)
		}
	}
	return nil
}

func (d CgroupSpec) validateSelf(def int) error {
	n := d.workerCount(def)
	if d.Workers < 0 || n > MaxWorkers {
		return fmt.Errorf("%d workers: want 0 to %d", d.Workers, MaxWorkers)
	}
	w := d.Work.orDefault()
	if err := w.validate(); err != nil {
		return err
	}
	if err := w.checkCount(n); err != nil {
		return err
	}
	if d.Nice < -20 || d.Nice > 19 {
		return fmt.Errorf("nice %d: want -20 to 19", d.Nice)
	}
	return d.Policy.validate()
}
