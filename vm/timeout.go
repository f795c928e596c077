package vm

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// tcgBoot holds measured TCG boot times on a 2-core host (q35, Debian 6.12
// cloud kernel, an init that powers off at once): vCPUs -> wall time.
var tcgBoot = []struct {
	cpus int
	d    time.Duration
}{
	{1, 5300 * time.Millisecond},
	{4, 5600 * time.Millisecond},
	{8, 8200 * time.Millisecond},
	{16, 15400 * time.Millisecond},
	{32, 32600 * time.Millisecond},
	{64, 105 * time.Second},
}

// BootEstimate is the expected wall time from starting QEMU to the guest
// init for topology t under accelerator a. For TCG it interpolates
// measured boot times (extrapolating linearly past 64 vCPUs); KVM boots in
// about a second plus a little per vCPU.
func BootEstimate(t topo.Topology, a spec.Accel) time.Duration {
	n := max(t.CPUs(), 1)
	if a == spec.AccelKVM {
		return time.Second + time.Duration(n)*20*time.Millisecond
	}
	for i := 1; i < len(tcgBoot); i++ {
		lo, hi := tcgBoot[i-1], tcgBoot[i]
		if n <= hi.cpus || i == len(tcgBoot)-1 {
			if n <= lo.cpus {
				return lo.d
			}
			return lo.d + (hi.d-lo.d)*time.Duration(n-lo.cpus)/time.Duration(hi.cpus-lo.cpus)
		}
	}
	return tcgBoot[len(tcgBoot)-1].d
}

// Timeout rule: a fixed allowance for setup and checks, plus generous
// multiples of the boot estimate and the scenario duration, because VMs
// share a loaded host and TCG time is uneven.
const (
	timeoutBase     = 60 * time.Second
	timeoutBootMult = 3
	timeoutRunMult  = 5
)

// DefaultTimeout is the run bound used when [Config.Timeout] is zero:
// 60 s + 3 x [BootEstimate] + 5 x the scenario duration.
func DefaultTimeout(t topo.Topology, a spec.Accel, duration time.Duration) time.Duration {
	return timeoutBase + timeoutBootMult*BootEstimate(t, a) + timeoutRunMult*duration
}
