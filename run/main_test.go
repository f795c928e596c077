package run

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/gauntlet-sched/gauntlet/expand"
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

// loadCache loads each distinct pattern and filter once per test run:
// building the fixture binaries is the slow part of planning. Its
// binaries outlive the plans (whose Close removes only their own
// directory, empty here).
var loadCache = struct {
	sync.Mutex
	dir  string
	pkgs map[string][]*expand.Package
}{pkgs: map[string][]*expand.Package{}}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gauntlet-run-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	loadCache.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cachedLoad is a [Planner.Load] that loads each pattern (with the
// filters) once per test run and returns shallow copies (Expand may set
// a copy's Err). Patterns are loaded one by one so that tests naming the
// same fixture in different pattern lists share its build.
func cachedLoad(ctx context.Context, o expand.LoadOptions) ([]*expand.Package, error) {
	loadCache.Lock()
	defer loadCache.Unlock()
	var out []*expand.Package
	for _, pattern := range o.Patterns {
		key := fmt.Sprintf("%q %s", pattern, o.Match)
		pkgs, ok := loadCache.pkgs[key]
		if !ok {
			dir, err := os.MkdirTemp(loadCache.dir, "bin-")
			if err != nil {
				return nil, err
			}
			one := o
			one.BinDir, one.Patterns = dir, []string{pattern}
			if pkgs, err = expand.Load(ctx, one); err != nil {
				return nil, err
			}
			loadCache.pkgs[key] = pkgs
		}
		for _, p := range pkgs {
			c := *p
			out = append(out, &c)
		}
	}
	return out, nil
}

// testPlanner plans the fixtures for testHost without KVM.
func testPlanner() Planner {
	return Planner{
		Load:     cachedLoad,
		Host:     func() (Host, error) { return testHost, nil },
		ProbeKVM: func() error { return fmt.Errorf("no /dev/kvm in tests") },
	}
}
