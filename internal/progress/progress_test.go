package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
)

var t0 = time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)

func midRun() State {
	return State{
		Started: t0, Total: 10, Passed: 3, Failed: 1, Skipped: 0, Slots: 2, Budget: 20 * time.Minute,
		Running: []Running{
			{Name: "TestSteady/tiny-1llc/default", Package: "example.com/sched", Started: t0.Add(50 * time.Second), Est: 30 * time.Second},
			{Name: "TestSMT/smt-2llc/default", Package: "example.com/sched", Started: t0.Add(58 * time.Second), Est: 10 * time.Second},
		},
		Pending: 4 * time.Minute,
	}
}

func TestStatusMidRun(t *testing.T) {
	t.Parallel()
	now := t0.Add(65 * time.Second)
	got := strings.Join(Status(midRun(), now, 120, false), "\n")
	// Left: 4m pending + 15s of the first + 3s of the second, over 2 slots.
	want := "gauntlet: 4/10 done (3 passed, 1 failed, 0 skipped), 2 running, 1m5s elapsed, ETA 2m9s, ends at 3m14s of 20m budget\n" +
		"     15s  TestSteady/tiny-1llc/default (sched)\n" +
		"      7s  TestSMT/smt-2llc/default (sched)"
	if got != want {
		t.Errorf("status:\n%s\nwant:\n%s", got, want)
	}
}

func TestETA(t *testing.T) {
	t.Parallel()
	s := midRun()
	for _, tc := range []struct {
		at   time.Duration
		want time.Duration
	}{
		{65 * time.Second, 129 * time.Second},
		// Running past their estimates, each counts a second.
		{10 * time.Minute, 121 * time.Second},
	} {
		if got := s.ETA(t0.Add(tc.at)); got != tc.want {
			t.Errorf("ETA at %s = %s, want %s", tc.at, got, tc.want)
		}
	}
	if got := (State{Pending: time.Minute}).ETA(t0); got != time.Minute {
		t.Errorf("no slots: ETA %s, want the pending minute on one slot", got)
	}
}

func TestStatusOverBudgetAndNoBudget(t *testing.T) {
	t.Parallel()
	s := midRun()
	s.Budget = 2 * time.Minute
	if l := Status(s, t0.Add(65*time.Second), 200, false)[0]; !strings.HasSuffix(l, "ETA 2m9s, over the 2m budget by 1m14s") {
		t.Errorf("over budget: %s", l)
	}
	s.Budget = 0
	if l := Status(s, t0.Add(65*time.Second), 200, false)[0]; !strings.HasSuffix(l, "ETA 2m9s") {
		t.Errorf("no budget: %s", l)
	}
}

func TestStatusFitsAndColours(t *testing.T) {
	t.Parallel()
	s := midRun()
	for i := range 12 {
		s.Running = append(s.Running, Running{Name: strings.Repeat("TestLong", 10) + string(rune('a'+i)), Package: "example.com/sched", Started: t0})
	}
	lines := Status(s, t0.Add(time.Minute), 60, false)
	if len(lines) != 1+MaxRunning+1 || lines[len(lines)-1] != "  … and 6 more running" {
		t.Errorf("%d lines, last %q; want the status, %d running and a count of the rest", len(lines), lines[len(lines)-1], MaxRunning)
	}
	for _, l := range lines {
		if utf8.RuneCountInString(l) > 60 {
			t.Errorf("line wider than 60: %q", l)
		}
		if strings.Contains(l, "\x1b") {
			t.Errorf("escape code without colour: %q", l)
		}
	}
	if l := Status(midRun(), t0, 200, true)[0]; !strings.Contains(l, "\x1b[31m1 failed\x1b[0m") {
		t.Errorf("failures not red: %q", l)
	}
	s = midRun()
	s.Failed = 0
	if l := Status(s, t0, 200, true)[0]; strings.Contains(l, "\x1b") {
		t.Errorf("no failures, yet colour: %q", l)
	}
}

func TestFinished(t *testing.T) {
	t.Parallel()
	pass := report.Case{Test: "TestA", Variant: "TestA", Topology: "1n1l2c1t", Outcome: spec.OutcomePass, Boot: 5 * time.Second, Total: 8 * time.Second}
	fail := pass
	fail.Variant, fail.Outcome, fail.Message = "TestA/tiny-1llc/default", spec.OutcomeFail, "test failed"
	fail.Output = []byte("=== RUN   TestA\n    x_test.go:9: stuck 3500ms on cpu1\n--- FAIL: TestA (2.00s)\n")
	notRun := report.Case{Variant: "TestB", Topology: "1n1l2c1t", Outcome: spec.OutcomeNotRun, Message: "cancelled before it started"}
	for _, tc := range []struct {
		c     report.Case
		color bool
		want  string
	}{
		{pass, false, "[ 3/10] PASS         TestA (1n1l2c1t, boot 5.0s, total 8.0s)"},
		{pass, true, "[ 3/10] \x1b[32mPASS\x1b[0m         TestA (1n1l2c1t, boot 5.0s, total 8.0s)"},
		{fail, false, "[ 3/10] FAIL         TestA/tiny-1llc/default (1n1l2c1t, boot 5.0s, total 8.0s): stuck 3500ms on cpu1; log logs/a.out"},
		{notRun, false, "[ 3/10] NOT_RUN      TestB (1n1l2c1t): cancelled before it started; log logs/a.out"},
	} {
		if got := Finished(3, 10, tc.c, "logs/a.out", tc.color); got != tc.want {
			t.Errorf("Finished:\n got %q\nwant %q", got, tc.want)
		}
	}
}

func TestPaint(t *testing.T) {
	t.Parallel()
	if got := Paint("FAIL: 1 of 2", true); got != "\x1b[31mFAIL:\x1b[0m 1 of 2" {
		t.Errorf("Paint = %q", got)
	}
	if got := Paint("PASS: 2 of 2", false); got != "PASS: 2 of 2" {
		t.Errorf("Paint without colour = %q", got)
	}
}

func TestTerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	term := &Terminal{W: &buf}
	term.Draw([]string{"a", "b"})
	term.Print("FAIL x")
	term.Draw([]string{"c"})
	term.Clear()
	want := "a\nb\n" + "\r\x1b[2A\x1b[J" + "FAIL x\na\nb\n" + "\r\x1b[2A\x1b[J" + "c\n" + "\r\x1b[1A\x1b[J"
	if buf.String() != want {
		t.Errorf("terminal output %q\nwant %q", buf.String(), want)
	}
}

// BenchmarkStatus measures one redraw's rendering of a busy run.
func BenchmarkStatus(b *testing.B) {
	s := midRun()
	for i := range 6 {
		s.Running = append(s.Running, Running{Name: "TestX/smt-2llc/default" + string(rune('a'+i)), Package: "example.com/sched", Started: t0, Est: time.Minute})
	}
	now := t0.Add(90 * time.Second)
	b.ReportAllocs()
	for b.Loop() {
		Status(s, now, 120, true)
	}
}
