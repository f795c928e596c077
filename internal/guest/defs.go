package guest

import (
	"fmt"
	"regexp"
)

// maxWorkersPerCgroup bounds one cgroup's worker count.
const maxWorkersPerCgroup = 256

// CgroupDef declares a cgroup and its workers. Build one with [Cgroup] and
// the chained setters, each of which returns a modified copy:
//
//	Cgroup("cg_1").Workers(2).WorkType(Bursty(50*time.Millisecond, 100*time.Millisecond))
//
// Zero settings mean: the Spec's worker count (default 2), CpuSpin work,
// the parent's CPUs, no affinity of its own, SCHED_NORMAL, nice 0.
type CgroupDef struct {
	name     string
	workers  int
	work     WorkType
	cpuset   CpusetSpec
	affinity AffinitySpec
	policy   Policy
	nice     int
	children []CgroupDef
}

// Cgroup starts the definition of a cgroup called name (letters, digits,
// '_', '-' and '.').
func Cgroup(name string) CgroupDef { return CgroupDef{name: name} }

// Workers sets how many worker processes the cgroup runs.
func (d CgroupDef) Workers(n int) CgroupDef { d.workers = n; return d }

// WorkType sets what each worker does.
func (d CgroupDef) WorkType(w WorkType) CgroupDef { d.work = w; return d }

// Cpuset sets the cgroup's cpuset.
func (d CgroupDef) Cpuset(c CpusetSpec) CgroupDef { d.cpuset = c; return d }

// Affinity sets each worker's CPU affinity inside the cpuset.
func (d CgroupDef) Affinity(a AffinitySpec) CgroupDef { d.affinity = a; return d }

// Policy sets the workers' scheduling policy.
func (d CgroupDef) Policy(p Policy) CgroupDef { d.policy = p; return d }

// Nice sets the workers' nice value (-20 to 19).
func (d CgroupDef) Nice(n int) CgroupDef { d.nice = n; return d }

// Nested adds child cgroups below this one. A cgroup with children runs no
// workers of its own (cgroup v2 keeps processes in leaves when
// controllers are on), so Workers is ignored for it; children's cpusets
// resolve within this cgroup's CPUs.
func (d CgroupDef) Nested(children ...CgroupDef) CgroupDef {
	d.children = append(append([]CgroupDef(nil), d.children...), children...)
	return d
}

// Name returns the cgroup's name.
func (d CgroupDef) Name() string { return d.name }

// workerCount returns the workers to start, def being the Spec's default.
func (d CgroupDef) workerCount(def int) int {
	switch {
	case len(d.children) > 0:
		return 0
	case d.workers > 0:
		return d.workers
	}
	return def
}

var cgroupName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// validate checks d and its children; def is the default worker count.
func (d CgroupDef) validate(def int) error {
	if !cgroupName.MatchString(d.name) || len(d.name) > 64 {
		return fmt.Errorf("cgroup name %q: use 1-64 letters, digits, '_', '-' or '.', not starting with '.' or '-'", d.name)
	}
	if err := d.validateSelf(def); err != nil {
		return fmt.Errorf("cgroup %s: %w", d.name, err)
	}
	seen := map[string]bool{}
	for _, c := range d.children {
		if seen[c.name] {
			return fmt.Errorf("cgroup %s: two children named %q", d.name, c.name)
		}
		seen[c.name] = true
		if err := c.validate(def); err != nil {
			return fmt.Errorf("in %s: %w", d.name, err)
		}
	}
	return nil
}

func (d CgroupDef) validateSelf(def int) error {
	n := d.workerCount(def)
	if d.workers < 0 || n > maxWorkersPerCgroup {
		return fmt.Errorf("%d workers: want 0 to %d", d.workers, maxWorkersPerCgroup)
	}
	w := d.work.spec()
	if err := w.validate(); err != nil {
		return err
	}
	if w.paired() && n%2 != 0 {
		return fmt.Errorf("%s pairs workers up: use an even worker count, not %d", w.Kind, n)
	}
	if d.nice < -20 || d.nice > 19 {
		return fmt.Errorf("nice %d: want -20 to 19", d.nice)
	}
	return d.policy.validate()
}
