package spec

import (
	"path"
	"regexp"
	"strings"
)

// What the host side (package vm and the launcher) and the guest side
// (the guest init and the scenario runtime) agree on about a VM's
// contents and command line.
const (
	// InitPath is where the test binary sits in the guest: the kernel
	// starts it as PID 1 under this name (rdinit=), and the init starts
	// it again from there to run the test.
	InitPath = "/init"
	// SchedulerDir is the guest directory a test's scheduler binary is
	// copied to; see [SchedulerGuestPath].
	SchedulerDir = "/gauntlet/sched"
)

// SchedulerGuestPath returns where the guest finds the scheduler binary
// whose host path is hostPath: [SchedulerDir]/<base name>.
func SchedulerGuestPath(hostPath string) string {
	return path.Join(SchedulerDir, path.Base(hostPath))
}

// RunPattern returns the -test.run pattern that selects exactly the test
// (or subtest) called name: each '/'-separated element anchored and
// quoted, since go test matches the elements one by one.
func RunPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
