//go:build gauntlet_regress

package example

import (
	"time"

	"github.com/gauntlet-sched/gauntlet"
)

// plantedLoad is a planted regression for `gauntlet report --compare`:
// with -tags gauntlet_regress, TestTwoCgroups also runs a SCHED_FIFO
// spinner per CPU that preempts the others whenever it runs (the
// kernel's RT throttling and fair server leave them a sliver), so the
// other cgroups do a fraction of their work and cg_1's bursty workers
// wait far longer to run, as a scheduler change that starved them would
// make them. See README's "Comparing runs".
func plantedLoad() []gauntlet.CgroupDef {
	return []gauntlet.CgroupDef{gauntlet.Cgroup("planted").Workers(2).Policy(gauntlet.PolicyFIFO(1)).WorkType(gauntlet.Bursty(200*time.Millisecond, 20*time.Millisecond))}
}
