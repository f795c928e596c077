package timeline

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/golden"
)

const s = time.Second

// Two slots, three VMs: A and C one after the other, B beside them.
var spans = []Span{
	{Name: "TestA", Start: 0, End: 10 * s, Boot: 4 * s, Outcome: "pass"},
	{Name: "TestB", Start: 1 * s, End: 16 * s, Boot: 10 * s, Outcome: "inconclusive"},
	{Name: "TestC", Start: 10 * s, End: 14 * s, Boot: 2 * s, Outcome: "fail"},
}

func TestSummarize(t *testing.T) {
	got := Summarize(spans, Capacity{Slots: 2}, 20*s)
	want := Summary{Slots: 2, Wall: 20 * s, VMs: 29 * s, Boot: 16 * s, Test: 13 * s}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if str := got.String(); str != "2 slots x 20s = 40s of slot time: scenarios 13s (32%), booting 16s (40%), idle 11s (28%); each VM counted once, in its slot" {
		t.Errorf("String = %q", str)
	}
}

// The host CPU view: each span counted once per host CPU it held,
// clipped to the wall and clamped to the host's CPUs.
func TestSummarizeHostCPUs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spans []Span
		c     Capacity
		wall  time.Duration
		// want: the host CPU view's fields
		boot, test, over, excess time.Duration
		maxHeld                  int
		line                     string // the host CPU line, when set
	}{
		{name: "one CPU each: as the slot view", spans: spans, c: Capacity{Slots: 2, CPUs: 2}, wall: 20 * s,
			boot: 16 * s, test: 13 * s, maxHeld: 2,
			line: "2 host CPUs x 20s = 40s of host CPU time: scenarios 13s (32%), booting 16s (40%), idle 11s (28%); each VM counted once per host CPU it holds"},
		{name: "a VM holding both CPUs leaves none idle", spans: []Span{
			{Name: "TestWide", Start: 0, End: 10 * s, Boot: 4 * s, CPUs: 2},
			{Name: "TestB", Start: 10 * s, End: 16 * s, Boot: 2 * s, CPUs: 1},
			{Name: "TestC", Start: 10 * s, End: 20 * s, Boot: 3 * s, CPUs: 1},
		}, c: Capacity{Slots: 2, CPUs: 2}, wall: 20 * s,
			boot: 13 * s, test: 23 * s, maxHeld: 2,
			line: "2 host CPUs x 20s = 40s of host CPU time: scenarios 23s (58%), booting 13s (32%), idle 4s (10%); each VM counted once per host CPU it holds"},
		{name: "oversubscribed: clamped to the CPUs, and said", spans: []Span{
			{Name: "TestWide", Start: 0, End: 10 * s, CPUs: 2},
			{Name: "TestB", Start: 5 * s, End: 10 * s, CPUs: 1},
		}, c: Capacity{Slots: 2, CPUs: 2}, wall: 10 * s,
			test: 20 * s, over: 5 * s, excess: 5 * s, maxHeld: 3,
			line: "2 host CPUs x 10s = 20s of host CPU time: scenarios 20s (100%), booting 0s (0%), idle 0s (0%); each VM counted once per host CPU it holds" +
				" (oversubscribed for 5s: VMs held up to 3 of 2 host CPUs; 5s of host CPU time past 2 not counted)"},
		{name: "more CPUs than the host's count as the host's", spans: []Span{
			{Start: 0, End: 10 * s, Boot: 5 * s, CPUs: 4},
		}, c: Capacity{Slots: 1, CPUs: 2}, wall: 10 * s, boot: 10 * s, test: 10 * s, maxHeld: 2},
		{name: "zero CPUs count as one", spans: []Span{
			{Start: 0, End: 10 * s, Boot: 5 * s},
		}, c: Capacity{Slots: 2, CPUs: 2}, wall: 10 * s, boot: 5 * s, test: 5 * s, maxHeld: 1},
		{name: "clipped to the wall", spans: []Span{
			{Start: -2 * s, End: 15 * s, Boot: 4 * s, CPUs: 1},
		}, c: Capacity{Slots: 1, CPUs: 1}, wall: 10 * s, boot: 2 * s, test: 8 * s, maxHeld: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Summarize(tc.spans, tc.c, tc.wall)
			if got.CPUs != tc.c.CPUs || got.CPUBoot != tc.boot || got.CPUTest != tc.test || got.Oversubscribed != tc.over ||
				got.Excess != tc.excess || got.MaxHeld != tc.maxHeld {
				t.Errorf("Summarize = %+v\nwant CPUs %d boot %v test %v oversubscribed %v excess %v max held %d",
					got, tc.c.CPUs, tc.boot, tc.test, tc.over, tc.excess, tc.maxHeld)
			}
			lines := strings.Split(got.String(), "\n")
			if len(lines) != 2 || !strings.Contains(lines[0], " of slot time: ") {
				t.Fatalf("String = %q, want the slot line then the host CPU line", got.String())
			}
			if tc.line != "" && lines[1] != tc.line {
				t.Errorf("host CPU line\n got %q\nwant %q", lines[1], tc.line)
			}
		})
	}
}

// A run like the example's throughput run on a 2-CPU host (its slot
// line as measured: 2 slots x 2m59s, scenarios 2m28s (41%), booting 2m5s
// (35%), idle 1m25s (24%)), reconstructed: two 2-vCPU VMs that held both
// host CPUs ran alone, 70 s in all, which the slot view counts as the
// other slot idle; the host CPU view finds 15 s of idle CPUs, at the tail
// of one slot.
func TestSummarizeExampleRun(t *testing.T) {
	run := []Span{
		{Name: "TestWide1", Start: 0, End: 35 * s, Boot: 15 * s, CPUs: 2},
		{Name: "TestN1", Start: 35 * s, End: 80 * s, Boot: 25 * s, CPUs: 1},
		{Name: "TestN3", Start: 35 * s, End: 90 * s, Boot: 24 * s, CPUs: 1},
		{Name: "TestN2", Start: 80 * s, End: 144 * s, Boot: 22 * s, CPUs: 1},
		{Name: "TestN4", Start: 90 * s, End: 129 * s, Boot: 24 * s, CPUs: 1},
		{Name: "TestWide2", Start: 144 * s, End: 179 * s, Boot: 15 * s, CPUs: 2},
	}
	got := Summarize(run, Capacity{Slots: 2, CPUs: 2}, 179*s).String()
	want := "2 slots x 2m59s = 5m58s of slot time: scenarios 2m28s (41%), booting 2m5s (35%), idle 1m25s (24%); each VM counted once, in its slot\n" +
		"2 host CPUs x 2m59s = 5m58s of host CPU time: scenarios 3m8s (53%), booting 2m35s (43%), idle 15s (4%); each VM counted once per host CPU it holds"
	if got != want {
		t.Errorf("String =\n%s\nwant\n%s", got, want)
	}
}

// Whatever the spans, the host CPU view never counts more than CPUs x
// wall, and without oversubscription it counts every span x its CPUs.
func TestHostCPUsNeverPast100(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		wall := time.Duration(1+rng.IntN(100)) * s
		c := Capacity{Slots: 1 + rng.IntN(4), CPUs: 1 + rng.IntN(4)}
		var sp []Span
		for range rng.IntN(8) {
			start := time.Duration(rng.Int64N(int64(wall)))
			end := start + time.Duration(rng.Int64N(int64(wall)))
			sp = append(sp, Span{Start: start, End: end, Boot: time.Duration(rng.Int64N(int64(end-start) + 1)), CPUs: rng.IntN(6)})
		}
		got := Summarize(sp, c, wall)
		if held := got.CPUBoot + got.CPUTest; held > got.CPUTime()+time.Microsecond {
			t.Fatalf("spans %+v on %+v over %v: held %v > %v", sp, c, wall, held, got.CPUTime())
		}
		if got.Oversubscribed == 0 {
			var want time.Duration
			for _, x := range sp {
				want += time.Duration(x.weight(c.CPUs)) * (min(x.End, wall) - x.Start)
			}
			if d := got.CPUBoot + got.CPUTest - want; d > time.Microsecond || d < -time.Microsecond {
				t.Fatalf("spans %+v on %+v over %v: held %v, want %v (each span x its CPUs)", sp, c, wall, got.CPUBoot+got.CPUTest, want)
			}
		}
	}
}

// Without the host's CPUs the summary has the slot view only.
func TestSummarizeNoCPUs(t *testing.T) {
	if str := Summarize(spans, Capacity{Slots: 2}, 20*s).String(); strings.Contains(str, "\n") || strings.Contains(str, "host CPU") {
		t.Errorf("String = %q, want the slot line alone", str)
	}
}

func TestLanesNeverOverlap(t *testing.T) {
	lanes := Lanes(spans)
	if len(lanes) != 2 {
		t.Fatalf("lanes %v, want 2 (at most two VMs ran at once)", lanes)
	}
	for _, lane := range lanes {
		for k := 1; k < len(lane); k++ {
			if spans[lane[k]].Start < spans[lane[k-1]].End {
				t.Errorf("lane %v: %s starts before %s ends", lane, spans[lane[k]].Name, spans[lane[k-1]].Name)
			}
		}
	}
}

func TestRenderGolden(t *testing.T) {
	var b strings.Builder
	if err := Render(&b, spans, Capacity{Slots: 2, CPUs: 2}, 20*s, 40); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/timeline.golden", []byte(b.String()))
}

// A VM holding both host CPUs of a 2-CPU host marks the other slot '+'
// while it runs, where that slot is empty, and its line says x2.
func TestRenderHostCPUsGolden(t *testing.T) {
	wide := []Span{
		{Name: "TestWide/2cpu", Start: 0, End: 8 * s, Boot: 3 * s, Outcome: "pass", CPUs: 2},
		{Name: "TestA", Start: 8 * s, End: 14 * s, Boot: 3 * s, Outcome: "pass", CPUs: 1},
		{Name: "TestB", Start: 9 * s, End: 15 * s, Boot: 3 * s, Outcome: "pass", CPUs: 1},
		{Name: "TestWide/4cpu", Start: 15 * s, End: 20 * s, Boot: 2 * s, Outcome: "fail", CPUs: 2},
	}
	var b strings.Builder
	if err := Render(&b, wide, Capacity{Slots: 2, CPUs: 2}, 20*s, 40); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	golden.Check(t, "testdata/timeline-host-cpus.golden", []byte(out))
	rows := strings.Split(out, "\n")[3:5]
	// TestWide/2cpu's 16 columns (0-8 s of 20 s in 40) are '+' in slot 2.
	if !strings.HasPrefix(rows[1], "slot  2 |"+strings.Repeat("+", 16)) {
		t.Errorf("slot 2 does not show the host CPU TestWide/2cpu held:\n%s", out)
	}
	if !strings.Contains(out, "TestWide/2cpu (x2: holds 2 host CPUs)") || strings.Contains(out, "TestA (x") {
		t.Errorf("the listing does not mark the VM holding 2 host CPUs alone:\n%s", out)
	}
}

// The spans of one VM (boot sharing) keep to its lane even when another
// lane freed up first.
func TestLanesKeepAVMsSpans(t *testing.T) {
	shared := []Span{
		{Name: "TestA", Start: 0, End: 10 * s, Boot: 4 * s, VM: "vm-1"},
		{Name: "TestB", Start: 0, End: 5 * s, Boot: 4 * s},
		{Name: "TestC", Start: 10 * s, End: 13 * s, VM: "vm-1"},
	}
	lanes := Lanes(shared)
	if len(lanes) != 2 || len(lanes[0]) != 2 || lanes[0][1] != 2 {
		t.Errorf("lanes %v, want TestC after TestA in lane 0 (the VM they shared), not after TestB", lanes)
	}
}

// With one slot on a 2-CPU host, a VM holding both CPUs marks the second
// CPU's row '+' and one holding one leaves it empty; the row is named a
// CPU, not a slot.
func TestRenderSpareCPURow(t *testing.T) {
	one := []Span{
		{Name: "TestWide", Start: 0, End: 10 * s, Boot: 2 * s, Outcome: "pass", CPUs: 2},
		{Name: "TestA", Start: 10 * s, End: 20 * s, Boot: 2 * s, Outcome: "pass", CPUs: 1},
	}
	var b strings.Builder
	if err := Render(&b, one, Capacity{Slots: 1, CPUs: 2}, 20*s, 40); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	want := "cpu   2 |" + strings.Repeat("+", 20) + strings.Repeat(" ", 20) + "|"
	if !strings.Contains(out, want) || !strings.Contains(out, "cpu rows: host CPUs no slot ran on (1 slots, 2 host CPUs)") {
		t.Errorf("no row for the spare host CPU, or not as wanted (%q):\n%s", want, out)
	}
	b.Reset()
	if err := Render(&b, one, Capacity{Slots: 1, CPUs: 64}, 20*s, 40); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "cpu ") {
		t.Errorf("rows for 63 spare CPUs past maxSpareRows:\n%s", b.String())
	}
}
