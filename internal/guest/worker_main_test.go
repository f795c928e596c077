package guest

import (
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// TestMain lets this test binary serve as its own worker processes: the
// launcher re-executes it with spec.EnvWorker set, as the gauntlet package
// does for real tests.
func TestMain(m *testing.M) {
	if cfg := os.Getenv(spec.EnvWorker); cfg != "" {
		os.Exit(WorkerMain(cfg))
	}
	os.Exit(m.Run())
}
