package vm

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// BootEstimate is the expected wall time from starting QEMU to the guest
// init for topology t under accelerator a. For TCG it reads the
// multi-threaded table of [spec.TCGBootTime] on its 2-core host, the
// slower case, since the estimate feeds timeouts; KVM boots in about a
// second plus a little per vCPU.
func BootEstimate(t topo.Topology, a spec.Accel) time.Duration {
	n := max(t.CPUs(), 1)
	if a == spec.AccelKVM {
		return time.Second + time.Duration(n)*20*time.Millisecond
	}
	return spec.TCGBootTime(float64(n), false)
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
