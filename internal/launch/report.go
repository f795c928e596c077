package launch

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// reportResult turns the VM's verdict into t's.
func reportResult(t testing.TB, res vm.Result) {
	t.Helper()
	if res.Retried != "" {
		t.Logf("gauntlet: %s", res.Retried)
	}
	for _, w := range res.Warnings {
		t.Logf("gauntlet: guest init warning: %s", w)
	}
	switch res.Outcome {
	case spec.OutcomePass:
		t.Logf("gauntlet: passed in a %s VM (%s; boot %v, total %v)", res.Accel, res.AccelNote, res.BootTime.Round(1e7), res.TotalTime.Round(1e7))
	case spec.OutcomeSkip:
		t.Skipf("gauntlet: skipped in the VM: %s", res.Reason)
	case spec.OutcomeFail:
		t.Errorf("gauntlet: test failed in the VM: %s", res.Reason)
	default:
		t.Errorf("gauntlet: %s: %s\nkernel console (last lines):\n%s\nqemu: %s", res.Outcome, res.Reason, indent(res.ConsoleTail), res.QEMUArgs)
	}
}

func indent(s string) string {
	if s == "" {
		return "    (empty)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// lineLogger writes whole lines of guest output to t.Log as they arrive.
type lineLogger struct {
	t   testing.TB
	mu  sync.Mutex
	buf []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.t.Log("guest: " + string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

// Flush logs a final unterminated line.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.t.Log("guest: " + string(l.buf))
		l.buf = nil
	}
}
