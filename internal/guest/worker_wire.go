package guest

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// File descriptors a worker inherits (exec.Cmd.ExtraFiles start at 3).
const (
	fdReport   = 3 // worker -> harness: JSON messages, one per line
	fdBarrier  = 4 // start barrier: the worker reads until EOF
	fdShm      = 5 // the shared memory memfd
	fdPipeRead = 6 // PipeIo: from the partner
	fdPipeSend = 7 // PipeIo: to the partner
)

// workerConfig is a worker's JSON configuration, passed in
// spec.EnvWorker.
type workerConfig struct {
	// Slot is the worker's shared-memory slot, unique in the scenario.
	Slot int `json:"slot"`
	// Cgroup and Index name the worker: its cgroup and its number among
	// the workers started together there.
	Cgroup string   `json:"cgroup"`
	Index  int      `json:"index"`
	Work   WorkSpec `json:"work"`
	// Policy, Prio and Nice are applied to the worker thread.
	Policy int `json:"policy"`
	Prio   int `json:"prio,omitempty"`
	Nice   int `json:"nice,omitempty"`
	// Affinity is the worker thread's CPU affinity; empty inherits.
	Affinity topo.CPUSet `json:"affinity"`
	// PairSlot is the slot holding the pair's shared words (the pair's
	// first worker), PairRole 0 for that worker and 1 for its partner.
	// Fan-out groups use them alike: PairSlot is the group's first
	// worker (the waker, role 0), PairRole 1 to FanOut its waiters.
	PairSlot int `json:"pair_slot"`
	PairRole int `json:"pair_role"`
	// LockSlot holds the lock MutexContention workers share.
	LockSlot int `json:"lock_slot"`
	// Seed varies random choices between workers.
	Seed uint64 `json:"seed"`
	// Settle is how long after its start the worker marks the beginning
	// of its steady state, from which SettledWall and SettledCPU count.
	Settle time.Duration `json:"settle_ns,omitempty"`
}

// workerMsg is one line a worker writes to its report pipe: first Ready
// (or Error), then Report.
type workerMsg struct {
	Ready  *readyMsg     `json:"ready,omitempty"`
	Report *workerReport `json:"report,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// readyMsg says the worker is set up and waiting at the barrier.
type readyMsg struct {
	TID int `json:"tid"`
}

// workerReport is what a worker measured, sent when it stops.
type workerReport struct {
	PID int `json:"pid"`
	TID int `json:"tid"`
	// Start is when the worker passed the barrier (unix ns).
	Start     int64         `json:"start_unix_ns"`
	Wall      time.Duration `json:"wall_ns"`
	WorkUnits uint64        `json:"work_units"`
	// CPUTime and RunDelay are the worker thread's time on a CPU and
	// waiting runnable, over the run (schedstat deltas); HasSchedstat is
	// false when the kernel has no schedstat (then CPUTime comes from
	// getrusage and RunDelay is 0).
	CPUTime      time.Duration `json:"cpu_ns"`
	RunDelay     time.Duration `json:"run_delay_ns"`
	HasSchedstat bool          `json:"has_schedstat"`
	// MaxGap is the longest time between checkpoints, starting GapAt after
	// Start, last seen on GapCPU.
	MaxGap     time.Duration `json:"max_gap_ns"`
	GapAt      time.Duration `json:"gap_at_ns"`
	GapCPU     int           `json:"gap_cpu"`
	Migrations int           `json:"migrations"`
	CPUs       topo.CPUSet   `json:"cpus"`
	Epochs     []epochCPUs   `json:"epochs,omitempty"`
	// Wake holds wake-latency samples (at most maxWakeSamples), WakeCount
	// and WakeMax cover all of them.
	Wake      []time.Duration `json:"wake_ns,omitempty"`
	WakeCount int             `json:"wake_count,omitempty"`
	WakeMax   time.Duration   `json:"wake_max_ns,omitempty"`
	// PageFaults counts the page faults the worker thread took over the
	// run (getrusage minor plus major faults).
	PageFaults uint64 `json:"page_faults,omitempty"`
	// Settled is true when the worker ran past its settle time;
	// SettledWall and SettledCPU are its wall and CPU time since then.
	Settled     bool          `json:"settled,omitempty"`
	SettledWall time.Duration `json:"settled_wall_ns,omitempty"`
	SettledCPU  time.Duration `json:"settled_cpu_ns,omitempty"`
	// SettledDelay and SettledUnits are the run delay (schedstat) and
	// the work units since the settle time.
	SettledDelay time.Duration `json:"settled_delay_ns,omitempty"`
	SettledUnits uint64        `json:"settled_units,omitempty"`
	// OffGap and DelayGap are the scheduler gaps of [schedGaps]: the
	// longest interval between two schedstat samples' wall time less
	// charged CPU time and excused time, and its largest run-delay
	// increase, starting OffGapAt and DelayGapAt after Start.
	// StatSamples counts the samples, StatCost is the mean time one
	// took. All zero without schedstat.
	OffGap      time.Duration `json:"off_gap_ns,omitempty"`
	OffGapAt    time.Duration `json:"off_gap_at_ns,omitempty"`
	DelayGap    time.Duration `json:"delay_gap_ns,omitempty"`
	DelayGapAt  time.Duration `json:"delay_gap_at_ns,omitempty"`
	StatSamples int           `json:"stat_samples,omitempty"`
	StatCost    time.Duration `json:"stat_cost_ns,omitempty"`
	// Error is set when the work itself failed.
	Error string `json:"error,omitempty"`
}
