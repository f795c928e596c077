package run

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/internal/loadcache"
)

// Fixture packages of package expand, named from this directory.
const (
	schedFixture = "../expand/testdata/fixture/sched"
	badFixtures  = "../expand/testdata/bad/"
)

// fixtures are all good fixture packages (listed one by one, so their
// loads are shared; see cachedLoad).
var fixtures = []string{"../expand/testdata/fixture/empty", "../expand/testdata/fixture/plain", schedFixture}

// testHost is the host the tests plan for: a small development machine.
var testHost = Host{CPUs: 2, MemoryMiB: 24 * 1024}

// loadCache loads each distinct pattern and filter once per test run
// (set up by TestMain).
var loadCache *loadcache.Cache

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gauntlet-run-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	loadCache = loadcache.New(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cachedLoad is the tests' Planner.Load.
func cachedLoad(ctx context.Context, o expand.LoadOptions) ([]*expand.Package, error) {
	return loadCache.Load(ctx, o)
}

// testPlanner plans the fixtures for testHost without KVM.
func testPlanner() Planner {
	return Planner{
		Load:     cachedLoad,
		Host:     func() (Host, error) { return testHost, nil },
		ProbeKVM: func() error { return fmt.Errorf("no /dev/kvm in tests") },
	}
}
