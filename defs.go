package gauntlet

import "github.com/gauntlet-sched/gauntlet/internal/guest"

// MaxWorkers is the most workers one cgroup may run.
const MaxWorkers = 256

// CgroupDef declares a cgroup and its workers. Build one with [Cgroup] and
// the chained setters, each of which returns a modified copy, so one
// definition can be the base of others:
//
//	gauntlet.Cgroup("cg_1").Workers(2).WorkType(gauntlet.Bursty(50*time.Millisecond, 100*time.Millisecond))
//
// Unset, a cgroup runs [Spec.Workers] workers (default 2) of [CPUSpin]
// work on its parent's CPUs, with no affinity of its own, under
// SCHED_NORMAL at nice 0. Definitions are checked when a scenario starts:
// [Ctx.ExecuteSteps] names what is wrong.
type CgroupDef struct {
	s guest.CgroupSpec
}

// Cgroup starts the definition of a cgroup called name: 1 to 64 letters,
// digits, '_', '-' and '.', not starting with '.' or '-'.
func Cgroup(name string) CgroupDef { return CgroupDef{guest.CgroupSpec{Name: name}} }

// Name returns the cgroup's name.
func (d CgroupDef) Name() string { return d.s.Name }

// Workers sets how many worker processes the cgroup runs, from 0 to
// [MaxWorkers]; 0 means [Spec.Workers]. Paired work types ([PipeIO],
// [FutexPingPong]) need an even count.
func (d CgroupDef) Workers(n int) CgroupDef { d.s.Workers = n; return d }

// WorkType sets what each worker does; see [WorkType].
func (d CgroupDef) WorkType(w WorkType) CgroupDef { d.s.Work = w.lower(); return d }

// Cpuset sets the cgroup's cpuset, resolved within its parent's CPUs.
func (d CgroupDef) Cpuset(c CpusetSpec) CgroupDef { d.s.Cpuset = c.s; return d }

// Affinity sets each worker's CPU affinity inside the cpuset.
func (d CgroupDef) Affinity(a AffinitySpec) CgroupDef { d.s.Affinity = a.s; return d }

// Policy sets the workers' scheduling policy.
func (d CgroupDef) Policy(p Policy) CgroupDef { d.s.Policy = p.s; return d }

// Nice sets the workers' nice value, from -20 to 19.
func (d CgroupDef) Nice(n int) CgroupDef { d.s.Nice = n; return d }

// Nested adds child cgroups below this one. A cgroup with children runs no
// workers of its own (cgroup v2 keeps processes in leaves when
// controllers are on), so Workers is ignored for it; children's cpusets
// resolve within this cgroup's CPUs. Ops name a child by its path,
// "parent/child".
func (d CgroupDef) Nested(children ...CgroupDef) CgroupDef {
	kids := make([]guest.CgroupSpec, 0, len(d.s.Children)+len(children))
	kids = append(kids, d.s.Children...)
	for _, c := range children {
		kids = append(kids, c.s)
	}
	d.s.Children = kids
	return d
}

// lowerDefs returns the wire form of defs.
func lowerDefs(defs []CgroupDef) []guest.CgroupSpec {
	out := make([]guest.CgroupSpec, len(defs))
	for i, d := range defs {
		out[i] = d.s
	}
	return out
}
