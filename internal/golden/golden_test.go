package golden

import (
	"path/filepath"
	"testing"
)

func TestCheckCatchesDifference(t *testing.T) {
	path := filepath.Join("testdata", "hello.golden")
	CheckString(t, path, "hello\n")
	if *update {
		t.Skip("-update rewrites; nothing to compare")
	}
	ft := &recorder{T: t}
	Check(ft, path, []byte("changed\n"))
	if !ft.failed {
		t.Error("a differing output did not fail the test")
	}
}

// recorder notes a failure instead of failing the real test.
type recorder struct {
	*testing.T
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}
