package guest

import (
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestVariantFromEnv(t *testing.T) {
	t.Setenv(spec.EnvVariant, `{"name":"TestX/tiny-1llc/llc","topology":"1n1l4c1t","flags":["llc"],"accel":"tcg"}`)
	v, err := variantFromEnv("TestX", spec.Spec{})
	if err != nil || v.Name != "TestX/tiny-1llc/llc" || v.Topology.CPUs() != 4 || v.Flags[0] != "llc" {
		t.Errorf("variant %+v, %v", v, err)
	}
	t.Setenv(spec.EnvVariant, "")
	v, err = variantFromEnv("TestY", spec.Spec{Topology: "2,2,1", RequiredFlags: []string{"a"}})
	if err != nil || v.Name != "TestY" || v.Topology.LLCs != 2 || len(v.Flags) != 1 {
		t.Errorf("base variant %+v, %v", v, err)
	}
	t.Setenv(spec.EnvVariant, "{")
	if _, err := variantFromEnv("T", spec.Spec{}); err == nil {
		t.Error("bad variant json accepted")
	}
}

// TestOverrideHint: a --scheduler binary that never attached gets a line
// saying what to do; a Spec's own scheduler, or one that attached, none.
func TestOverrideHint(t *testing.T) {
	over := &spec.Scheduler{Binary: "/host/scx_qmap", Args: []string{"-Z"}}
	g := &guestRun{override: over, kernel: "/k/bzImage-scx (from GAUNTLET_SCX_KERNEL)"}
	for _, c := range []struct {
		e    spec.SchedulerExit
		want string
	}{
		{spec.SchedulerExit{DetectedBy: spec.DetectedLoader, Loader: "exit status 1"},
			`check --scheduler-args "-Z" and that it loads on this kernel; try it by hand: gauntlet shell --kernel /k/bzImage-scx -i /host/scx_qmap -- scx_qmap -Z`},
		{spec.SchedulerExit{DetectedBy: spec.DetectedTimeout}, "is it a sched_ext scheduler"},
		{spec.SchedulerExit{DetectedBy: spec.DetectedStart}, "give --scheduler a sched_ext scheduler executable"},
	} {
		if got := g.hint(&c.e); !strings.Contains(got, c.want) {
			t.Errorf("hint for %+v = %q, want %q", c.e, got, c.want)
		}
	}
	noArgs := &guestRun{override: &spec.Scheduler{Binary: "/bin/false"}}
	if got := noArgs.hint(&spec.SchedulerExit{DetectedBy: spec.DetectedLoader}); got != "check that it loads on this kernel; try it by hand: gauntlet shell --kernel SCHED_EXT_KERNEL -i /bin/false -- false" {
		t.Errorf("no args: %q", got)
	}
	if got := g.hint(&spec.SchedulerExit{Attached: true, Kind: spec.ExitStall}); got != "" {
		t.Errorf("an attached scheduler's exit got a hint: %q", got)
	}
	if got := (&guestRun{}).hint(&spec.SchedulerExit{DetectedBy: spec.DetectedTimeout}); got != "" {
		t.Errorf("a Spec's own scheduler got a hint: %q", got)
	}
	e := &SchedulerExitError{Exit: &spec.SchedulerExit{Scheduler: "scx_qmap", DetectedBy: spec.DetectedLoader, Loader: "exit status 1"}, Hint: "do this"}
	if got := e.Error(); got != "scheduler scx_qmap never attached: loader exit status 1; do this" {
		t.Errorf("Error() = %q", got)
	}
}
