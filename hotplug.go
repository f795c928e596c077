package gauntlet

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
)

// CPU hotplug ops change which CPUs are online while a scenario runs,
// through /sys/devices/system/cpu/cpuN/online. The kernel moves the
// tasks off a CPU going offline and recomputes every cpuset: a cgroup
// whose CPUs are all offline runs on its parent's until one comes back,
// and a worker pinned to the CPU runs where the kernel puts it. The
// checks follow: isolation compares each worker with the effective CPUs
// the kernel reports after the op (old or new CPUs while it runs), and
// the time the kernel spends in the op is not counted as a gap (any
// other stall still is). A CPU brought online that was offline at boot
// (a `-possibleN` topology) joins the scenario's CPUs, so cgroups
// without a cpuset of their own use it; [Ctx.Usable] and [Ctx.Online]
// keep describing the guest at boot. When the scenario ends, every CPU
// it changed is put back as it was. A sched_ext scheduler without
// cpu_online/cpu_offline callbacks is unloaded by the kernel at each
// hotplug with a restart request; the harness lets it come back (see
// [Scheduler]). CPU 0 usually cannot go offline (on x86 it has no
// online file), nor can the CPU the harness runs on (the last one
// online at boot, with more than two CPUs): an op on either fails,
// naming the CPU.

// OfflineCPU takes cpu offline; nothing when it is offline already.
func OfflineCPU(cpu int) Op { return Op{guest.OpSpec{Kind: guest.OpCPUOffline, CPU: cpu}} }

// OnlineCPU brings cpu online, also a possible CPU offline since boot;
// nothing when it is online already.
func OnlineCPU(cpu int) Op { return Op{guest.OpSpec{Kind: guest.OpCPUOnline, CPU: cpu}} }

// ToggleCPU takes cpu offline when it is online and online when it is
// not; in a step with [HoldLoop] it toggles at every interval.
func ToggleCPU(cpu int) Op { return Op{guest.OpSpec{Kind: guest.OpCPUToggle, CPU: cpu}} }

// ToggleCPU returns h flipping cpu's online state every interval (at
// least 1ms) while it holds; at the end of the hold the CPU is put back
// online or offline as the hold found it. A hold that ends before its
// first flip (a guest too slow for the interval) flips the CPU there and
// back once, so it always hotplugs it at least once.
//
//	gauntlet.Step{Defs: defs, Hold: gauntlet.HoldFull().ToggleCPU(1, 250*time.Millisecond)}
func (h Hold) ToggleCPU(cpu int, every time.Duration) Hold {
	h.s.ToggleCPU, h.s.ToggleEvery = cpu, every
	return h
}
