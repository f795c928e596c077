package vm

import (
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestBootEstimate(t *testing.T) {
	tcg := func(cpus int) time.Duration {
		return BootEstimate(topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: cpus, ThreadsPerCore: 1}, spec.AccelTCG)
	}
	for n, want := range map[int]time.Duration{1: 3200 * time.Millisecond, 32: 15 * time.Second} {
		if got := tcg(n); got != want {
			t.Errorf("%d vCPUs: %v, want the measured multi-threaded %v", n, got, want)
		}
	}
	if got, want := tcg(12), (3600+1500/2)*time.Millisecond; got != want {
		t.Errorf("12 vCPUs: %v, want %v (halfway between 8 and 16)", got, want)
	}
	prev := time.Duration(0)
	for n := 1; n <= topo.MaxVCPUs; n++ {
		d := tcg(n)
		if d < prev {
			t.Fatalf("estimate falls from %v to %v at %d vCPUs", prev, d, n)
		}
		prev = d
	}
	kvm := BootEstimate(topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 4, ThreadsPerCore: 1}, spec.AccelKVM)
	if kvm >= tcg(4) {
		t.Errorf("kvm estimate %v not below tcg %v", kvm, tcg(4))
	}
}

func TestDefaultTimeout(t *testing.T) {
	tp := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
	got := DefaultTimeout(tp, spec.AccelTCG, 2*time.Second)
	want := 60*time.Second + 3*BootEstimate(tp, spec.AccelTCG) + 10*time.Second
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if DefaultTimeout(tp, spec.AccelTCG, time.Minute) <= got {
		t.Error("a longer scenario does not get a longer timeout")
	}
}
