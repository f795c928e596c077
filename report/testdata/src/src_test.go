// Package src produces the `go test -v` outputs under report/testdata/*.out.
// Regenerate them with report/testdata/regen.sh.
package src

import (
	"os"
	"testing"
)

func TestPass(t *testing.T) {
	t.Log("starting 2 workers")
	t.Run("sub", func(t *testing.T) { t.Log("inner ok") })
}

func TestFail(t *testing.T) {
	t.Log("holding 2s")
	t.Errorf("stuck 3500ms on cpu1 at +1200ms")
	t.Run("sub", func(t *testing.T) { t.Error("sub broke") })
}

func TestSkip(t *testing.T) { t.Skip("kernel lacks sched_ext: /sys/kernel/sched_ext missing") }

func TestPanic(t *testing.T) {
	if os.Getenv("REPORT_SRC_PANIC") == "" {
		t.Skip("set REPORT_SRC_PANIC=1")
	}
	var m map[string]int
	m["x"] = 1
}
