package run

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps: the orchestration links neither the test-author API (the
// module root) nor the guest runtime and cilium/ebpf, which only test
// binaries carry.
func TestDeps(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/gauntlet-sched/gauntlet" || strings.HasPrefix(dep, "github.com/cilium/") ||
			strings.HasPrefix(dep, "github.com/gauntlet-sched/gauntlet/internal/guest") {
			t.Errorf("package run depends on %s", dep)
		}
	}
}
