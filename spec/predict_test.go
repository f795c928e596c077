package spec

import (
	"strings"
	"testing"
	"time"
)

// TestPredictInconclusive: under TCG a variant is predicted conclusive
// only with at most one vCPU per host CPU on multi-threaded TCG; under
// KVM up to 1.5 vCPUs per host CPU; limits the test sets are its own.
func TestPredictInconclusive(t *testing.T) {
	own := Checks{MaxGap: 10 * time.Second, MaxSpread: 80, MaxRunDelay: 5 * time.Second}
	for _, c := range []struct {
		accel     Accel
		vcpus     int
		host      int
		checks    Checks
		wantInTxt string // "" means conclusive
	}{
		{AccelTCG, 2, 2, Checks{}, ""},
		{AccelTCG, 1, 2, Checks{}, ""},
		{AccelTCG, 3, 2, Checks{}, "under TCG 3 vCPUs on 2 host CPUs"},
		{AccelTCG, 14, 2, Checks{}, "at most 2 vCPUs"},
		{AccelTCG, 2, 0, Checks{}, "under TCG"},
		{AccelTCG, 14, 2, own, ""},
		{AccelTCG, 14, 2, Checks{MaxGap: time.Second, MaxSpread: 20}, "under TCG"},
		{AccelKVM, 3, 2, Checks{}, ""},
		{AccelKVM, 4, 2, Checks{}, "4 vCPUs on 2 host CPUs"},
	} {
		got := PredictInconclusive(c.accel, c.vcpus, c.host, c.checks)
		if (c.wantInTxt == "") != (got == "") || !strings.Contains(got, c.wantInTxt) {
			t.Errorf("%s %d vCPUs on %d, checks %+v: %q, want %q", c.accel, c.vcpus, c.host, c.checks, got, c.wantInTxt)
		}
	}
}

// TestTCGDedicated: the guest's and the planner's shared rule.
func TestTCGDedicated(t *testing.T) {
	for _, c := range []struct {
		vcpus, host int
		single      bool
		want        bool
	}{{2, 2, false, true}, {2, 2, true, false}, {3, 2, false, false}, {2, 0, false, false}, {0, 2, false, false}, {16, 16, false, true}} {
		if got := TCGDedicated(c.vcpus, c.host, c.single); got != c.want {
			t.Errorf("TCGDedicated(%d, %d, %v) = %v", c.vcpus, c.host, c.single, got)
		}
	}
}
