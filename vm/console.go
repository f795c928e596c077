package vm

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
)

// Console excerpt limits (see [consoleExcerpt]).
const (
	// consoleTailLines is the tail kept of a log without a crash.
	consoleTailLines = 50
	// crashContextLines are kept before the first crash line: the init's
	// and the kernel's last words before it.
	crashContextLines = 20
	// crashHeadLines are kept from the first crash line on: the report
	// and the head of its call trace.
	crashHeadLines = 40
	// crashEndLines are the log's last lines, kept after an elided trace.
	crashEndLines = 10
	// initWordsLines bound the init's last output lines kept when they are
	// older than the crash context.
	initWordsLines = 5
	// consoleReadBytes is how much of the log's end is read.
	consoleReadBytes = 1 << 20
)

// consoleTail returns an excerpt of the console log at path (see
// [consoleExcerpt]), cleaned of carriage returns, and the kernel's panic
// line ("" when there is none) from the log's last consoleReadBytes.
func consoleTail(path string) (excerpt, panic string) { return consoleTailFrom(path, 0) }

// consoleTailFrom is consoleTail of the log's part from byte offset from
// on: what a test that ran in a VM booted for an earlier one left there.
func consoleTailFrom(path string, from int64) (excerpt, panic string) {
	f, err := os.Open(path)
	if err != nil {
		return "", ""
	}
	defer f.Close()
	cut := false
	f.Seek(from, io.SeekStart)
	if info, err := f.Stat(); err == nil && info.Size()-from > consoleReadBytes {
		f.Seek(info.Size()-consoleReadBytes, io.SeekStart)
		cut = true
	}
	b, _ := io.ReadAll(f)
	end := strings.ReplaceAll(string(b), "\r", "")
	if _, rest, ok := strings.Cut(end, "\n"); ok && cut {
		end = rest // the first line is a partial one
	}
	return consoleExcerpt(end), panicLine(end)
}

// crashLine matches the first line of a kernel crash report.
var crashLine = regexp.MustCompile(`Kernel panic|BUG:|Oops`)

// kernelLine matches a line the kernel printed (with its printk time);
// other console lines are the init's (or firmware's) own output.
var kernelLine = regexp.MustCompile(`^\[\s*\d+\.\d+\]`)

// consoleExcerpt picks the lines of a console log that explain how the VM
// ended. Without a crash it is the last consoleTailLines lines. With one
// (a line holding "Kernel panic", "BUG:" or "Oops") it keeps, whatever the
// call trace's length: the init's last output lines (initWordsLines at
// most), the crashContextLines lines before the first crash line, that
// line and the crashHeadLines lines from it, and the log's last
// crashEndLines lines. A "[... N lines elided ...]" line stands for each
// gap between kept lines.
func consoleExcerpt(log string) string {
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	first := slices.IndexFunc(lines, crashLine.MatchString)
	if first < 0 {
		return strings.Join(lines[max(len(lines)-consoleTailLines, 0):], "\n")
	}
	return joinKept(lines, crashKept(lines, first))
}

// crashKept marks the lines [consoleExcerpt] keeps of a log whose first
// crash line is lines[first].
func crashKept(lines []string, first int) []bool {
	keep := make([]bool, len(lines))
	from := max(first-crashContextLines, 0)
	for i, n := from-1, 0; i >= 0 && n < initWordsLines; i-- {
		if !kernelLine.MatchString(lines[i]) && strings.TrimSpace(lines[i]) != "" {
			keep[i] = true
			n++
		}
	}
	for i := from; i < min(first+crashHeadLines, len(lines)); i++ {
		keep[i] = true
	}
	for i := max(len(lines)-crashEndLines, first); i < len(lines); i++ {
		keep[i] = true
	}
	return keep
}

// joinKept joins the kept lines, with one marker line per gap between
// them (lines before the first kept one are dropped silently).
func joinKept(lines []string, keep []bool) string {
	var out []string
	gap := 0
	for i, l := range lines {
		switch {
		case !keep[i]:
			gap++
			continue
		case gap > 0 && len(out) > 0:
			out = append(out, fmt.Sprintf("[... %d lines elided ...]", gap))
		}
		gap = 0
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// tailLines returns the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// emulatorRaceSign is how a guest kernel reports executing a breakpoint
// that its code patching (static keys, alternatives) had already removed:
// under QEMU 7.2's multi-threaded TCG another vCPU can run a stale
// translation of the patched bytes. On real hardware and KVM this oops
// would mean a kernel bug; under TCG it is the emulator.
const emulatorRaceSign = "Oops: int3"

// emulatorRace reports whether the console log at path shows the kernel
// dying of the TCG code-patching race.
func emulatorRace(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(b), emulatorRaceSign)
}
