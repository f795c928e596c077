package budget

import (
	"fmt"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// shareSet is n tests in one package at one 2-vCPU topology, every one
// of them bootable in the same VM; each also has a variant at a 4-vCPU
// topology (another boot key).
func shareSet(n int) []Candidate {
	var out []Candidate
	for i := range n {
		test := fmt.Sprintf("Test%02d", i)
		c := Candidate{Package: "p", Test: test, Variant: test, Base: true, Profile: "default",
			Topology: topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}, BootKey: "p 2"}
		v := c
		v.Variant, v.Base, v.Preset, v.BootKey = test+"/big/default", false, "big", "p 4"
		v.Topology.CoresPerLLC = 4
		out = append(out, c, v)
	}
	return out
}

// fixedCost costs every candidate a 6 s boot, a 3 s test and a 1 s
// teardown.
func fixedCost(*Candidate) Cost {
	return Cost{Boot: 6 * time.Second, Test: 3 * time.Second, Teardown: time.Second, Source: SourceModel}
}

// A group of variants of one boot run back to back in one VM: one boot,
// then the tests.
func TestSelectShareBootsOneVM(t *testing.T) {
	cs := shareSet(4)[:0]
	for _, c := range shareSet(4) {
		if c.Base {
			cs = append(cs, c)
		}
	}
	p, err := Select(cs, Options{Host: tcgHost, Jobs: 1, ShareBoots: true, costModel: fixedCost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	if want := 6*time.Second + 4*(3+1)*time.Second; p.EstWall != want || !p.ShareBoots {
		t.Errorf("EstWall %s (sharing %v), want one boot and four tests, %s", p.EstWall, p.ShareBoots, want)
	}
	if n, saved := p.SharedBoots(); n != 3 || saved != 18*time.Second {
		t.Errorf("SharedBoots = %d, %s; want 3 variants saving 3 boots, 18s", n, saved)
	}
	for i, a := range p.Selected {
		if a.SharedBoot != (i > 0) || a.Slot != 0 {
			t.Errorf("%s: shared %v slot %d; want all but the first sharing slot 0", a.Variant, a.SharedBoot, a.Slot)
		}
	}
	// Without ShareBoots nothing changes: four boots.
	p, _ = Select(cs, Options{Host: tcgHost, Jobs: 1, costModel: fixedCost})
	if n, _ := p.SharedBoots(); p.EstWall != 40*time.Second || n != 0 || p.ShareBoots {
		t.Errorf("without sharing: EstWall %s, %d shared; want 40s, none", p.EstWall, n)
	}
}

// Side by side, each VM pays one boot: two slots of 1-vCPU VMs run two
// chains.
func TestSelectShareBootsTwoSlots(t *testing.T) {
	var cs []Candidate
	for i := range 6 {
		test := fmt.Sprintf("Test%d", i)
		cs = append(cs, Candidate{Package: "p", Test: test, Variant: test, Base: true, Topology: topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 1, ThreadsPerCore: 1}, BootKey: "k"})
	}
	p, err := Select(cs, Options{Host: tcgHost, ShareBoots: true, costModel: fixedCost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	if n, _ := p.SharedBoots(); p.EstWall != 6*time.Second+3*4*time.Second || n != 4 {
		t.Errorf("EstWall %s, %d shared; want two VMs of one boot and three tests each (18s), 4 shared", p.EstWall, n)
	}
}

// With sharing the same budget buys more variants, and the plan still
// ends within it.
func TestSelectShareBootsBuysMore(t *testing.T) {
	cs := shareSet(20)
	budget := 2 * time.Minute
	fresh, err := Select(cs, Options{Host: tcgHost, Budget: budget, costModel: fixedCost})
	if err != nil {
		t.Fatal(err)
	}
	shared, err := Select(cs, Options{Host: tcgHost, Budget: budget, ShareBoots: true, costModel: fixedCost})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, fresh, cs)
	checkPlan(t, shared, cs)
	n, saved := shared.SharedBoots()
	if len(shared.Selected) < 2*len(fresh.Selected) || n == 0 || saved != time.Duration(n)*6*time.Second {
		t.Errorf("%s budget: %d variants in fresh VMs, %d sharing boots (%d shared, saving %s); want at least twice as many",
			budget, len(fresh.Selected), len(shared.Selected), n, saved)
	}
	// Base gating holds: no preset variant without its base.
	sel := map[string]bool{}
	for _, a := range shared.Selected {
		sel[a.Variant] = true
	}
	for _, a := range shared.Selected {
		if !a.Base && !sel[a.Test] {
			t.Errorf("%s selected without its base %s", a.Variant, a.Test)
		}
	}
	// A shard of a sharing plan is predicted with sharing too.
	for k := 1; k <= 2; k++ {
		s, err := shared.Shard(k, 2)
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, s, cs)
		if !s.ShareBoots {
			t.Errorf("shard %d/2 does not count shared boots", k)
		}
	}
}

// The plan's prediction of a shared boot takes each variant's own
// measured times: the first in a VM its fresh-VM cost, the others their
// test in a reused VM, faster than in a fresh one. Measured so, three
// tests of one boot fill a 19 s budget: 5 s boot + 6 s, then 4 s each.
func TestSelectShareBootsSharedTestTime(t *testing.T) {
	var cs []Candidate
	fresh := &Results{Version: 1, RunID: "fresh", Started: time.Unix(1, 0), Host: Host{CPUs: 2}, Accel: tcgHost.Accel}
	shared := &Results{Version: 1, RunID: "shared", Started: time.Unix(2, 0), Host: Host{CPUs: 2}, Accel: tcgHost.Accel}
	for _, test := range []string{"TestA", "TestB", "TestC"} {
		c := Candidate{Package: "p", Test: test, Variant: test, Base: true, Topology: flat(2), BootKey: "p 2"}
		cs = append(cs, c)
		v := VariantResult{Package: "p", Test: test, Variant: test, Topology: flat(2), VCPUs: 2, Accel: tcgHost.Accel, Outcome: spec.OutcomePass}
		v.BootS, v.TestS, v.TotalS = 5, 6, 11
		fresh.Variants = append(fresh.Variants, v)
		v.BootS, v.TestS, v.TotalS, v.SharedBoot = 0, 4, 4, "vm-1"
		shared.Variants = append(shared.Variants, v)
	}
	p, err := Select(cs, Options{Host: tcgHost, Jobs: 1, Budget: 19 * time.Second, ShareBoots: true, History: NewHistory(fresh, shared)})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, cs)
	if len(p.Selected) != 3 || p.EstWall != 19*time.Second {
		t.Fatalf("selected %d, EstWall %s; want all 3 in 19s (one boot, one fresh test, two shared)", len(p.Selected), p.EstWall)
	}
	for i, a := range p.Selected {
		want := 11 * time.Second
		if i > 0 {
			want = 4 * time.Second
		}
		if a.SharedBoot != (i > 0) || a.Est() != want {
			t.Errorf("%s: shared %v, est %s; want %s", a.Variant, a.SharedBoot, a.Est(), want)
		}
	}
	if n, saved := p.SharedBoots(); n != 2 || saved != 2*7*time.Second {
		t.Errorf("SharedBoots = %d, %s; want 2 saving 14s (a boot and 2s of test each)", n, saved)
	}
}

// predictChains runs chainSchedule on cs in their order, every job a
// 6 s boot and a 4 s test on one host CPU, and returns the slots, the
// shared flags and the end.
func predictChains(t *testing.T, cs []Candidate, jobs int) ([]time.Duration, []int, []bool, time.Duration) {
	t.Helper()
	c := NewCapacity(tcgHost, jobs)
	bs, _ := bootGroups(cs)
	return bs.schedule(nil, c, func(i int32) (job, time.Duration) {
		return job{dur: 10 * time.Second, w: c.Weigh(cs[i].Topology, cs[i].guestMemoryMiB())}, 4 * time.Second
	})
}

func oneCPU(test, key string, files ...string) Candidate {
	return Candidate{Package: "p", Test: test, Variant: test, Base: true,
		Topology: topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 1, ThreadsPerCore: 1}, BootKey: key, BootFiles: files}
}

// A variant packed with payloads boots first and the variants of its key
// that need no payloads run in its VM; the reverse cannot be, so started
// in plan order it would cost a second boot.
func TestChainScheduleSupersetBootsFirst(t *testing.T) {
	cs := []Candidate{oneCPU("TestA", "k"), oneCPU("TestB", "k"), oneCPU("TestPayloads", "k", "stress-ng", "cyclictest"), oneCPU("TestC", "k", "cyclictest")}
	starts, slots, shared, end := predictChains(t, cs, 1)
	if !shared[0] || !shared[1] || shared[2] || !shared[3] {
		t.Errorf("shared = %v, want only TestPayloads (index 2) booting", shared)
	}
	if starts[2] != 0 || end != 10*time.Second+3*4*time.Second {
		t.Errorf("TestPayloads starts at %s, end %s; want 0 and one boot + three shared tests (22s)", starts[2], end)
	}
	for i, s := range slots {
		if s != 0 {
			t.Errorf("%s in slot %d, want 0", cs[i].Test, s)
		}
	}
	// A VM packed with cyclictest only cannot run TestPayloads.
	cs = []Candidate{oneCPU("TestC", "k", "cyclictest"), oneCPU("TestD", "k", "stress-ng")}
	if _, _, shared, _ := predictChains(t, cs, 1); shared[0] || shared[1] {
		t.Errorf("shared = %v for two variants of disjoint files; want two boots", shared)
	}
}

// With two slots the second starts a key nobody runs yet rather than a
// second VM of the first's key, which would boot the same VM twice.
func TestChainScheduleStartsAnotherKey(t *testing.T) {
	cs := []Candidate{oneCPU("A1", "a"), oneCPU("A2", "a"), oneCPU("B1", "b"), oneCPU("B2", "b")}
	starts, slots, shared, end := predictChains(t, cs, 2)
	if starts[0] != 0 || starts[2] != 0 || slots[0] == slots[2] {
		t.Errorf("starts %v slots %v; want A1 and B1 at 0 in two slots", starts, slots)
	}
	if !shared[1] || !shared[3] || slots[1] != slots[0] || slots[3] != slots[2] {
		t.Errorf("shared %v slots %v; want A2 in A1's VM and B2 in B1's", shared, slots)
	}
	if end != 14*time.Second {
		t.Errorf("end %s, want one boot and two tests per slot, 14s", end)
	}
	// One key only: both slots boot it rather than leave one idle.
	cs = []Candidate{oneCPU("A1", "a"), oneCPU("A2", "a"), oneCPU("A3", "a"), oneCPU("A4", "a")}
	if starts, _, _, end := predictChains(t, cs, 2); starts[1] != 0 || end != 14*time.Second {
		t.Errorf("one key: A2 starts at %s, end %s; want 0 and 14s", starts[1], end)
	}
}
