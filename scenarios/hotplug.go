package scenarios

import (
	"fmt"
	"os"
	"time"

	"github.com/gauntlet-sched/gauntlet"
)

// HotplugChurn stresses CPU hotplug under load: cg_0's CPUSpin workers
// (one per usable CPU, unpinned) run beside cg_pinned's, each pinned to
// one usable CPU, while the last usable CPU that can go offline is taken
// offline and brought back every quarter of the duration. The kernel
// moves the tasks off the CPU each time it goes (the pinned one too),
// and a sched_ext scheduler without cpu_online/cpu_offline callbacks is
// unloaded each time and must come back. The CPU is online again at the
// end. It needs a usable CPU other than cpu 0 with an online file (x86
// cannot take cpu 0 offline): a topology with two CPUs or more.
func HotplugChurn(c *gauntlet.Ctx) error {
	cpu, err := hotplugCPU(c)
	if err != nil {
		return err
	}
	every := max(c.Duration/4, time.Millisecond)
	return c.ExecuteSteps(gauntlet.Step{
		Defs: []gauntlet.CgroupDef{perCPU(c, "cg_0"), perCPU(c, "cg_pinned").Affinity(gauntlet.AffinitySingleCPU())},
		Hold: gauntlet.HoldFull().ToggleCPU(cpu, every),
	})
}

// hotplugCPU returns the last usable CPU the guest can take offline.
func hotplugCPU(c *gauntlet.Ctx) (int, error) {
	cpus := c.Usable.CPUs()
	for i := len(cpus) - 1; i >= 0; i-- {
		if _, err := os.Stat(fmt.Sprintf("/sys/devices/system/cpu/cpu%d/online", cpus[i])); err == nil {
			return cpus[i], nil
		}
	}
	return -1, fmt.Errorf("scenario hotplug_churn needs a usable CPU that can go offline; of %s none has /sys/devices/system/cpu/cpuN/online (x86 keeps cpu 0 online): run it on a topology with at least 2 CPUs", c.Usable)
}
