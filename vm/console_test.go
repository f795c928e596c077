package vm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// crashLog is a console log shaped like an init that exits: boot lines,
// the init's last words, a few kernel lines, the panic, a call trace of
// trace lines and the end marker.
func crashLog(trace, between int) string {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "[    1.%04d] boot line %d\r\n", i, i)
	}
	b.WriteString("exitinit: exiting as PID 1\r\n")
	for i := range between {
		fmt.Fprintf(&b, "[    4.%04d] kernel line %d\r\n", i, i)
	}
	b.WriteString("[    4.5000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300\r\n")
	for i := range trace {
		fmt.Fprintf(&b, "[    4.6000]  ? do_syscall_64+0x93/0x180 #%d\r\n", i)
	}
	b.WriteString("[    4.7000] ---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300 ]---\r\n")
	return b.String()
}

func writeLog(t *testing.T, log string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "console.log")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConsoleExcerptLongTrace: however long the call trace, the excerpt
// keeps the init's last words, the panic line, the head of the trace and
// the log's end, and says how many lines it left out.
func TestConsoleExcerptLongTrace(t *testing.T) {
	for _, trace := range []int{10, 60, 500, 5000} {
		ex, panic := consoleTail(writeLog(t, crashLog(trace, 3)))
		if panic != "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300" {
			t.Errorf("trace %d: panic line %q", trace, panic)
		}
		init := strings.Index(ex, "exitinit: exiting as PID 1")
		pl := strings.Index(ex, "Kernel panic - not syncing")
		if init < 0 || pl < init || !strings.Contains(ex, "kernel line 2\n") || !strings.Contains(ex, "#0\n") ||
			!strings.HasSuffix(ex, "end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300 ]---") {
			t.Errorf("trace %d: excerpt lacks the init's last words, the panic, the trace head or the end:\n%s", trace, ex)
		}
		if strings.Contains(ex, "\r") {
			t.Errorf("trace %d: carriage returns kept", trace)
		}
		lines := strings.Count(ex, "\n") + 1
		if max := crashContextLines + crashHeadLines + crashEndLines + initWordsLines + 2; lines > max {
			t.Errorf("trace %d: %d lines, want at most %d", trace, lines, max)
		}
		elided := trace + 1 - (crashHeadLines - 1) - crashEndLines
		if marker := fmt.Sprintf("[... %d lines elided ...]", elided); elided > 0 && !strings.Contains(ex, marker) {
			t.Errorf("trace %d: no %q in:\n%s", trace, marker, ex)
		}
		if o, _ := classify(observed{consoleTail: ex, panicLine: panic}); o != spec.OutcomeKernelPanic {
			t.Errorf("trace %d: classified %s", trace, o)
		}
	}
}

// TestConsoleExcerptOldInitWords: the init's last output is kept even when
// more kernel lines than the context came between it and the crash.
func TestConsoleExcerptOldInitWords(t *testing.T) {
	ex := consoleExcerpt(strings.ReplaceAll(crashLog(500, 3*crashContextLines), "\r", ""))
	init := strings.Index(ex, "exitinit: exiting as PID 1\n[... ")
	if init < 0 || strings.Index(ex, "Kernel panic") < init || strings.Contains(ex, "boot line") {
		t.Errorf("excerpt:\n%s", ex)
	}
	if want := fmt.Sprintf("kernel line %d\n", 2*crashContextLines); !strings.Contains(ex, want) {
		t.Errorf("excerpt lacks the %d lines before the panic:\n%s", crashContextLines, ex)
	}
}

// TestConsoleExcerptFirstCrash: the excerpt is anchored on the first crash
// line (the cause), not on the panic it led to.
func TestConsoleExcerptFirstCrash(t *testing.T) {
	var b strings.Builder
	b.WriteString("[    2.0] before the bug\n[    2.1] BUG: kernel NULL pointer dereference, address: 0000000000000000\n")
	for i := range 300 {
		fmt.Fprintf(&b, "[    2.2] frame %d\n", i)
	}
	b.WriteString("[    2.3] Kernel panic - not syncing: Fatal exception\n")
	ex := consoleExcerpt(b.String())
	if !strings.HasPrefix(ex, "[    2.0] before the bug\n[    2.1] BUG: kernel NULL") || !strings.HasSuffix(ex, "Fatal exception") {
		t.Errorf("excerpt:\n%s", ex)
	}
}

// TestConsoleExcerptNoCrash: without a crash the excerpt is the log's tail.
func TestConsoleExcerptNoCrash(t *testing.T) {
	var b strings.Builder
	for i := range 2 * consoleTailLines {
		fmt.Fprintf(&b, "[    1.0] line %d\n", i)
	}
	ex := consoleExcerpt(b.String())
	if strings.Count(ex, "\n") != consoleTailLines-1 || !strings.HasSuffix(ex, fmt.Sprintf("line %d", 2*consoleTailLines-1)) || strings.Contains(ex, "elided") {
		t.Errorf("excerpt is not the last %d lines:\n%s", consoleTailLines, ex)
	}
}

// TestConsoleTailReadsTheEnd: a log larger than consoleReadBytes is read
// from its end, without the partial first line.
func TestConsoleTailReadsTheEnd(t *testing.T) {
	log := strings.Repeat("x", consoleReadBytes) + "\n" + crashLog(20, 3)
	ex, panic := consoleTail(writeLog(t, log))
	if panic == "" || strings.Contains(ex, "xxx") || !strings.Contains(ex, "exitinit: exiting") {
		t.Errorf("panic %q, excerpt:\n%s", panic, ex)
	}
}
