package guest

import "fmt"

// OpKind says what an [OpSpec] does.
type OpKind int

// Op kinds. Cgroups are named by their path below the scenario,
// "outer/inner" for nested ones.
const (
	OpAdd         OpKind = iota + 1 // create cgroup Def at the top level
	OpRemove                        // stop Name's workers, remove it and its children
	OpSetCpuset                     // give Name the cpuset Cpuset
	OpClearCpuset                   // make Name use its parent's CPUs
	OpSwapCpusets                   // exchange the cpusets of Name and Other
	OpSpawn                         // start N more workers in Name
	OpStop                          // stop Name's workers, keep the cgroup
	OpSetAffinity                   // re-pin Name's running workers to Affinity
	OpMoveAll                       // move Name's running workers into Other
	OpCPUOffline                    // take CPU offline
	OpCPUOnline                     // bring CPU online
	OpCPUToggle                     // flip CPU's online state
	OpPayload                       // run the program Payload describes
)

// OpSpec is the wire form of one change a step applies to running
// cgroups; which fields count depends on Kind.
type OpSpec struct {
	Kind     OpKind
	Name     string
	Other    string
	Def      CgroupSpec
	Cpuset   CpusetSpec
	Affinity AffinitySpec
	N        int
	CPU      int
	Payload  PayloadRunSpec
}

// String describes o, e.g. "set-cpuset cg_0 disjoint(0/2)".
func (o OpSpec) String() string {
	switch o.Kind {
	case OpAdd:
		return "add-cgroup " + o.Def.Name
	case OpRemove:
		return "remove-cgroup " + o.Name
	case OpSetCpuset:
		return fmt.Sprintf("set-cpuset %s %s", o.Name, o.Cpuset)
	case OpClearCpuset:
		return "clear-cpuset " + o.Name
	case OpSwapCpusets:
		return fmt.Sprintf("swap-cpusets %s %s", o.Name, o.Other)
	case OpSpawn:
		return fmt.Sprintf("spawn %s %d", o.Name, o.N)
	case OpStop:
		return "stop-workers " + o.Name
	case OpSetAffinity:
		return fmt.Sprintf("set-affinity %s %s", o.Name, o.Affinity)
	case OpMoveAll:
		return fmt.Sprintf("move-all-tasks %s %s", o.Name, o.Other)
	case OpCPUOffline, OpCPUOnline, OpCPUToggle:
		return o.hotplugString()
	case OpPayload:
		return o.Payload.String()
	}
	return fmt.Sprintf("op(%d)", o.Kind)
}

// apply performs o on the running scenario.
func (s *scenario) apply(o OpSpec) error {
	var err error
	switch o.Kind {
	case OpAdd:
		err = s.addCgroup(o.Def, s.root)
	case OpRemove:
		err = s.withNode(o.Name, s.removeNode)
	case OpSetCpuset:
		err = s.withNode(o.Name, func(n *cgNode) error { return s.setCpuset(n, o.Cpuset) })
	case OpClearCpuset:
		err = s.withNode(o.Name, func(n *cgNode) error { return s.setCpuset(n, CpusetSpec{}) })
	case OpSwapCpusets:
		err = s.swapCpusets(o.Name, o.Other)
	case OpSpawn:
		err = s.withNode(o.Name, func(n *cgNode) error { return s.spawn(n, o.N) })
	case OpStop:
		err = s.withNode(o.Name, func(n *cgNode) error { s.stopProcs(n.running()); return nil })
	case OpSetAffinity:
		err = s.withNode(o.Name, func(n *cgNode) error { return s.setAffinity(n, o.Affinity) })
	case OpMoveAll:
		err = s.moveAll(o.Name, o.Other)
	case OpCPUOffline, OpCPUOnline:
		err = s.setCPUOnline(o.CPU, o.Kind == OpCPUOnline)
	case OpCPUToggle:
		err = s.toggleCPU(o.CPU)
	case OpPayload:
		err = s.runPayload(o.Payload)
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
