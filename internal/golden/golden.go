// Package golden compares test output with golden files kept under a
// package's testdata/, and rewrites them when the tests run with -update:
//
//	go test ./PKG -run TestName -update
//
// Only tests import it (it registers the -update flag).
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Update reports whether the tests run with -update, for tests that
// record more than one golden file.
func Update() bool { return *update }

// Check compares got with the golden file at path. Under -update it first
// writes got there (creating directories). A difference fails t, showing
// both and the command that regenerates the file.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it: go test -run '^%s$' -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (if the change is intended: go test -run '^%s$' -update)\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
}

// CheckString is [Check] for text.
func CheckString(t testing.TB, path, got string) {
	t.Helper()
	Check(t, path, []byte(got))
}
