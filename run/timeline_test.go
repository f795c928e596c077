package run

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// The timeline weighs each VM's span by the host CPUs its assignment
// held: a VM holding both CPUs of a 2-CPU host leaves the other slot
// empty but no host CPU idle.
func TestTimelineWeighsHostCPUs(t *testing.T) {
	dir := t.TempDir()
	v := newTimelineView(dir)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	wide := budget.Assignment{Weight: budget.Weight{CPUs: 2}}
	wide.Variant = "TestWide/2cpu"
	v.runStarted(runStart{Time: t0, Slots: 2, HostCPUs: 2, Variants: []budget.Assignment{wide}})
	v.variantStarted(variantStart{Time: t0, Index: 0, A: wide})
	v.variantFinished(variantEnd{Time: t0.Add(10 * time.Second), Index: 0,
		Case: report.Case{Variant: wide.Variant, Boot: 4 * time.Second, Outcome: spec.OutcomePass}})
	v.runFinished(runEnd{Time: t0.Add(10 * time.Second)})
	if v.err != nil {
		t.Fatal(v.err)
	}
	tl, err := os.ReadFile(filepath.Join(dir, TimelineFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"2 slots x 10s = 20s of slot time: scenarios 6s (30%), booting 4s (20%), idle 10s (50%); each VM counted once, in its slot\n",
		"2 host CPUs x 10s = 20s of host CPU time: scenarios 12s (60%), booting 8s (40%), idle 0s (0%); each VM counted once per host CPU it holds\n",
		"TestWide/2cpu (x2: holds 2 host CPUs)",
	} {
		if !strings.Contains(string(tl), want) {
			t.Errorf("timeline lacks %q:\n%s", want, tl)
		}
	}
}
