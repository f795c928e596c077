package budget

import (
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestNewCapacity(t *testing.T) {
	cases := []struct {
		h    Host
		jobs int
		want Capacity
	}{
		{Host{CPUs: 2, MemoryMiB: 24576}, 0, Capacity{CPUs: 2, MemoryMiB: 18432, Jobs: 2, Accel: spec.AccelTCG}},
		{Host{CPUs: 2, MemoryMiB: 24576}, 5, Capacity{CPUs: 2, MemoryMiB: 18432, Jobs: 5, Accel: spec.AccelTCG}},
		{Host{CPUs: 64, Accel: spec.AccelKVM}, 0, Capacity{CPUs: 64, MemoryMiB: 0, Jobs: 64, Accel: spec.AccelKVM}},
	}
	for _, c := range cases {
		if got := NewCapacity(c.h, c.jobs); got != c.want {
			t.Errorf("NewCapacity(%+v, %d) = %+v, want %+v", c.h, c.jobs, got, c.want)
		}
	}
}

func TestWeighAndFit(t *testing.T) {
	c := Capacity{CPUs: 4, MemoryMiB: 4096, Jobs: 3, Accel: spec.AccelKVM}
	if w := c.Weigh(flat(32), 2048); w != (Weight{CPUs: 4, MemoryMiB: 2048}) {
		t.Errorf("32 vCPUs on 4 kvm cores weigh %+v; want all 4 cores", w)
	}
	tcg := c
	tcg.Accel = spec.AccelTCG
	if w := tcg.Weigh(flat(8), 1024); w.CPUs != 4 {
		t.Errorf("8 vCPUs on 4 tcg cores (multi-threaded) weigh %+v; want all 4 cores", w)
	}
	if w := tcg.Weigh(flat(9), 1024); w.CPUs != 1 {
		t.Errorf("9 vCPUs on 4 tcg cores (single-threaded) weigh %+v; want 1 core", w)
	}
	one := c.Weigh(flat(1), 1024)
	u := usage{}.add(one).add(one)
	if !c.fits(u, one) {
		t.Errorf("third 1-core VM should fit beside two: %+v", u)
	}
	if c.fits(u.add(one), one) {
		t.Errorf("fourth VM fits though jobs is 3")
	}
	if c.fits(usage{}.add(c.Weigh(flat(2), 3500)), one) {
		t.Errorf("memory 3500+1024 > 4096 still fits")
	}
	if err := c.fitsAlone(Weight{CPUs: 1, MemoryMiB: 5000}); err == nil {
		t.Errorf("5000 MiB fits a 4096 MiB capacity")
	}
	if got := c.share(Weight{CPUs: 1, MemoryMiB: 3072}); got != 0.75 {
		t.Errorf("share of 1 core and 3 GiB = %v, want the memory share 0.75", got)
	}
	if got := c.share(Weight{CPUs: 1, MemoryMiB: 100}); got != 1.0/3 {
		t.Errorf("share of a small VM = %v, want one job slot 1/3", got)
	}
}
