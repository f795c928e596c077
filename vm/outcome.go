package vm

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// observed is what the runner saw of one VM run; classify turns it into an
// Outcome. It holds no I/O handles, so classification is a pure function.
type observed struct {
	hello       bool
	status      *vmchan.Status
	initErr     string
	layout      *topo.Layout
	want        *topo.Topology
	output      []byte
	consoleTail string
	panicLine   string // "Kernel panic - not syncing: ..." from the console
	qemuErr     error  // from Wait, nil when QEMU exited 0
	stderrTail  string // QEMU's stderr
	timedOut    bool
	timeout     time.Duration
	accelFailed string // KVM failure seen on QEMU's stderr
}

// classify decides a run's outcome and a one-line (or, for panics, a
// multi-line) reason.
func classify(o observed) (spec.Outcome, string) {
	switch {
	case o.accelFailed != "":
		return spec.OutcomeAccelUnusable, "kvm: " + o.accelFailed
	case o.timedOut:
		return spec.OutcomeTimeout, timeoutReason(o)
	case o.status != nil:
		return classifyStatus(*o.status, o.output)
	case o.layout != nil && o.want != nil && topo.CheckLayout(*o.want, *o.layout) != nil:
		return spec.OutcomeFail, topo.CheckLayout(*o.want, *o.layout).Error()
	case o.initErr != "":
		return spec.OutcomeCrash, "guest init failed: " + o.initErr
	}
	if o.panicLine != "" {
		return spec.OutcomeKernelPanic, o.panicLine
	}
	if !o.hello || o.qemuErr != nil {
		return spec.OutcomeQEMUFailed, qemuReason(o)
	}
	return spec.OutcomeCrash, "the guest powered off without reporting a result"
}

func timeoutReason(o observed) string {
	if !o.hello {
		return fmt.Sprintf("timed out after %v before the guest init started (see the console tail)", o.timeout)
	}
	return fmt.Sprintf("timed out after %v: the test did not finish", o.timeout)
}

func qemuReason(o observed) string {
	msg := strings.TrimSpace(o.stderrTail)
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
		msg = msg[i+1:]
	}
	switch {
	case o.qemuErr != nil && msg != "":
		return fmt.Sprintf("qemu: %v: %s", o.qemuErr, msg)
	case o.qemuErr != nil:
		return fmt.Sprintf("qemu: %v", o.qemuErr)
	}
	return "the guest stopped before its init started (see the console tail)"
}

// classifyStatus reads a finished test process's exit status and `go test
// -v` output.
func classifyStatus(st vmchan.Status, out []byte) (spec.Outcome, string) {
	switch {
	case st.Signal != "":
		return spec.OutcomeCrash, joinReason("test process killed by signal "+st.Signal, panicText(out))
	case st.Exit == 0 && bytes.Contains(out, []byte("testing: warning: no tests to run")):
		return spec.OutcomeFail, "no test matched the -test.run pattern"
	case st.Exit == 0:
		if reason, ok := skipReason(out); ok {
			return spec.OutcomeSkip, reason
		}
		if why := inconclusiveReason(out); why != "" {
			return spec.OutcomeInconclusive, why
		}
		return spec.OutcomePass, ""
	case st.Exit == 1:
		return spec.OutcomeFail, failReason(out)
	}
	if p := panicText(out); p != "" {
		return spec.OutcomeCrash, p
	}
	return spec.OutcomeCrash, fmt.Sprintf("test process exited with status %d", st.Exit)
}

func joinReason(a, b string) string {
	if b == "" {
		return a
	}
	return a + "\n" + b
}

// skipReason finds a top-level "--- SKIP: TestX" in `go test -v` output
// with no top-level PASS or FAIL, and returns the skip message: the
// guest's structured result's message when there is one, else the last
// line logged before the verdict (with -v, t.Skip's message streams out
// just before it), else the indented lines after it (older output).
func skipReason(out []byte) (string, bool) {
	lines := strings.Split(string(out), "\n")
	skip := -1
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "--- SKIP: "):
			skip = i
		case strings.HasPrefix(l, "--- PASS: "), strings.HasPrefix(l, "--- FAIL: "):
			return "", false
		}
	}
	if skip < 0 {
		return "", false
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if r, ok, err := spec.ParseResultLine(lines[i]); ok && err == nil && r.Message != "" {
			return r.Message, true
		}
	}
	if skip > 0 && strings.HasPrefix(lines[skip-1], "    ") {
		return stripFileLine(strings.TrimSpace(lines[skip-1])), true
	}
	var msg []string
	for _, l := range lines[skip+1:] {
		if !strings.HasPrefix(l, "    ") {
			break
		}
		msg = append(msg, stripFileLine(strings.TrimSpace(l)))
	}
	if len(msg) == 0 {
		return strings.TrimPrefix(lines[skip], "--- "), true
	}
	return strings.Join(msg, "; "), true
}

// inconclusiveReason returns the Inconclusive text of the last result
// line in out that has one: a pass whose checks ran with relaxed limits.
func inconclusiveReason(out []byte) string {
	lines := strings.Split(string(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if r, ok, err := spec.ParseResultLine(lines[i]); ok && err == nil {
			return r.Inconclusive
		}
	}
	return ""
}

// stripFileLine removes a "file.go:12: " prefix.
func stripFileLine(s string) string {
	file, rest, ok := strings.Cut(s, ": ")
	if ok && strings.Contains(file, ".go:") && !strings.ContainsRune(file, ' ') {
		return rest
	}
	return s
}

// maxFailLines bounds the failure messages kept in a reason.
const maxFailLines = 20

// failReason returns the failure of `go test -v` output: the top-level
// "--- FAIL" line and the indented lines logged just before it (with -v,
// t.Error messages stream out before the verdict line), at most
// maxFailLines of them.
func failReason(out []byte) string {
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "--- FAIL: ") {
			continue
		}
		from := i
		for from > 0 && i-from < maxFailLines && strings.HasPrefix(lines[from-1], "    ") {
			from--
		}
		msg := []string{l}
		for _, m := range lines[from:i] {
			msg = append(msg, strings.TrimSpace(m))
		}
		return strings.Join(msg, "\n")
	}
	return "test process exited with status 1"
}

// maxPanicLines bounds the panic text kept in a reason.
const maxPanicLines = 40

// panicText returns a Go panic from the output: the "panic: " line and
// what follows, at most maxPanicLines lines.
func panicText(out []byte) string {
	s := string(out)
	i := strings.Index(s, "panic: ")
	if i < 0 {
		return ""
	}
	if j := strings.LastIndexByte(s[:i], '\n'); j >= 0 {
		i = j + 1
	} else {
		i = 0
	}
	lines := strings.Split(strings.TrimRight(s[i:], "\n"), "\n")
	if len(lines) > maxPanicLines {
		lines = append(lines[:maxPanicLines], "...")
	}
	return strings.Join(lines, "\n")
}

// panicLine returns the kernel's "Kernel panic - not syncing: ..." line
// from the console, or "".
func panicLine(console string) string {
	i := strings.Index(console, "Kernel panic")
	if i < 0 {
		return ""
	}
	line := console[i:]
	if j := strings.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	return strings.TrimSpace(line)
}
