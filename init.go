package gauntlet

import (
	"os"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// init turns a test binary booted as a VM's init into the guest init
// before any test runs: the kernel starts it as PID 1 under the name
// /init (see package vm). A binary that merely runs as PID 1 elsewhere (a
// container's entry point) has another name and is left alone.
func init() {
	if isGuestInit(os.Getpid(), os.Args) {
		guest.RunInit() // never returns
	}
}

func isGuestInit(pid int, args []string) bool {
	return pid == 1 && len(args) > 0 && args[0] == spec.InitPath
}
