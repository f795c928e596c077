package guest

import (
	"testing"
	"time"
)

func TestHoldDuration(t *testing.T) {
	total := 2 * time.Second
	cases := []struct {
		h    Hold
		want time.Duration
		name string
	}{
		{Hold{}, total, "full"},
		{HoldFull(), total, "full"},
		{HoldFraction(0.25), 500 * time.Millisecond, "0.25 of duration"},
		{HoldFor(300 * time.Millisecond), 300 * time.Millisecond, "300ms"},
		{HoldLoop(100 * time.Millisecond), total, "full, loop 100ms"},
		{HoldFraction(0.5).Loop(10 * time.Millisecond), time.Second, "0.50 of duration, loop 10ms"},
	}
	for _, c := range cases {
		if got := c.h.duration(total); got != c.want || c.h.String() != c.name {
			t.Errorf("%s: %v, want %v (%q)", c.h, got, c.want, c.name)
		}
	}
	if HoldLoop(time.Microsecond).validate() == nil || HoldFraction(-1).validate() == nil {
		t.Error("bad holds accepted")
	}
}

func TestOpStrings(t *testing.T) {
	ops := map[string]Op{
		"add-cgroup cg_2":               AddCgroup(Cgroup("cg_2")),
		"remove-cgroup cg_1":            RemoveCgroup("cg_1"),
		"set-cpuset cg_0 disjoint(0/2)": SetCpuset("cg_0", CpusetDisjoint(0, 2)),
		"clear-cpuset cg_0":             ClearCpuset("cg_0"),
		"swap-cpusets a b":              SwapCpusets("a", "b"),
		"spawn cg_0 3":                  Spawn("cg_0", 3),
		"stop-workers cg_0":             StopWorkers("cg_0"),
		"set-affinity cg_0 random(2)":   SetAffinity("cg_0", AffinityRandom(2)),
		"move-all-tasks a b":            MoveAllTasks("a", "b"),
	}
	for want, o := range ops {
		if o.String() != want {
			t.Errorf("%q, want %q", o.String(), want)
		}
	}
}

func TestCtxValidateRejectsBadStepsFirst(t *testing.T) {
	c := &Ctx{Workers: 2}
	if err := c.validate(nil); err == nil {
		t.Error("no steps accepted")
	}
	bad := []Step{{Defs: []CgroupDef{Cgroup("ok")}}, {Ops: []Op{AddCgroup(Cgroup("p").WorkType(PipeIo()).Workers(1))}}}
	if err := c.validate(bad); err == nil {
		t.Error("an odd PipeIo cgroup added by an op was accepted")
	}
}
