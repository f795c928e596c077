// Package garbage is a fixture that writes garbage into the describe file.
package garbage

import (
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestGarbage(t *testing.T) {
	if p := os.Getenv(spec.EnvDescribe); p != "" {
		if err := os.WriteFile(p, []byte("this is not json\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
