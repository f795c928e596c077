package gauntlet

import "github.com/gauntlet-sched/gauntlet/internal/guest"

// Policy is the scheduling policy a cgroup's workers run with. The zero
// value is SCHED_NORMAL (the kernel calls it SCHED_OTHER).
type Policy struct {
	s guest.PolicySpec
}

// PolicyNormal is SCHED_NORMAL, the default time-sharing policy.
func PolicyNormal() Policy { return Policy{} }

// PolicyBatch is SCHED_BATCH: time-sharing, treated as CPU-bound.
func PolicyBatch() Policy { return Policy{guest.PolicySpec{Policy: guest.SchedBatch}} }

// PolicyIdle is SCHED_IDLE: runs only when nothing else wants the CPU.
// Its workers are exempt from the stuck check and are not compared for
// fairness: they get what the other tasks leave, unevenly.
func PolicyIdle() Policy { return Policy{guest.PolicySpec{Policy: guest.SchedIdle}} }

// PolicyFIFO is SCHED_FIFO at real-time priority prio (1-99).
func PolicyFIFO(prio int) Policy {
	return Policy{guest.PolicySpec{Policy: guest.SchedFIFO, Prio: prio}}
}

// PolicyRR is SCHED_RR at real-time priority prio (1-99).
func PolicyRR(prio int) Policy { return Policy{guest.PolicySpec{Policy: guest.SchedRR, Prio: prio}} }

// String names p, e.g. "normal" or "fifo(50)".
func (p Policy) String() string { return p.s.String() }
