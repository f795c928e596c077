package guest

import "fmt"

// Linux scheduling policy numbers (sched(7)), as [PolicySpec.Policy]
// holds them.
const (
	SchedNormal = 0
	SchedFIFO   = 1
	SchedRR     = 2
	SchedBatch  = 3
	SchedIdle   = 5
)

// PolicySpec is the wire form of the scheduling policy a cgroup's workers
// run with: a policy number and, for SCHED_FIFO and SCHED_RR, a real-time
// priority. The zero value is SCHED_NORMAL.
type PolicySpec struct {
	Policy int
	Prio   int
}

// realTime reports whether p is SCHED_FIFO or SCHED_RR.
func (p PolicySpec) realTime() bool { return p.Policy == SchedFIFO || p.Policy == SchedRR }

// fairShare reports whether workers of policy p are owed equal shares of
// the CPU among themselves: not real-time ones (they run until they
// yield), and not SCHED_IDLE ones, which get only what the other tasks
// leave (weight 3 against 1024), so which of them gets the leftovers is
// luck (seen: 36.6 % against 98.8 % off-CPU for two SCHED_IDLE spinners
// beside four normal and batch ones on 2 vCPUs).
func (p PolicySpec) fairShare() bool { return !p.realTime() && p.Policy != SchedIdle }

// validate checks the priority range of real-time policies.
func (p PolicySpec) validate() error {
	if p.realTime() && (p.Prio < 1 || p.Prio > 99) {
		return fmt.Errorf("policy %s: real-time priority must be 1-99", p)
	}
	return nil
}

// String names p, e.g. "normal" or "fifo(50)".
func (p PolicySpec) String() string {
	switch p.Policy {
	case SchedNormal:
		return "normal"
	case SchedBatch:
		return "batch"
	case SchedIdle:
		return "idle"
	case SchedFIFO:
		return fmt.Sprintf("fifo(%d)", p.Prio)
	case SchedRR:
		return fmt.Sprintf("rr(%d)", p.Prio)
	}
	return fmt.Sprintf("policy(%d)", p.Policy)
}
