package main

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

// update rewrites golden files: go test ./cmd/gauntlet -update
var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// checkGolden compares got with the golden file at path (or rewrites it
// with -update).
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/gauntlet -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (check, then run go test ./cmd/gauntlet -update):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
