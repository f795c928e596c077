package vm

import (
	"flag"
	"os"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// TestMain makes this test binary its own guest init: booted as /init in
// a VM it runs the guest side (package guest), so the integration tests
// can boot it. With GAUNTLET_FAKE_QEMU set it is a fake emulator instead
// (see fakeQEMU).
func TestMain(m *testing.M) {
	if os.Getpid() == 1 && len(os.Args) > 0 && os.Args[0] == spec.InitPath {
		guest.RunInit()
	}
	if mode := os.Getenv(envFakeQEMU); mode != "" {
		os.Exit(fakeQEMU(mode, os.Args[1:]))
	}
	flag.Parse()
	os.Exit(m.Run())
}
