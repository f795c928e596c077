package guest

import (
	"fmt"
	"time"
)

// StepSpec is the wire form of one phase of a scenario: create the
// cgroups in Defs (starting their workers), apply Ops in order, release
// the new workers together, then hold.
type StepSpec struct {
	Defs []CgroupSpec
	Ops  []OpSpec
	Hold HoldSpec
}

// HoldSpec is the wire form of how long a step lasts: Fixed when above 0,
// else Frac of the scenario duration when above 0, else the full
// duration; Every above 0 re-applies the step's ops at that interval;
// ToggleEvery above 0 flips ToggleCPU's online state at that interval
// and, when the hold ends, flips it back if it was left changed (a hold
// that ended before its first flip flips it there and back once).
type HoldSpec struct {
	Frac        float64
	Fixed       time.Duration
	Every       time.Duration
	ToggleCPU   int
	ToggleEvery time.Duration
}

// duration returns how long h lasts in a scenario of length total.
func (h HoldSpec) duration(total time.Duration) time.Duration {
	switch {
	case h.Fixed > 0:
		return h.Fixed
	case h.Frac > 0:
		return time.Duration(h.Frac * float64(total))
	}
	return total
}

func (h HoldSpec) validate() error {
	if h.Frac < 0 || h.Fixed < 0 || h.Every < 0 {
		return fmt.Errorf("hold %s: times and fractions must not be negative", h)
	}
	if h.Every > 0 && h.Every < time.Millisecond {
		return fmt.Errorf("hold %s: loop interval below 1ms; use at least 1ms", h)
	}
	return h.validateToggle()
}

// String describes h, e.g. "full" or "0.50 of duration, loop 100ms".
func (h HoldSpec) String() string {
	var s string
	switch {
	case h.Fixed > 0:
		s = h.Fixed.String()
	case h.Frac > 0 && h.Frac != 1:
		s = fmt.Sprintf("%.2f of duration", h.Frac)
	default:
		s = "full"
	}
	if h.Every > 0 {
		s += fmt.Sprintf(", loop %v", h.Every)
	}
	if h.ToggleEvery > 0 {
		s += fmt.Sprintf(", toggle cpu %d every %v", h.ToggleCPU, h.ToggleEvery)
	}
	return s
}

// validateSteps checks every step before anything starts; def is the
// default worker count.
func validateSteps(steps []StepSpec, def int) error {
	if len(steps) == 0 {
		return fmt.Errorf("no steps: give ExecuteSteps at least one Step (or use ExecuteDefs)")
	}
	for i, st := range steps {
		if err := st.validate(def); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
	}
	return nil
}

func (st StepSpec) validate(def int) error {
	if err := st.Hold.validate(); err != nil {
		return err
	}
	for _, d := range st.Defs {
		if err := d.validate(def); err != nil {
			return err
		}
	}
	for _, o := range st.Ops {
		if o.isHotplug() {
			if err := validateCPU(o.String(), o.CPU); err != nil {
				return err
			}
		}
		if o.Kind == OpAdd {
			if err := o.Def.validate(def); err != nil {
				return err
			}
		}
	}
	return nil
}
