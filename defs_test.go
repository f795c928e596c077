package gauntlet

import (
	"reflect"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
)

func TestMaxWorkersIsTheRuntimeLimit(t *testing.T) {
	if MaxWorkers != guest.MaxWorkers {
		t.Errorf("MaxWorkers %d, the runtime allows %d", MaxWorkers, guest.MaxWorkers)
	}
}

func TestCgroupDefIsAValue(t *testing.T) {
	base := Cgroup("cg_0")
	four := base.Workers(4)
	if base.s.Workers != 0 || four.s.Workers != 4 {
		t.Errorf("setters must return copies: base %d, four %d", base.s.Workers, four.s.Workers)
	}
	outer := Cgroup("outer").Nested(Cgroup("a"))
	b := outer.Nested(Cgroup("b"))
	c := outer.Nested(Cgroup("c"))
	if len(outer.s.Children) != 1 || b.s.Children[1].Name != "b" || c.s.Children[1].Name != "c" {
		t.Errorf("Nested must not share children: %+v %+v %+v", outer.s.Children, b.s.Children, c.s.Children)
	}
}

func TestCgroupDefLowers(t *testing.T) {
	d := Cgroup("cg_1").Workers(2).WorkType(Bursty(50*time.Millisecond, 100*time.Millisecond)).
		Cpuset(CpusetDisjoint(1, 2)).Affinity(AffinityRandom(2)).Policy(PolicyRR(10)).Nice(-5)
	want := guest.CgroupSpec{
		Name: "cg_1", Workers: 2, Work: guest.WorkSpec{Kind: guest.KindBursty, Burst: 50 * time.Millisecond, Sleep: 100 * time.Millisecond},
		Cpuset:   guest.CpusetSpec{Kind: guest.CpusetDisjoint, Index: 1, Of: 2},
		Affinity: guest.AffinitySpec{Kind: guest.AffinityRandom, N: 2},
		Policy:   guest.PolicySpec{Policy: guest.SchedRR, Prio: 10}, Nice: -5,
	}
	if !reflect.DeepEqual(d.s, want) {
		t.Errorf("lowered %+v\nwant    %+v", d.s, want)
	}
	if w := Cgroup("x").WorkType(WorkType{}).s.Work; w.Kind != guest.KindCPUSpin {
		t.Errorf("the zero WorkType lowers to %q, want CpuSpin", w.Kind)
	}
}

func TestStrings(t *testing.T) {
	for got, want := range map[string]string{
		CpusetOverlap(0, 2, 0.5).String(): "overlap(0/2,0.50)",
		CpusetExact(2, 0).String():        "exact(2,0)",
		AffinitySingleCPU().String():      "single-cpu",
		PolicyFIFO(50).String():           "fifo(50)",
		WorkType{}.String():               "CpuSpin",
		Sequence(Phase{CPUSpin(), time.Second}, Phase{IOSync(), time.Second}).String(): "Sequence(CpuSpin 1s, IoSync 1s)",
		HoldFraction(0.5).Loop(10 * time.Millisecond).String():                         "0.50 of duration, loop 10ms",
		AddCgroup(Cgroup("cg_2")).String():                                             "add-cgroup cg_2",
		SetCpuset("cg_0", CpusetDisjoint(0, 2)).String():                               "set-cpuset cg_0 disjoint(0/2)",
		MoveAllTasks("a", "b").String():                                                "move-all-tasks a b",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}

func TestStepLowers(t *testing.T) {
	st := Step{Defs: []CgroupDef{Cgroup("a")}, Ops: []Op{Spawn("a", 2)}, Hold: HoldFor(time.Second)}
	want := guest.StepSpec{
		Defs: []guest.CgroupSpec{{Name: "a"}},
		Ops:  []guest.OpSpec{{Kind: guest.OpSpawn, Name: "a", N: 2}},
		Hold: guest.HoldSpec{Fixed: time.Second},
	}
	if got := st.lower(); !reflect.DeepEqual(got, want) {
		t.Errorf("lowered %+v\nwant    %+v", got, want)
	}
}
