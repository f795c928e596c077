package guest

import "fmt"

type opKind int

const (
	opAdd opKind = iota + 1
	opRemove
	opSetCpuset
	opClearCpuset
	opSwapCpusets
	opSpawn
	opStop
	opSetAffinity
	opMoveAll
)

// Op is one change a [Step] applies to running cgroups. Cgroups are named
// by their path below the scenario, "outer/inner" for nested ones.
type Op struct {
	kind     opKind
	name     string
	other    string
	def      CgroupDef
	cpuset   CpusetSpec
	affinity AffinitySpec
	n        int
}

// AddCgroup creates the cgroup d at the top level and starts its workers.
func AddCgroup(d CgroupDef) Op { return Op{kind: opAdd, name: d.name, def: d} }

// RemoveCgroup stops the workers of cgroup name and its children (their
// reports still count) and removes the cgroups.
func RemoveCgroup(name string) Op { return Op{kind: opRemove, name: name} }

// SetCpuset gives cgroup name a new cpuset, resolved within its parent's
// CPUs.
func SetCpuset(name string, c CpusetSpec) Op { return Op{kind: opSetCpuset, name: name, cpuset: c} }

// ClearCpuset makes cgroup name use its parent's CPUs again.
func ClearCpuset(name string) Op { return Op{kind: opClearCpuset, name: name} }

// SwapCpusets exchanges the cpusets of cgroups a and b.
func SwapCpusets(a, b string) Op { return Op{kind: opSwapCpusets, name: a, other: b} }

// Spawn starts n more workers in cgroup name, doing its work type.
func Spawn(name string, n int) Op { return Op{kind: opSpawn, name: name, n: n} }

// StopWorkers stops the workers of cgroup name and keeps the cgroup.
func StopWorkers(name string) Op { return Op{kind: opStop, name: name} }

// SetAffinity re-pins the running workers of cgroup name.
func SetAffinity(name string, a AffinitySpec) Op {
	return Op{kind: opSetAffinity, name: name, affinity: a}
}

// MoveAllTasks moves every running worker of cgroup from into cgroup to.
func MoveAllTasks(from, to string) Op { return Op{kind: opMoveAll, name: from, other: to} }

// String describes o, e.g. "set-cpuset cg_0 disjoint(0/2)".
func (o Op) String() string {
	switch o.kind {
	case opAdd:
		return "add-cgroup " + o.name
	case opRemove:
		return "remove-cgroup " + o.name
	case opSetCpuset:
		return fmt.Sprintf("set-cpuset %s %s", o.name, o.cpuset)
	case opClearCpuset:
		return "clear-cpuset " + o.name
	case opSwapCpusets:
		return fmt.Sprintf("swap-cpusets %s %s", o.name, o.other)
	case opSpawn:
		return fmt.Sprintf("spawn %s %d", o.name, o.n)
	case opStop:
		return "stop-workers " + o.name
	case opSetAffinity:
		return fmt.Sprintf("set-affinity %s %s", o.name, o.affinity)
	case opMoveAll:
		return fmt.Sprintf("move-all-tasks %s %s", o.name, o.other)
	}
	return fmt.Sprintf("op(%d)", o.kind)
}

// apply performs o on the running scenario.
func (s *scenario) apply(o Op) error {
	var err error
	switch o.kind {
	case opAdd:
		err = s.addCgroup(o.def, s.root)
	case opRemove:
		err = s.withNode(o.name, s.removeNode)
	case opSetCpuset:
		err = s.withNode(o.name, func(n *cgNode) error { return s.setCpuset(n, o.cpuset) })
	case opClearCpuset:
		err = s.withNode(o.name, func(n *cgNode) error { return s.setCpuset(n, CpusetSpec{}) })
	case opSwapCpusets:
		err = s.swapCpusets(o.name, o.other)
	case opSpawn:
		err = s.withNode(o.name, func(n *cgNode) error { return s.spawn(n, o.n) })
	case opStop:
		err = s.withNode(o.name, func(n *cgNode) error { s.stopProcs(n.running()); return nil })
	case opSetAffinity:
		err = s.withNode(o.name, func(n *cgNode) error { return s.setAffinity(n, o.affinity) })
	case opMoveAll:
		err = s.moveAll(o.name, o.other)
	default:
		err = fmt.Errorf("unknown op")
	}
	if err != nil {
		return fmt.Errorf("op %s: %w", o, err)
	}
	return nil
}

// withNode runs fn on the live cgroup called name.
func (s *scenario) withNode(name string, fn func(*cgNode) error) error {
	n, err := s.node(name)
	if err != nil {
		return err
	}
	return fn(n)
}
