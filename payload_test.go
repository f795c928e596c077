package gauntlet

import (
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestPayloadsLower(t *testing.T) {
	s := Spec{Payloads: []Payload{StressNG(), Hackbench()}, MetricBounds: []MetricBound{MetricAtMost("a", 5), MetricWithin("b", 1, 2)}}.lower()
	if len(s.Payloads) != 2 || s.Payloads[0].Output != spec.OutputStressNGYAML || s.Payloads[1].Patterns[0].Name != "time_s" || s.Payloads[1].Package != "rt-tests" {
		t.Errorf("payloads lowered to %+v", s.Payloads)
	}
	b := s.MetricBounds
	if len(b) != 2 || *b[0].Max != 5 || b[0].Min != nil || *b[1].Min != 1 || *b[1].Max != 2 {
		t.Errorf("bounds lowered to %+v", b)
	}
	op := RunPayload(PayloadRun{Payload: "cyclictest", Args: []string{"-D", "1"}, Background: true, Cgroup: "cg_0"})
	if op.s.Kind != guest.OpPayload || op.s.Payload.Cgroup != "cg_0" || op.String() != "payload cyclictest -D 1 (background)" {
		t.Errorf("RunPayload = %+v (%s)", op.s, op)
	}
}
