package spec

import (
	"reflect"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestSpecWithDefaults(t *testing.T) {
	got := Spec{}.WithDefaults()
	want := Spec{Topology: DefaultTopology, Duration: DefaultDuration, Workers: DefaultWorkers, Constraints: topo.DefaultConstraints}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Spec{}.WithDefaults() = %+v, want %+v", got, want)
	}
	set := Spec{Topology: "1n2l4c2t", Duration: time.Second, Workers: 5, Constraints: topo.Constraints{MaxLLCs: 4},
		MemoryMiB: 1024, Timeout: time.Minute, Scheduler: &Scheduler{Name: "scx_x"}}
	got = set.WithDefaults()
	if got.Topology != set.Topology || got.Duration != set.Duration || got.Workers != set.Workers ||
		got.MemoryMiB != 1024 || got.Timeout != time.Minute || got.Scheduler.Name != "scx_x" {
		t.Errorf("set fields changed: %+v", got)
	}
	if got.Scheduler.AttachTimeout != DefaultAttachTimeout || set.Scheduler.AttachTimeout != 0 {
		t.Errorf("attach timeout %v (the Spec's own %v): want the default in a copy", got.Scheduler.AttachTimeout, set.Scheduler.AttachTimeout)
	}
	set.Scheduler.AttachTimeout = time.Minute
	if got := set.WithDefaults(); got.Scheduler != set.Scheduler {
		t.Errorf("a set attach timeout copied the scheduler")
	}
	if got.Constraints.MaxLLCs != 4 || got.Constraints.MinLLCs != topo.DefaultConstraints.MinLLCs {
		t.Errorf("constraints %+v: want MaxLLCs kept and the rest defaulted", got.Constraints)
	}
	if neg := (Spec{Duration: -time.Second, Workers: -1}).WithDefaults(); neg.Duration != -time.Second || neg.Workers != -1 {
		t.Errorf("negative values replaced: %+v", neg)
	}
	if d := (Spec{}).WithDefaults(); d.MemoryMiB != 0 || d.Timeout != 0 || d.Scheduler != nil || d.Checks != (Checks{}) {
		t.Errorf("derived fields set: %+v", d)
	}
}

func TestSchedulerOf(t *testing.T) {
	own, over := &Scheduler{Name: "qmap"}, &Scheduler{Binary: "/x/scx_simple"}
	for _, c := range []struct {
		s    Spec
		v    Variant
		want *Scheduler
	}{
		{Spec{}, Variant{}, nil},
		{Spec{}, Variant{Scheduler: over}, over},
		{Spec{Scheduler: own}, Variant{Scheduler: over}, own},
		{Spec{Scheduler: own}, Variant{}, own},
	} {
		if got := SchedulerOf(c.s, c.v); got != c.want {
			t.Errorf("SchedulerOf(%+v, %+v) = %+v, want %+v", c.s, c.v, got, c.want)
		}
	}
}
