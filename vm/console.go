package vm

import (
	"io"
	"os"
	"strings"
)

// Console tail limits: the last consoleTailLines lines, read from at most
// the last consoleTailBytes of the log.
const (
	consoleTailLines = 50
	consoleTailBytes = 64 << 10
)

// consoleTail returns the end of the console log at path, cleaned of
// carriage returns, and the kernel's panic line if the end of the log
// (the last consoleTailBytes, far more than the tail's lines: a panic's
// call trace easily outgrows them) holds one; "" when there is none.
func consoleTail(path string) (tail, panic string) {
	f, err := os.Open(path)
	if err != nil {
		return "", ""
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > consoleTailBytes {
		f.Seek(info.Size()-consoleTailBytes, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	end := strings.ReplaceAll(string(b), "\r", "")
	return tailLines(end, consoleTailLines), panicLine(end)
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
