package guest

import (
	"path/filepath"
	"testing"

	golden_ "github.com/gauntlet-sched/gauntlet/internal/golden"
)

// golden compares got with testdata/name, rewriting it under -update:
//
//	go test ./internal/guest -run Golden -update
func golden(t *testing.T, name, got string) {
	t.Helper()
	golden_.CheckString(t, filepath.Join("testdata", name), got)
}
