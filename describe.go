package gauntlet

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// describe appends t's Spec as one JSON line to the describe file and skips
// t. O_APPEND writes of one line are atomic, so parallel tests are safe.
func describe(t testing.TB, s spec.Spec) {
	t.Helper()
	line, err := json.Marshal(spec.Description{Test: t.Name(), Spec: s})
	if err != nil {
		t.Fatalf("gauntlet describe: encode spec: %v", err)
	}
	path := os.Getenv(spec.EnvDescribe)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatalf("gauntlet describe: %v", err)
	}
	_, werr := f.Write(append(line, '\n'))
	cerr := f.Close()
	if werr != nil || cerr != nil {
		t.Fatalf("gauntlet describe: write %s: %v", path, fmt.Errorf("%w", firstErr(werr, cerr)))
	}
	t.SkipNow()
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
