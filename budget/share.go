package budget

import (
	"fmt"
	"slices"
	"time"
)

// Boot sharing ([Options.ShareBoots]): the runner runs a variant in the VM
// booted for another when both have the same [Candidate.BootKey], the
// variant's [Candidate.BootFiles] are among those the VM was booted with,
// and the variant before it in that VM passed clean. The plan predicts
// that runner: when a slot is free it starts, in plan order, the first
// variant no running VM could run later (else the first one), or in its
// place a variant of the same key whose files are a superset of its own
// (a VM booted with a test's payloads runs the tests that need none; the
// reverse cannot be), each as soon as it fits beside those running; when
// one ends, the VM claims the first variant of its key in plan order not
// yet started whose files it has and runs it at once, in the same slot
// and under the same weight, for its test and teardown only; only a VM
// with none left powers off and frees its weight. The prediction assumes
// every test passes, as the estimates do. The runner starts variants in
// the order of the predicted starts, so it makes the same choices when
// the estimates hold.

// launchLookahead bounds how far past the first variant not started the
// prediction looks for one no running VM could run.
const launchLookahead = 64

// bootSets numbers candidates' boot keys and file sets.
type bootSets struct {
	group []int32 // by candidate: its key's number, -1 for an empty key
	fset  []int32 // by candidate: its file set's number
	// within[a][b] says file set a is a subset of file set b; size[a] is
	// how many files set a has.
	within [][]bool
	size   []int
}

// hosts says a VM booted for file set h can run a candidate of file set f.
func (bs *bootSets) hosts(h, f int32) bool { return bs.within[f][h] }

// bootGroups numbers the boot keys and file sets of cs. ok is false when
// no two candidates share a key (sharing changes nothing).
func bootGroups(cs []Candidate) (bs *bootSets, ok bool) {
	bs = &bootSets{group: make([]int32, len(cs)), fset: make([]int32, len(cs))}
	ids := map[string]int32{}
	setIDs := map[string]int32{}
	var sets [][]string
	for i := range cs {
		fk := fmt.Sprintf("%q", cs[i].BootFiles)
		f, seen := setIDs[fk]
		if !seen {
			f = int32(len(sets))
			setIDs[fk] = f
			sets = append(sets, cs[i].BootFiles)
		}
		bs.fset[i] = f
		k := cs[i].BootKey
		if k == "" {
			bs.group[i] = -1
			continue
		}
		id, seen := ids[k]
		if !seen {
			id = int32(len(ids))
			ids[k] = id
		}
		ok = ok || seen
		bs.group[i] = id
	}
	bs.within, bs.size = make([][]bool, len(sets)), make([]int, len(sets))
	for a, sa := range sets {
		bs.size[a] = len(sa)
		bs.within[a] = make([]bool, len(sets))
		for b, sb := range sets {
			bs.within[a][b] = subset(sa, sb)
		}
	}
	return bs, ok
}

// schedule predicts the run of candidates order (numbers of bs, in plan
// order; nil: all of them, in their order) with [chainSchedule]; of gives
// candidate i's job and its duration when it shares a boot.
func (bs *bootSets) schedule(order []int32, c Capacity, of func(i int32) (job, time.Duration)) (starts []time.Duration, slots []int, shared []bool, end time.Duration) {
	if order == nil {
		order = make([]int32, len(bs.group))
		for i := range order {
			order[i] = int32(i)
		}
	}
	jobs := make([]job, len(order))
	sj := shareJobs{short: make([]time.Duration, len(order)), group: make([]int32, len(order)), fset: make([]int32, len(order)), sets: bs}
	for k, i := range order {
		jobs[k], sj.short[k] = of(i)
		sj.group[k], sj.fset[k] = bs.group[i], bs.fset[i]
	}
	return chainSchedule(jobs, sj, c)
}

// subset says every string of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// shareJobs is what [chainSchedule] needs besides the jobs: per job (in
// plan order) its duration when it shares a boot, its boot group (-1 for
// none) and its file set, numbered by sets.
type shareJobs struct {
	short []time.Duration
	group []int32
	fset  []int32
	sets  *bootSets
}

// chainSchedule predicts the run of jobs in plan order with boot sharing
// and returns each job's start and slot, whether it shares a boot, and
// the makespan.
func chainSchedule(jobs []job, sj shareJobs, c Capacity) (starts []time.Duration, slots []int, shared []bool, end time.Duration) {
	n := len(jobs)
	starts, slots, shared = make([]time.Duration, n), make([]int, n), make([]bool, n)
	claimed := make([]bool, n)
	members := map[int32][]int32{}
	for i, g := range sj.group {
		if g >= 0 {
			members[g] = append(members[g], int32(i))
		}
	}
	cursor := map[int32]int{} // by group: its members before it are claimed
	unclaimed := func(g int32) []int32 {
		ms := members[g]
		k := cursor[g]
		for k < len(ms) && claimed[ms[k]] {
			k++
		}
		cursor[g] = k
		return ms[k:]
	}
	// claimNext claims for a VM booted with file set h.
	claimNext := func(g, h int32) int32 {
		for _, m := range unclaimed(g) {
			if !claimed[m] && sj.sets.hosts(h, sj.fset[m]) {
				return m
			}
		}
		return -1
	}
	running := map[int32][]int32{} // by group: the file sets of its running VMs
	covered := func(i int) bool {
		g := sj.group[i]
		return g >= 0 && slices.ContainsFunc(running[g], func(h int32) bool { return sj.sets.hosts(h, sj.fset[i]) })
	}
	// pick is the job to start next, first is the first not started.
	pick := func(first int) int {
		i := first
		for k := first; k < n && k < first+launchLookahead; k++ {
			if !claimed[k] && !covered(k) {
				i = k
				break
			}
		}
		g := sj.group[i]
		if g < 0 {
			return i
		}
		f := sj.fset[i]
		for _, m := range unclaimed(g) {
			if fm := sj.fset[m]; !claimed[m] && sj.sets.size[fm] > sj.sets.size[sj.fset[i]] && sj.sets.hosts(fm, f) {
				i = int(m)
			}
		}
		return i
	}
	type vmRun struct {
		end  time.Duration
		i    int32
		host int32 // file set it booted with
		slot int
	}
	busy := minHeap[vmRun]{less: func(a, b vmRun) bool { return a.end < b.end || (a.end == b.end && a.slot < b.slot) }}
	free := minHeap[int]{less: func(a, b int) bool { return a < b }}
	var u usage
	var t time.Duration
	next, nextSlot := 0, 0
	for {
		for {
			for next < n && claimed[next] {
				next++
			}
			if next == n {
				break
			}
			i := pick(next)
			w := jobs[i].w
			if u.jobs > 0 && !c.fits(u, w) {
				break
			}
			slot := nextSlot
			if free.len() > 0 {
				slot = free.pop()
			} else {
				nextSlot++
			}
			claimed[i], starts[i], slots[i] = true, t, slot
			u = u.add(w)
			if g := sj.group[i]; g >= 0 {
				running[g] = append(running[g], sj.fset[i])
			}
			busy.push(vmRun{t + jobs[i].dur, int32(i), sj.fset[i], slot})
		}
		if busy.len() == 0 {
			return starts, slots, shared, t
		}
		t = busy.peek().end
		for busy.len() > 0 && busy.peek().end == t {
			r := busy.pop()
			g := sj.group[r.i]
			if g >= 0 {
				if j := claimNext(g, r.host); j >= 0 {
					claimed[j], shared[j], starts[j], slots[j] = true, true, t, r.slot
					busy.push(vmRun{t + sj.short[j], j, r.host, r.slot})
					continue
				}
				hs := running[g]
				if k := slices.Index(hs, r.host); k >= 0 {
					running[g] = slices.Delete(hs, k, k+1)
				}
			}
			u = u.sub(jobs[r.i].w)
			free.push(r.slot)
		}
	}
}

// sharePlan is the prediction of a set of candidates (indexes into the
// selector's, in plan order) run with boot sharing.
type sharePlan struct {
	order  []int32
	starts []time.Duration
	slots  []int
	shared []bool
	end    time.Duration
}

// simulate predicts order, a plan order of candidates, with sharing.
func (s *selector) simulate(order []int32) sharePlan {
	starts, slots, shared, end := s.boots.schedule(order, s.cap, func(i int32) (job, time.Duration) { return s.jobs[i], s.costs[i].Shared() })
	return sharePlan{order, starts, slots, shared, end}
}

// shareTopUp adds rejected candidates to a selection run with boot
// sharing while the prediction stays within the budget: those whose boot
// key a selected candidate has (each costs its test only) before the
// others, in the order they were rejected (the most valuable first).
// It goes over them again while it adds some (an added base variant
// opens its test's other variants); a candidate that did not fit is not
// tried again, and it gives up after 2 x topUpTries of them. Each added
// candidate goes to the end of the plan order; base gating holds.
func (g *greedy) shareTopUp(sp sharePlan) sharePlan {
	inPlan := map[int32]bool{}
	for _, i := range sp.order {
		if gr := g.s.boots.group[i]; gr >= 0 {
			inPlan[gr] = true
		}
	}
	cheap := func(i int32) bool { gr := g.s.boots.group[i]; return gr >= 0 && inPlan[gr] }
	missed := map[int32]bool{}
	for added := true; added; {
		added = false
		for _, want := range []bool{true, false} {
			still := g.rejected[:0:0]
			for _, i := range g.rejected {
				if cheap(i) != want || missed[i] || len(missed) >= 2*topUpTries || g.s.jobs[i].dur > g.budget || !g.eligible(i) {
					still = append(still, i)
					continue
				}
				try := g.s.simulate(append(sp.order[:len(sp.order):len(sp.order)], i))
				if try.end > g.budget {
					missed[i] = true
					still = append(still, i)
					continue
				}
				sp, added = try, true
				g.selected[i] = true
				if gr := g.s.boots.group[i]; gr >= 0 {
					inPlan[gr] = true
				}
				for _, id := range g.s.feats.of(i) {
					g.count[id]++
				}
			}
			g.rejected = still
		}
	}
	return sp
}

// assignments turns a prediction into the plan's assignments, by start,
// then slot.
func (s *selector) assignments(sp sharePlan) []Assignment {
	out := make([]Assignment, 0, len(sp.order))
	for _, k := range scheduleOrder(sp.starts, sp.slots) {
		i := sp.order[k]
		out = append(out, Assignment{Candidate: s.cs[i], Cost: s.costs[i], Weight: s.jobs[i].w, Slot: sp.slots[k], Start: sp.starts[k], SharedBoot: sp.shared[k]})
	}
	return out
}

// rescheduleShared predicts as (in plan order) anew with boot sharing,
// as [Plan.Shard] does for a shard of a plan that shares boots.
func rescheduleShared(as []Assignment, c Capacity) ([]Assignment, time.Duration) {
	bs, _ := bootGroups(candidatesOf(as))
	starts, slots, shared, end := bs.schedule(nil, c, func(i int32) (job, time.Duration) {
		return job{as[i].Cost.Total(), as[i].Weight}, as[i].Cost.Shared()
	})
	out := make([]Assignment, 0, len(as))
	for _, i := range scheduleOrder(starts, slots) {
		a := as[i]
		a.Start, a.Slot, a.SharedBoot = starts[i], slots[i], shared[i]
		out = append(out, a)
	}
	return out, end
}

func candidatesOf(as []Assignment) []Candidate {
	out := make([]Candidate, len(as))
	for i := range as {
		out[i] = as[i].Candidate
	}
	return out
}

// SharedBoots returns how many of the selected variants the plan expects
// to run in a VM booted for an earlier one, and the time that saves:
// their boots, and what their tests take longer in a fresh VM
// ([Cost.Total] less [Cost.Shared]).
func (p Plan) SharedBoots() (n int, saved time.Duration) {
	for _, a := range p.Selected {
		if a.SharedBoot {
			n++
			saved += a.Cost.Total() - a.Cost.Shared()
		}
	}
	return n, saved
}

// Est returns the time the plan counts for a: [Cost.Total] in a fresh
// VM, [Cost.Shared] (no boot, the test's time in a reused VM) when a
// shares one.
func (a Assignment) Est() time.Duration {
	if a.SharedBoot {
		return a.Cost.Shared()
	}
	return a.Cost.Total()
}
