package guest

import "fmt"

// Linux scheduling policy numbers (sched(7)).
const (
	schedNormal = 0
	schedFIFO   = 1
	schedRR     = 2
	schedBatch  = 3
	schedIdle   = 5
)

// Policy is the scheduling policy a cgroup's workers run with. The zero
// value is SCHED_NORMAL (the kernel calls it SCHED_OTHER).
type Policy struct {
	policy int
	prio   int
}

// PolicyNormal is SCHED_NORMAL, the default time-sharing policy.
func PolicyNormal() Policy { return Policy{} }

// PolicyBatch is SCHED_BATCH: time-sharing, treated as CPU-bound.
func PolicyBatch() Policy { return Policy{policy: schedBatch} }

// PolicyIdle is SCHED_IDLE: runs only when nothing else wants the CPU.
func PolicyIdle() Policy { return Policy{policy: schedIdle} }

// PolicyFIFO is SCHED_FIFO at real-time priority prio (1-99).
func PolicyFIFO(prio int) Policy { return Policy{policy: schedFIFO, prio: prio} }

// PolicyRR is SCHED_RR at real-time priority prio (1-99).
func PolicyRR(prio int) Policy { return Policy{policy: schedRR, prio: prio} }

// RealTime reports whether p is SCHED_FIFO or SCHED_RR.
func (p Policy) RealTime() bool { return p.policy == schedFIFO || p.policy == schedRR }

// validate checks the priority range of real-time policies.
func (p Policy) validate() error {
	if p.RealTime() && (p.prio < 1 || p.prio > 99) {
		return fmt.Errorf("policy %s: real-time priority must be 1-99", p)
	}
	return nil
}

// String names p, e.g. "normal" or "fifo(50)".
func (p Policy) String() string {
	switch p.policy {
	case schedNormal:
		return "normal"
	case schedBatch:
		return "batch"
	case schedIdle:
		return "idle"
	case schedFIFO:
		return fmt.Sprintf("fifo(%d)", p.prio)
	case schedRR:
		return fmt.Sprintf("rr(%d)", p.prio)
	}
	return fmt.Sprintf("policy(%d)", p.policy)
}
