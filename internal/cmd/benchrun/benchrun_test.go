package benchrun

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWorkDir(t *testing.T) {
	keep := filepath.Join(t.TempDir(), "a", "b")
	dir, cleanup, err := WorkDir(keep, "x-*")
	cleanup()
	if _, serr := os.Stat(keep); err != nil || dir != keep || serr != nil {
		t.Errorf("WorkDir(keep) = %q, %v; stat after cleanup: %v; want the kept directory, still there", dir, err, serr)
	}
	t.Setenv("TMPDIR", t.TempDir())
	dir, cleanup, err = WorkDir("", "x-*")
	if _, serr := os.Stat(dir); err != nil || serr != nil {
		t.Fatalf("WorkDir(\"\") = %q, %v, %v", dir, err, serr)
	}
	cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary %s left after cleanup: %v", dir, err)
	}
}
