package scenarios

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/internal/nearest"
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
	{"nested_steady", NestedSteady},
}

// loads lists the load scenarios (loads.go) by name, in a fixed order.
var loads = []struct {
	name string
	run  func(*gauntlet.Ctx) error
}{
	{"fanout_wake", FanOutWake}, {"fanout_wide", FanOutWide}, {"fanout_groups", FanOutGroups},
	{"fork_join", ForkJoin}, {"fork_join_contended", ForkJoinContended},
	{"cache_yield_storm", CacheYieldStorm}, {"cache_pipe_pairs", CachePipePairs}, {"cache_llc", CacheLLC}, {"cache_mixed", CacheMixed},
	{"page_fault_storm", PageFaultStorm}, {"page_fault_pipe", PageFaultPipe}, {"page_fault_fork", PageFaultFork},
	{"yield_storm", YieldStorm}, {"nice_mix", NiceMix}, {"nice_latency", NiceLatency}, {"nice_sweep_mix", NiceSweepMix},
	{"policy_mix", PolicyMix}, {"policy_churn_mix", PolicyChurnMix}, {"batch_latency", BatchLatency},
	{"partitioned_mix", PartitionedMix}, {"overlap_mix", OverlapMix}, {"partition_swap", PartitionSwap},
	{"phase_shift", PhaseShift}, {"mutex_faults", MutexFaults}, {"ping_pong_storm", PingPongStorm},
	{"affinity_churn_mix", AffinityChurnMix}, {"nested_mix", NestedMix},
	{"fanout_arrives", FanOutArrives}, {"faults_leave", FaultsLeave}, {"groups_come_and_go", GroupsComeAndGo},
	{"io_fault_mix", IOFaultMix}, {"oversubscribed_mixed", OversubscribedMixed}, {"new_workloads", NewWorkloads},
}

// ByName returns the canned scenario called name ("steady",
// "cpuset_apply", ...); for an unknown name the error lists the known
// ones.
func ByName(name string) (func(*gauntlet.Ctx) error, error) {
	for _, s := range append(canned[:len(canned):len(canned)], loads...) {
		if s.name == name {
			return s.run, nil
		}
	}
	return nil, fmt.Errorf("unknown scenario %q%s; known: %v", name, nearest.Hint(name, Names()), Names())
}

// Names lists the canned scenarios' names in a fixed order: the
// placement scenarios, then the load scenarios ([LoadNames]).
func Names() []string {
	names := make([]string, 0, len(canned)+len(loads))
	for _, s := range canned {
		names = append(names, s.name)
	}
	return append(names, LoadNames()...)
}

// LoadNames lists the load scenarios' names in a fixed order: the
// scenarios that mix work types (fan-out wake-ups, fork-join, cache,
// page faults, yields, nice and policy mixes, partitioned mixes), a
// subset of [Names].
func LoadNames() []string {
	names := make([]string, len(loads))
	for i, s := range loads {
		names[i] = s.name
	}
	return names
}
