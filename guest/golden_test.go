package guest

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// Regenerate the golden files under testdata/ with:
//
//	go test ./guest -run Golden -update
var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; rerun with -update and review the diff.\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
