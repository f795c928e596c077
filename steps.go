package gauntlet

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
)

// Step is one phase of a scenario: cgroups to create, ops to apply, and
// how long to hold; see [guest.Step].
type Step = guest.Step

// Hold says how long a step lasts; the zero value is the full duration.
type Hold = guest.Hold

// Op is one change a step applies to running cgroups.
type Op = guest.Op

// HoldFull holds for the whole scenario duration.
func HoldFull() Hold { return guest.HoldFull() }

// HoldFraction holds for f times the scenario duration.
func HoldFraction(f float64) Hold { return guest.HoldFraction(f) }

// HoldFor holds for d.
func HoldFor(d time.Duration) Hold { return guest.HoldFor(d) }

// HoldLoop holds for the whole duration, re-applying the step's ops every
// interval.
func HoldLoop(every time.Duration) Hold { return guest.HoldLoop(every) }

// AddCgroup creates cgroup d and starts its workers.
func AddCgroup(d CgroupDef) Op { return guest.AddCgroup(d) }

// RemoveCgroup stops cgroup name's workers and removes it.
func RemoveCgroup(name string) Op { return guest.RemoveCgroup(name) }

// SetCpuset gives cgroup name a new cpuset.
func SetCpuset(name string, c CpusetSpec) Op { return guest.SetCpuset(name, c) }

// ClearCpuset makes cgroup name use its parent's CPUs.
func ClearCpuset(name string) Op { return guest.ClearCpuset(name) }

// SwapCpusets exchanges the cpusets of cgroups a and b.
func SwapCpusets(a, b string) Op { return guest.SwapCpusets(a, b) }

// Spawn starts n more workers in cgroup name.
func Spawn(name string, n int) Op { return guest.Spawn(name, n) }

// StopWorkers stops cgroup name's workers, keeping the cgroup.
func StopWorkers(name string) Op { return guest.StopWorkers(name) }

// SetAffinity re-pins cgroup name's running workers.
func SetAffinity(name string, a AffinitySpec) Op { return guest.SetAffinity(name, a) }

// MoveAllTasks moves cgroup from's running workers into cgroup to.
func MoveAllTasks(from, to string) Op { return guest.MoveAllTasks(from, to) }
