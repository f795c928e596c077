package vm

import (
	"errors"
	"testing"

	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestTCGThreads(t *testing.T) {
	flat := func(n int) topo.Topology { return topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: n, ThreadsPerCore: 1} }
	for _, c := range []struct {
		mode  TCGThreads
		vcpus int
		want  bool
	}{
		{"", 4, false}, {"", 5, true}, {TCGThreadsAuto, 16, true}, {TCGThreadsAuto, 17, false},
		{TCGThreadsMulti, 32, false}, {TCGThreadsSingle, 2, true},
	} {
		r := resolved{Config: Config{Topology: flat(c.vcpus), TCGThreads: c.mode, QEMU: "/bin/true"}}
		if err := r.defaults(); err != nil {
			t.Fatal(err)
		}
		r.HostCPUs = 2 // as on a 2-core host
		if got := r.tcgSingle(); got != c.want {
			t.Errorf("%q at %d vCPUs on 2 cores: single = %v, want %v", c.mode, c.vcpus, got, c.want)
		}
	}
	r := resolved{Config: Config{TCGThreads: "one", QEMU: "/bin/true"}}
	if err := r.defaults(); !errors.Is(err, ErrBadConfig) {
		t.Errorf("TCGThreads %q: %v, want ErrBadConfig", "one", err)
	}
}
