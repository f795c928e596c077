package launch

import (
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// TestMain makes this test binary its own guest init, as the gauntlet
// package's init does for real tests: booted as /init in a VM it runs the
// guest init, so TestRunTestBootsVM can boot it. Only the test imports the
// guest runtime; the package itself stays host-only.
func TestMain(m *testing.M) {
	if os.Getpid() == 1 && len(os.Args) > 0 && os.Args[0] == spec.InitPath {
		guest.RunInit()
	}
	os.Exit(m.Run())
}
