package guest

import (
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestPayloadEnv(t *testing.T) {
	e := newPayloadEnv(spec.Spec{Payloads: []spec.Payload{{Name: "stress-ng", Binary: "/usr/bin/stress-ng"}}})
	ok := PayloadRunSpec{Payload: "stress-ng", Args: []string{"--cpu", "1"}}
	if err := e.validateSteps([]StepSpec{{Ops: []OpSpec{{Kind: OpPayload, Payload: ok}}}}); err != nil {
		t.Errorf("declared payload: %v", err)
	}
	err := e.validateSteps([]StepSpec{{}, {Ops: []OpSpec{{Kind: OpPayload, Payload: PayloadRunSpec{Payload: "cyclictest"}}}}})
	if err == nil || !strings.Contains(err.Error(), `step 1: payload cyclictest: no payload "cyclictest" in the Spec's Payloads`) {
		t.Errorf("undeclared payload: %v", err)
	}
	if err := e.validate(PayloadRunSpec{Payload: "stress-ng", Timeout: -1}); err == nil {
		t.Error("negative timeout: no error")
	}
	var labels []string
	for _, r := range []PayloadRunSpec{ok, ok, {Payload: "stress-ng", Label: "warm"}, ok} {
		labels = append(labels, e.label(r))
	}
	if got := strings.Join(labels, " "); got != "stress-ng stress-ng#2 warm stress-ng#3" {
		t.Errorf("labels %q", got)
	}
	if s := (OpSpec{Kind: OpPayload, Payload: PayloadRunSpec{Payload: "cyclictest", Args: []string{"-D", "1"}, Background: true}}).String(); s != "payload cyclictest -D 1 (background)" {
		t.Errorf("String = %q", s)
	}
	if lastLine("a\nb\n\n") != "b" || lastLine("") != "no output" {
		t.Error("lastLine")
	}
}
