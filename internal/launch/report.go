package launch

import (
	"bytes"
	"os"
	"path/filepath"
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
		if res.KernelNote != "" {
			t.Logf("gauntlet: kernel: %s", res.KernelNote)
		}
	case spec.OutcomeInconclusive:
		// A pass for go test (its checks passed); the log says it proves
		// less. gauntlet run reports it as its own outcome.
		t.Logf("gauntlet: passed in a %s VM, inconclusive: %s", res.Accel, res.Reason)
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
// A log file block ([spec.WriteFileBlock]) is not logged line by line: it
// is written to a file in dir() (t's artifact directory) and logged as
// one line naming it.
type lineLogger struct {
	t   testing.TB
	dir func() string
	mu  sync.Mutex
	buf []byte
	// block collects a log file block, begin line to end line.
	block     []byte
	blockName string
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
		l.line(l.buf[:i+1])
		l.buf = l.buf[i+1:]
	}
}

// line handles one line, newline included.
func (l *lineLogger) line(b []byte) {
	text := strings.TrimSuffix(string(b), "\n")
	if l.blockName != "" {
		l.block = append(l.block, b...)
		if text == spec.FileEndPrefix+l.blockName {
			l.saveBlock()
		}
		return
	}
	if name, ok := strings.CutPrefix(text, spec.FileBeginPrefix); ok && l.dir != nil && spec.ValidFileName(name) {
		l.blockName, l.block = name, append([]byte(nil), b...)
		return
	}
	l.t.Log("guest: " + text)
}

// saveBlock writes the collected block's file and logs where it went.
func (l *lineLogger) saveBlock() {
	files, _ := spec.ExtractFiles(l.block)
	l.block, l.blockName = nil, ""
	for _, f := range files {
		p := filepath.Join(l.dir(), f.Name)
		note := ""
		if f.Truncated {
			note = ", cut short"
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			l.t.Logf("gauntlet: guest log file %s (%d bytes%s) not saved: %v", f.Name, len(f.Data), note, err)
			continue
		}
		l.t.Logf("gauntlet: guest log file %s (%d lines%s): %s", f.Name, bytes.Count(f.Data, []byte("\n")), note, p)
	}
}

// Flush logs a final unterminated line and saves a block the output
// ended inside.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.line(append(l.buf, '\n'))
		l.buf = nil
	}
	if l.blockName != "" {
		l.saveBlock()
	}
}
