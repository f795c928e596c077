package gauntlet

import (
	"reflect"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestSpecLowers(t *testing.T) {
	s := Spec{
		Topology: "1n2l2c1t", Constraints: topo.Constraints{MinLLCs: 2},
		Scheduler: &Scheduler{Name: "scx_x", Binary: "/bin/scx_x", Args: []string{"-v"},
			Flags: []Flag{{Name: "llc", Args: []string{"--llc"}, Requires: []string{"x"}}}},
		RequiredFlags: []string{"llc"}, ExcludedFlags: []string{"y"},
		Duration: time.Second, Workers: 3, MemoryMiB: 512, Timeout: time.Minute,
		Checks: Checks{MaxGap: time.Second, MaxSpread: 10, MinWorkUnits: 5, DisableIsolation: true},
	}
	want := spec.Spec{
		Topology: "1n2l2c1t", Constraints: topo.Constraints{MinLLCs: 2},
		Scheduler: &spec.Scheduler{Name: "scx_x", Binary: "/bin/scx_x", Args: []string{"-v"},
			Flags: []spec.Flag{{Name: "llc", Args: []string{"--llc"}, Requires: []string{"x"}}}},
		RequiredFlags: []string{"llc"}, ExcludedFlags: []string{"y"},
		Duration: time.Second, Workers: 3, MemoryMiB: 512, Timeout: time.Minute,
		Checks: spec.Checks{MaxGap: time.Second, MaxSpread: 10, MinWorkUnits: 5, DisableIsolation: true},
	}
	if got := s.lower(); !reflect.DeepEqual(got, want) {
		t.Errorf("lowered %+v\nwant    %+v", got, want)
	}
	if (Spec{}).lower().Scheduler != nil {
		t.Error("no scheduler must lower to nil (EEVDF)")
	}
}
