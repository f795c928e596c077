package guest

import (
	"testing"
	"time"
)

func TestHoldDuration(t *testing.T) {
	total := 2 * time.Second
	cases := []struct {
		h    HoldSpec
		want time.Duration
		name string
	}{
		{HoldSpec{}, total, "full"},
		{HoldSpec{Frac: 1}, total, "full"},
		{HoldSpec{Frac: 0.25}, 500 * time.Millisecond, "0.25 of duration"},
		{HoldSpec{Fixed: 300 * time.Millisecond}, 300 * time.Millisecond, "300ms"},
		{HoldSpec{Frac: 1, Every: 100 * time.Millisecond}, total, "full, loop 100ms"},
		{HoldSpec{Frac: 0.5, Every: 10 * time.Millisecond}, time.Second, "0.50 of duration, loop 10ms"},
	}
	for _, c := range cases {
		if got := c.h.duration(total); got != c.want || c.h.String() != c.name {
			t.Errorf("%s: %v, want %v (%q)", c.h, got, c.want, c.name)
		}
	}
	if (HoldSpec{Every: time.Microsecond}).validate() == nil || (HoldSpec{Frac: -1}).validate() == nil {
		t.Error("bad holds accepted")
	}
}

func TestOpStrings(t *testing.T) {
	ops := map[string]OpSpec{
		"add-cgroup cg_2":               {Kind: OpAdd, Def: CgroupSpec{Name: "cg_2"}},
		"remove-cgroup cg_1":            {Kind: OpRemove, Name: "cg_1"},
		"set-cpuset cg_0 disjoint(0/2)": {Kind: OpSetCpuset, Name: "cg_0", Cpuset: CpusetSpec{Kind: CpusetDisjoint, Of: 2}},
		"clear-cpuset cg_0":             {Kind: OpClearCpuset, Name: "cg_0"},
		"swap-cpusets a b":              {Kind: OpSwapCpusets, Name: "a", Other: "b"},
		"spawn cg_0 3":                  {Kind: OpSpawn, Name: "cg_0", N: 3},
		"stop-workers cg_0":             {Kind: OpStop, Name: "cg_0"},
		"set-affinity cg_0 random(2)":   {Kind: OpSetAffinity, Name: "cg_0", Affinity: AffinitySpec{Kind: AffinityRandom, N: 2}},
		"move-all-tasks a b":            {Kind: OpMoveAll, Name: "a", Other: "b"},
	}
	for want, o := range ops {
		if o.String() != want {
			t.Errorf("%q, want %q", o.String(), want)
		}
	}
}

func TestValidateStepsRejectsBadStepsFirst(t *testing.T) {
	if err := validateSteps(nil, 2); err == nil {
		t.Error("no steps accepted")
	}
	oddPipe := CgroupSpec{Name: "p", Work: WorkSpec{Kind: KindPipeIO}, Workers: 1}
	bad := []StepSpec{{Defs: []CgroupSpec{{Name: "ok"}}}, {Ops: []OpSpec{{Kind: OpAdd, Def: oddPipe}}}}
	if err := validateSteps(bad, 2); err == nil {
		t.Error("an odd PipeIo cgroup added by an op was accepted")
	}
}
