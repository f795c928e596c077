package budget

import (
	"cmp"
	"slices"
	"time"
)

// A schedule gives every job of a set a start time and a slot (a lane
// number below Capacity.Jobs) such that the jobs running at any moment fit
// the capacity. Two schedulers build them:
//
//   - frontier: jobs arrive one at a time (in selection order) and each
//     starts at the earliest moment, no earlier than the previous job's
//     start, at which it fits. Deciding whether a job would still end
//     within the budget is cheap, and a job that does not fit now never
//     will, which is what the greedy selection needs.
//   - listSchedule: longest-processing-time-first list scheduling with
//     backfill: whenever capacity frees up, start the longest waiting job
//     that fits. Used for the final plan when it ends sooner.

// job is one VM run to place.
type job struct {
	dur time.Duration
	w   Weight
}

// running is a placed job still running at the frontier.
type running struct {
	end time.Duration
	w   Weight
}

// frontier is list scheduling in arrival order. Every placed job started
// at or before t0; running holds those ending after t0, by end time.
type frontier struct {
	cap     Capacity
	t0      time.Duration
	used    usage
	running []running
}

// earliest returns when a job of weight w could start: the first moment
// at or after t0 at which it fits beside the jobs still running (or runs
// alone). From then on it keeps fitting, since nothing else starts before
// it.
func (f *frontier) earliest(w Weight) time.Duration {
	u, t := f.used, f.t0
	for i := 0; i < len(f.running) && !f.cap.fits(u, w); i++ {
		t = f.running[i].end
		u = u.sub(f.running[i].w)
	}
	return t
}

// place starts a job of weight w and duration d at [frontier.earliest]
// and returns its start.
func (f *frontier) place(w Weight, d time.Duration) time.Duration {
	t := f.earliest(w)
	n := 0
	for n < len(f.running) && f.running[n].end <= t {
		f.used = f.used.sub(f.running[n].w)
		n++
	}
	f.running = f.running[n:]
	f.t0 = t
	f.used = f.used.add(w)
	end := t + d
	i, _ := slices.BinarySearchFunc(f.running, end, func(r running, e time.Duration) int { return cmp.Compare(r.end, e) })
	f.running = slices.Insert(f.running, i, running{end, w})
	return t
}

// listSchedule places jobs longest first with backfill and returns their
// starts. Ties between equally long jobs go to the lower index. Every job
// must fit the capacity alone.
func listSchedule(jobs []job, c Capacity) []time.Duration {
	classes := weightClasses(jobs)
	starts := make([]time.Duration, len(jobs))
	busy := minHeap[running]{less: func(a, b running) bool { return a.end < b.end }}
	var u usage
	var t time.Duration
	for left := len(jobs); left > 0; {
		for {
			cl := pickLongest(classes, jobs, c, u)
			if cl == nil {
				break
			}
			j := cl.idx[cl.head]
			cl.head++
			left--
			starts[j] = t
			u = u.add(jobs[j].w)
			busy.push(running{t + jobs[j].dur, jobs[j].w})
		}
		if left == 0 {
			break
		}
		t = busy.peek().end
		for busy.len() > 0 && busy.peek().end == t {
			u = u.sub(busy.pop().w)
		}
	}
	return starts
}

// weightClass holds the jobs of one weight, longest first.
type weightClass struct {
	w    Weight
	idx  []int32
	head int
}

// weightClasses groups jobs by weight; within a class, longest first, ties
// by index. Classes come in weight order.
func weightClasses(jobs []job) []*weightClass {
	byW := map[Weight]*weightClass{}
	var classes []*weightClass
	for i, j := range jobs {
		cl := byW[j.w]
		if cl == nil {
			cl = &weightClass{w: j.w}
			byW[j.w] = cl
			classes = append(classes, cl)
		}
		cl.idx = append(cl.idx, int32(i))
	}
	for _, cl := range classes {
		slices.SortStableFunc(cl.idx, func(a, b int32) int { return cmp.Compare(jobs[b].dur, jobs[a].dur) })
	}
	slices.SortFunc(classes, func(a, b *weightClass) int {
		return cmp.Or(cmp.Compare(a.w.CPUs, b.w.CPUs), cmp.Compare(a.w.MemoryMiB, b.w.MemoryMiB))
	})
	return classes
}

// pickLongest returns the class whose next job is the longest among those
// that fit beside u, or nil. On an idle host any job runs, so a job too
// big for the capacity cannot stall the schedule.
func pickLongest(classes []*weightClass, jobs []job, c Capacity, u usage) *weightClass {
	var best *weightClass
	for _, cl := range classes {
		if cl.head == len(cl.idx) || (u.jobs > 0 && !c.fits(u, cl.w)) {
			continue
		}
		if best == nil || longer(jobs, cl.idx[cl.head], best.idx[best.head]) {
			best = cl
		}
	}
	return best
}

func longer(jobs []job, a, b int32) bool {
	if jobs[a].dur != jobs[b].dur {
		return jobs[a].dur > jobs[b].dur
	}
	return a < b
}

// makespan returns when the last job ends.
func makespan(jobs []job, starts []time.Duration) time.Duration {
	var m time.Duration
	for i, j := range jobs {
		m = max(m, starts[i]+j.dur)
	}
	return m
}

// assignSlots numbers the lanes jobs run in: in order of start (then
// index), each job takes the lowest lane free at its start. A schedule
// that never runs more than c.Jobs at once needs no lane >= c.Jobs.
func assignSlots(jobs []job, starts []time.Duration) []int {
	order := make([]int32, len(jobs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(starts[a], starts[b]) })
	slots := make([]int, len(jobs))
	busy := minHeap[lane]{less: func(a, b lane) bool { return a.end < b.end || (a.end == b.end && a.n < b.n) }}
	free := minHeap[int]{less: func(a, b int) bool { return a < b }}
	next := 0
	for _, j := range order {
		for busy.len() > 0 && busy.peek().end <= starts[j] {
			free.push(busy.pop().n)
		}
		n := next
		if free.len() > 0 {
			n = free.pop()
		} else {
			next++
		}
		slots[j] = n
		busy.push(lane{starts[j] + jobs[j].dur, n})
	}
	return slots
}

// lane is a busy slot and when it frees up.
type lane struct {
	end time.Duration
	n   int
}
