package vm

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

const panicOutput = `=== RUN   TestX
--- FAIL: TestX (0.00s)
panic: boom [recovered, repanicked]

goroutine 7 [running]:
testing.tRunner.func1.2({0x5a1b20, 0x6b9f40})
exit status 2
`

func TestClassify(t *testing.T) {
	want2, _ := topo.Parse("1n2l1c1t")
	other := topo.ExpectedLayout(topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1})
	st := func(exit int, sig string) *vmchan.Status { return &vmchan.Status{Exit: exit, Signal: sig} }
	for _, tc := range []struct {
		name   string
		o      observed
		want   spec.Outcome
		reason string
	}{
		{"pass", observed{hello: true, status: st(0, ""), output: []byte("=== RUN   TestX\n--- PASS: TestX (0.01s)\nPASS\n")}, spec.OutcomePass, ""},
		{"skip", observed{hello: true, status: st(0, ""), output: []byte("=== RUN   TestX\n--- SKIP: TestX (0.00s)\n    x_test.go:12: kernel lacks sched_ext\nPASS\n")}, spec.OutcomeSkip, "kernel lacks sched_ext"},
		{"skip, streamed -v output", observed{hello: true, status: st(0, ""), output: []byte("=== RUN   TestX\n    x_test.go:9: thresholds: gap 6s\n    x_test.go:12: kernel lacks sched_ext\n--- SKIP: TestX (0.47s)\nPASS\n")}, spec.OutcomeSkip, "kernel lacks sched_ext"},
		{"skip with a result line", observed{hello: true, status: st(0, ""), output: []byte("=== RUN   TestX\nGAUNTLET-RESULT: {\"test\":\"TestX\",\"outcome\":\"skip\",\"message\":\"no sched_ext\"}\n    x_test.go:12: no sched_ext (long)\n--- SKIP: TestX (0.47s)\nPASS\n")}, spec.OutcomeSkip, "no sched_ext"},
		{"inconclusive pass", observed{hello: true, status: st(0, ""), output: []byte("=== RUN   TestX\nGAUNTLET-RESULT: {\"test\":\"TestX\",\"outcome\":\"pass\",\"inconclusive\":\"limits relaxed past their bounds: max-gap 6000ms > 3000ms (tcg\"}\n--- PASS: TestX (0.47s)\nPASS\n")}, spec.OutcomeInconclusive, "max-gap 6000ms > 3000ms"},
		{"subtest skip only", observed{hello: true, status: st(0, ""), output: []byte("    --- SKIP: TestX/a (0.00s)\n--- PASS: TestX (0.00s)\n")}, spec.OutcomePass, ""},
		{"no test matched", observed{hello: true, status: st(0, ""), output: []byte("testing: warning: no tests to run\nPASS\n")}, spec.OutcomeFail, "no test matched"},
		{"fail", observed{hello: true, status: st(1, ""), output: []byte("=== RUN   TestX\n    x_test.go:9: stuck 3500ms on cpu1 at +1200ms\n--- FAIL: TestX (2.00s)\n    x_test.go:10: more\nFAIL\n")}, spec.OutcomeFail, "--- FAIL: TestX (2.00s)\nx_test.go:9: stuck 3500ms on cpu1 at +1200ms"},
		{"go panic", observed{hello: true, status: st(2, ""), output: []byte(panicOutput)}, spec.OutcomeCrash, "panic: boom"},
		{"signal", observed{hello: true, status: st(-1, "killed")}, spec.OutcomeCrash, "killed by signal killed"},
		{"odd exit", observed{hello: true, status: st(3, "")}, spec.OutcomeCrash, "exited with status 3"},
		{"topology mismatch", observed{hello: true, initErr: "topology mismatch", layout: &other, want: &want2}, spec.OutcomeFail, "requested 1n2l1c1t"},
		{"init error", observed{hello: true, initErr: "init panic: nil map\ngoroutine 1"}, spec.OutcomeCrash, "guest init failed: init panic: nil map"},
		{"kernel panic", observed{hello: true, panicLine: "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300"}, spec.OutcomeKernelPanic, "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300"},
		{"timeout before boot", observed{timedOut: true, timeout: time.Minute}, spec.OutcomeTimeout, "before the guest init started"},
		{"timeout in test", observed{hello: true, timedOut: true, timeout: time.Minute}, spec.OutcomeTimeout, "the test did not finish"},
		{"qemu error", observed{qemuErr: errors.New("exit status 1"), stderrTail: "warning\nqemu-system-x86_64: -smp 999: bad\n"}, spec.OutcomeQEMUFailed, "qemu: exit status 1: qemu-system-x86_64: -smp 999: bad"},
		{"stopped before init", observed{}, spec.OutcomeQEMUFailed, "before its init started"},
		{"powered off early", observed{hello: true}, spec.OutcomeCrash, "without reporting a result"},
		{"kvm failure wins", observed{accelFailed: "KVM internal error. Suberror: 1", timedOut: true}, spec.OutcomeAccelUnusable, "kvm: KVM internal error"},
	} {
		got, reason := classify(tc.o)
		if got != tc.want || !strings.Contains(reason, tc.reason) || (tc.reason == "" && reason != "") {
			t.Errorf("%s: got %s %q, want %s containing %q", tc.name, got, reason, tc.want, tc.reason)
		}
	}
}

func TestPanicTextIsBounded(t *testing.T) {
	out := "panic: deep\n" + strings.Repeat("frame\n", 500)
	got := panicText([]byte(out))
	if n := strings.Count(got, "\n"); n > maxPanicLines {
		t.Errorf("panic text has %d lines, want at most %d", n+1, maxPanicLines)
	}
	if !strings.HasPrefix(got, "panic: deep") || !strings.HasSuffix(got, "...") {
		t.Errorf("panic text %q", got[:40])
	}
}
