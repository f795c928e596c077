package timeline

import (
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
	got := Summarize(spans, 2, 20*s)
	want := Summary{Slots: 2, Wall: 20 * s, VMs: 29 * s, Boot: 16 * s, Test: 13 * s}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if str := got.String(); str != "2 slots x 20s = 40s of slot time: scenarios 13s (32%), booting 16s (40%), idle 11s (28%)" {
		t.Errorf("String = %q", str)
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
	if err := Render(&b, spans, 2, 20*s, 40); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/timeline.golden", []byte(b.String()))
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
