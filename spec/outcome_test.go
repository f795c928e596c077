package spec

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseOutcome(t *testing.T) {
	for _, o := range outcomes {
		if got, err := ParseOutcome(o.String()); got != o || err != nil {
			t.Errorf("ParseOutcome(%q) = %q, %v", o, got, err)
		}
	}
	for old, want := range map[string]Outcome{"passed": OutcomePass, "kernel-panic": OutcomeKernelPanic,
		"timed-out": OutcomeTimeout, "qemu-failed": OutcomeQEMUFailed, "accel-unusable": OutcomeAccelUnusable, "crashed": OutcomeCrash} {
		if got, err := ParseOutcome(old); got != want || err != nil {
			t.Errorf("ParseOutcome(%q) = %q, %v; want %q", old, got, err, want)
		}
	}
	_, err := ParseOutcome("ok")
	if err == nil || !strings.Contains(err.Error(), `"ok"`) || !strings.Contains(err.Error(), "pass, fail, skip, crash, kernel_panic, timeout, qemu_failed, accel_unusable, not_run, inconclusive") {
		t.Errorf("ParseOutcome(ok): %v", err)
	}
}

// TestOutcomeJSON: old spellings decode to the outcome, the wire spelling
// is written back, and unknown text survives for validation to report.
func TestOutcomeJSON(t *testing.T) {
	var v struct{ O []Outcome }
	if err := json.Unmarshal([]byte(`{"O":["kernel-panic","timeout","bogus"]}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.O[0] != OutcomeKernelPanic || v.O[1] != OutcomeTimeout || v.O[2] != "bogus" {
		t.Errorf("decoded %q", v.O)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"O":["kernel_panic","timeout","bogus"]}` {
		t.Errorf("encoded %s", b)
	}
}

func TestOutcomeQuestions(t *testing.T) {
	tests := []struct {
		o                          Outcome
		passed, failed, infra, ran bool
	}{
		{OutcomePass, true, false, false, true},
		{OutcomeFail, false, true, false, true},
		{OutcomeSkip, false, false, false, true},
		{OutcomeCrash, false, true, false, true},
		{OutcomeKernelPanic, false, true, false, true},
		{OutcomeTimeout, false, true, false, true},
		{OutcomeQEMUFailed, false, true, true, true},
		{OutcomeAccelUnusable, false, true, true, true},
		{OutcomeNotRun, false, false, true, false},
		{OutcomeInconclusive, false, false, false, true},
	}
	if len(tests) != len(outcomes) {
		t.Fatalf("%d outcomes tested, %d exist", len(tests), len(outcomes))
	}
	for _, tc := range tests {
		if tc.o.Passed() != tc.passed || tc.o.Failed() != tc.failed || tc.o.Infra() != tc.infra || tc.o.Ran() != tc.ran {
			t.Errorf("%s: passed %v failed %v infra %v ran %v; want %v %v %v %v", tc.o,
				tc.o.Passed(), tc.o.Failed(), tc.o.Infra(), tc.o.Ran(), tc.passed, tc.failed, tc.infra, tc.ran)
		}
	}
}
