package main

import (
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/golden"
)

// checkGolden compares got with the golden file at path (or rewrites it
// with -update: go test ./cmd/gauntlet -update).
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got)
}
