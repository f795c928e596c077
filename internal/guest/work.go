package guest

import (
	"fmt"
	"strings"
	"time"
)

// defaultCacheKiB is the CachePressure buffer size when none is given.
const defaultCacheKiB = 1024

// WorkSpec is the wire form of a work type, what each worker of a cgroup
// does in a loop, passed to worker processes as JSON. Which fields count
// depends on Kind; the zero value is CpuSpin.
type WorkSpec struct {
	Kind    string        `json:"kind"`
	Burst   time.Duration `json:"burst_ns,omitempty"`
	Sleep   time.Duration `json:"sleep_ns,omitempty"`
	SizeKiB int           `json:"size_kib,omitempty"`
	Name    string        `json:"name,omitempty"`
	// FanOut is the waiters per waker of FutexFanOut and FanOutCompute;
	// Touches the pages PageFaultChurn faults in per cycle.
	FanOut  int         `json:"fan_out,omitempty"`
	Touches int         `json:"touches,omitempty"`
	Phases  []PhaseSpec `json:"phases,omitempty"`
}

// PhaseSpec is one phase of a Sequence: Work for the time For.
type PhaseSpec struct {
	Work WorkSpec      `json:"work"`
	For  time.Duration `json:"for_ns"`
}

// orDefault returns w with the zero value turned into CpuSpin.
func (w WorkSpec) orDefault() WorkSpec {
	if w.Kind == "" {
		return WorkSpec{Kind: KindCPUSpin}
	}
	return w
}

// String describes w with its parameters, e.g. "Bursty(50ms,100ms)".
func (w WorkSpec) String() string {
	switch w.Kind {
	case KindBursty:
		return fmt.Sprintf("Bursty(%v,%v)", w.Burst, w.Sleep)
	case KindCachePressure:
		return fmt.Sprintf("CachePressure(%dKiB)", w.cacheKiB())
	case KindCustom:
		return fmt.Sprintf("Custom(%s)", w.Name)
	case KindSequence:
		parts := make([]string, len(w.Phases))
		for i, p := range w.Phases {
			parts[i] = fmt.Sprintf("%s %v", p.Work, p.For)
		}
		return "Sequence(" + strings.Join(parts, ", ") + ")"
	}
	if k, ok := w.kind(); ok && k.describe != nil {
		return k.describe(w)
	}
	return w.orDefault().Kind
}

func (w WorkSpec) cacheKiB() int {
	if w.SizeKiB <= 0 {
		return defaultCacheKiB
	}
	return w.SizeKiB
}

// kind returns what the runtime knows about w's kind; ok is false for an
// unknown kind.
func (w WorkSpec) kind() (workKind, bool) {
	k, ok := workKinds[w.orDefault().Kind]
	return k, ok
}

// paired reports whether workers of this type work in pairs.
func (w WorkSpec) paired() bool { k, _ := w.kind(); return k.paired }

// fair reports whether the fairness check applies: every worker of the
// type asks for the CPU the same way, so equal treatment means equal
// off-CPU time. A sequence is fair when all its phases are.
func (w WorkSpec) fair() bool {
	if w.Kind == KindSequence {
		for _, p := range w.Phases {
			if !p.Work.fair() {
				return false
			}
		}
		return true
	}
	k, _ := w.kind()
	return k.fair
}

// validate checks parameters; errors say what to change.
func (w WorkSpec) validate() error {
	if w.Kind == KindSequence {
		return w.validateSequence()
	}
	k, ok := w.kind()
	switch {
	case !ok:
		return fmt.Errorf("unknown work type %q", w.Kind)
	case k.check != nil:
		return k.check(w)
	}
	return nil
}

func (w WorkSpec) validateSequence() error {
	if len(w.Phases) == 0 {
		return fmt.Errorf("work Sequence(): give at least one phase")
	}
	for i, p := range w.Phases {
		if p.For <= 0 {
			return fmt.Errorf("work %s: phase %d lasts %v; give each phase a time above 0", w, i, p.For)
		}
		if k, _ := p.Work.kind(); p.Work.Kind == KindSequence || k.paired || k.shared {
			return fmt.Errorf("work %s: phase %d is %s; phases may not be sequences, paired or shared-lock work types", w, i, p.Work.Kind)
		}
		if err := p.Work.validate(); err != nil {
			return fmt.Errorf("phase %d: %w", i, err)
		}
	}
	return nil
}
