package gauntlet

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestCheckErrorCrossesTheRuntime(t *testing.T) {
	rt := &guest.CheckError{Failures: []string{"starved: cg_0 worker 0"}, Thresholds: spec.Thresholds{MaxGap: 1e9}}
	err := fromRuntime(rt)
	var ce *CheckError
	if !errors.As(err, &ce) || ce.Failures[0] != "starved: cg_0 worker 0" || ce.Error() != rt.Error() {
		t.Fatalf("fromRuntime = %#v", err)
	}
	// The harness must still see a wrapped CheckError as check failures.
	var back *guest.CheckError
	if !errors.As(fmt.Errorf("scenario: %w", ce), &back) || !strings.HasPrefix(back.Error(), "starved: ") {
		t.Errorf("the runtime does not see the CheckError: %v", back)
	}
	if got := fromRuntime(io.EOF); got != io.EOF {
		t.Errorf("other errors must pass: %v", got)
	}
}
