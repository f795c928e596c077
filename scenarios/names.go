package scenarios

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet"
)

// canned lists the canned scenarios by name, in a fixed order.
var canned = []struct {
	name string
	run  func(*gauntlet.Ctx) error
}{
	{"steady", Steady}, {"steady_llc", SteadyLLC}, {"oversubscribed", Oversubscribed},
	{"cpuset_apply", CpusetApply}, {"cpuset_clear", CpusetClear}, {"cpuset_resize", CpusetResize},
	{"cgroup_add", CgroupAdd}, {"cgroup_remove", CgroupRemove},
	{"affinity_change", AffinityChange}, {"affinity_pinned", AffinityPinned},
	{"host_contention", HostContention}, {"mixed_workloads", MixedWorkloads},
	{"nested_steady", NestedSteady}, {"hotplug_churn", HotplugChurn},
}

// ByName returns the canned scenario called name ("steady",
// "cpuset_apply", ...); for an unknown name the error lists the known
// ones.
func ByName(name string) (func(*gauntlet.Ctx) error, error) {
	for _, s := range canned {
		if s.name == name {
			return s.run, nil
		}
	}
	return nil, fmt.Errorf("unknown scenario %q; known: %v", name, Names())
}

// Names lists the canned scenarios' names in a fixed order.
func Names() []string {
	names := make([]string, len(canned))
	for i, s := range canned {
		names[i] = s.name
	}
	return names
}
