package guest

import (
	"fmt"
	"time"
)

// Step is one phase of a scenario: create the cgroups in Defs (starting
// their workers), apply Ops in order, release the new workers together,
// then hold. Cgroups and workers live on into later steps until an op
// removes or stops them, or the scenario ends.
type Step struct {
	Defs []CgroupDef
	Ops  []Op
	// Hold is how long the step lasts; the zero value holds for the full
	// scenario duration.
	Hold Hold
}

// Hold says how long a step lasts: a fraction of the scenario duration
// or a fixed time, optionally re-applying the step's ops every interval
// (a loop). The zero value is the full duration without a loop.
type Hold struct {
	frac  float64
	fixed time.Duration
	every time.Duration
}

// HoldFull holds for the whole scenario duration.
func HoldFull() Hold { return Hold{frac: 1} }

// HoldFraction holds for f (above 0) times the scenario duration.
func HoldFraction(f float64) Hold { return Hold{frac: f} }

// HoldFor holds for d.
func HoldFor(d time.Duration) Hold { return Hold{fixed: d} }

// HoldLoop holds for the whole duration, re-applying the step's ops every
// interval.
func HoldLoop(every time.Duration) Hold { return Hold{frac: 1, every: every} }

// Loop returns h re-applying the step's ops every interval while it holds.
func (h Hold) Loop(every time.Duration) Hold { h.every = every; return h }

// duration returns how long h lasts in a scenario of length total.
func (h Hold) duration(total time.Duration) time.Duration {
	switch {
	case h.fixed > 0:
		return h.fixed
	case h.frac > 0:
		return time.Duration(h.frac * float64(total))
	}
	return total
}

func (h Hold) validate() error {
	if h.frac < 0 || h.fixed < 0 || h.every < 0 {
		return fmt.Errorf("hold %s: times and fractions must not be negative", h)
	}
	if h.every > 0 && h.every < time.Millisecond {
		return fmt.Errorf("hold %s: loop interval below 1ms; use at least 1ms", h)
	}
	return nil
}

// String describes h, e.g. "full" or "0.50 of duration, loop 100ms".
func (h Hold) String() string {
	var s string
	switch {
	case h.fixed > 0:
		s = h.fixed.String()
	case h.frac > 0 && h.frac != 1:
		s = fmt.Sprintf("%.2f of duration", h.frac)
	default:
		s = "full"
	}
	if h.every > 0 {
		s += fmt.Sprintf(", loop %v", h.every)
	}
	return s
}
