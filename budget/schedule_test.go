package budget

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// randomJobs returns n jobs with durations of 1-60 s and weights up to
// the capacity.
func randomJobs(rng *rand.Rand, n int, c Capacity) []job {
	jobs := make([]job, n)
	for i := range jobs {
		jobs[i] = job{
			dur: time.Duration(1+rng.IntN(60)) * time.Second,
			w:   Weight{CPUs: 1 + rng.IntN(c.CPUs), MemoryMiB: 512 * (1 + rng.IntN(4))},
		}
	}
	return jobs
}

// checkSchedule fails t unless the jobs running at each start fit c.
func checkSchedule(t *testing.T, jobs []job, starts []time.Duration, c Capacity) {
	t.Helper()
	for i := range jobs {
		var u usage
		for j := range jobs {
			if j != i && starts[j] <= starts[i] && starts[j]+jobs[j].dur > starts[i] {
				u = u.add(jobs[j].w)
			}
		}
		if !c.fits(u, jobs[i].w) {
			t.Fatalf("job %d at %s does not fit beside %+v in %+v", i, starts[i], u, c)
		}
	}
	slots := assignSlots(jobs, starts)
	for i := range jobs {
		if slots[i] >= c.Jobs {
			t.Fatalf("job %d in slot %d, but only %d jobs run at once", i, slots[i], c.Jobs)
		}
		for j := range i {
			overlap := starts[j] < starts[i]+jobs[i].dur && starts[i] < starts[j]+jobs[j].dur
			if overlap && slots[i] == slots[j] {
				t.Fatalf("jobs %d and %d overlap in slot %d", i, j, slots[i])
			}
		}
	}
}

func TestSchedulesAreValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range []Capacity{{CPUs: 2, MemoryMiB: 2048, Jobs: 2}, {CPUs: 8, Jobs: 3}, {CPUs: 16, MemoryMiB: 8192, Jobs: 16}} {
		jobs := randomJobs(rng, 60, c)
		lpt := listSchedule(jobs, c)
		checkSchedule(t, jobs, lpt, c)
		f := frontier{cap: c}
		fifo := make([]time.Duration, len(jobs))
		for i, j := range jobs {
			want := f.earliest(j.w)
			if fifo[i] = f.place(j.w, j.dur); fifo[i] != want {
				t.Fatalf("place started at %s, earliest said %s", fifo[i], want)
			}
			if i > 0 && fifo[i] < fifo[i-1] {
				t.Fatalf("frontier start %s before the previous %s", fifo[i], fifo[i-1])
			}
		}
		checkSchedule(t, jobs, fifo, c)
		var work float64
		for _, j := range jobs {
			work += j.dur.Seconds() * float64(j.w.CPUs) / float64(c.CPUs)
		}
		if m := makespan(jobs, lpt); m.Seconds() < work {
			t.Errorf("LPT makespan %s below the work bound %.0fs: capacity overused", m, work)
		}
	}
}

func TestListScheduleLongestFirst(t *testing.T) {
	c := Capacity{CPUs: 2, Jobs: 2}
	one := Weight{CPUs: 1}
	jobs := []job{{3 * time.Second, one}, {5 * time.Second, one}, {2 * time.Second, one}, {4 * time.Second, one}}
	// LPT on 2 lanes: 5 and 4 at 0; 3 at 4; 2 at 5. Makespan 7.
	want := []time.Duration{4 * time.Second, 0, 5 * time.Second, 0}
	got := listSchedule(jobs, c)
	if !slices.Equal(got, want) {
		t.Errorf("starts %v, want %v", got, want)
	}
	if m := makespan(jobs, got); m != 7*time.Second {
		t.Errorf("makespan %s, want 7s", m)
	}
	// A 2-core job waits for both lanes; 1-core jobs backfill beside
	// nothing else.
	jobs = []job{{10 * time.Second, Weight{CPUs: 2}}, {time.Second, one}, {time.Second, one}}
	if got := listSchedule(jobs, c); !slices.Equal(got, []time.Duration{0, 10 * time.Second, 10 * time.Second}) {
		t.Errorf("starts %v; want the 2-core job first, then both 1-core jobs together", got)
	}
}

func TestFrontierNeverStartsEarlierThanPrevious(t *testing.T) {
	c := Capacity{CPUs: 2, Jobs: 2}
	f := frontier{cap: c}
	f.place(Weight{CPUs: 1}, 10*time.Second) // 0..10 on one core
	f.place(Weight{CPUs: 2}, 5*time.Second)  // waits: 10..15
	// A 1-core job could have run beside the first, at 0, but the
	// frontier has moved on to 10, where the 2-core job holds both cores
	// until 15.
	if got := f.earliest(Weight{CPUs: 1}); got != 15*time.Second {
		t.Errorf("earliest = %s, want 15s", got)
	}
}

func TestSchedulersRunOversizedJobsAlone(t *testing.T) {
	c := Capacity{CPUs: 2, MemoryMiB: 1024, Jobs: 2}
	jobs := []job{{time.Second, Weight{CPUs: 1, MemoryMiB: 512}}, {2 * time.Second, Weight{CPUs: 4, MemoryMiB: 4096}}}
	starts := listSchedule(jobs, c)
	if want := []time.Duration{2 * time.Second, 0}; !slices.Equal(starts, want) {
		t.Errorf("starts %v, want %v: the oversized job alone first, then the other", starts, want)
	}
	f := frontier{cap: c}
	f.place(jobs[0].w, jobs[0].dur)
	if got := f.earliest(jobs[1].w); got != time.Second {
		t.Errorf("frontier: oversized job could start at %s, want 1s (alone)", got)
	}
}
