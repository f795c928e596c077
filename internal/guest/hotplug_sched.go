package guest

import (
	"fmt"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// A sched_ext scheduler without cpu_online/cpu_offline callbacks is
// unloaded by the kernel at every CPU hotplug with a restart request
// (exit kind 66, SCX_ECODE_ACT_RESTART | SCX_ECODE_RSN_HOTPLUG in the
// exit code). Seen on the shared 6.12 kernel under TCG with 2 vCPUs
// (cpu 1 offline, then online): scx_simple and scx_flatcg are unloaded
// ("cpu 1 going offline, exiting scheduler") and their loaders, still
// running, load them again (back about 1 s and 2 s after the CPU
// returned); a reload that races the next hotplug is refused by the
// kernel with another restart request ("expected hotplug seq 2 did not
// match actual 3") and the loader tries again. scx_qmap has the
// callbacks and stays loaded. (scx_central did not attach at all there,
// its known race.) The harness does what a loader would for one that
// does not reload itself: a loader that exits after the request is
// started again with the same arguments, and the built-in scheduler
// (which has no callbacks) is attached again. A scheduler not back
// within its attach timeout of the last request did not restart: that
// is its exit.

// launchSpec is how the scheduler was started: the built-in one, or the
// guest path of its binary and the Spec's host path; the arguments.
type launchSpec struct {
	builtin        bool
	path, hostPath string
	args           []string
}

// noRestart is the sign of a scheduler that did not come back after the
// kernel's restart request.
func (sc *scheduler) noRestart(by, why string) *goneSign {
	if n := len(sc.restarts); n > 0 && sc.restarts[n-1].Message != "" {
		why += " (the request: " + sc.restarts[n-1].Message + ")"
	}
	return &goneSign{by: by, at: sc.now(), why: "did not restart after hotplug: " + why, noRestart: true}
}

// awaitRestart handles a pending restart request: nil while the
// scheduler has time to come back (the built-in one is attached again
// here), clearing the request once it is back; its sign when the attach
// timeout passed.
func (sc *scheduler) awaitRestart() *goneSign {
	st, _ := schedExtState()
	if st == "enabled" && schedExtOps() == sc.name {
		sc.restartBy, sc.reattachErr = time.Time{}, nil
		return nil
	}
	if time.Now().After(sc.restartBy) {
		why := fmt.Sprintf("not attached again within %v of the kernel's restart request (sched_ext state %q)", sc.attachTimeout, st)
		if sc.reattachErr != nil {
			why += "; attaching it again: " + sc.reattachErr.Error()
		}
		return sc.noRestart(spec.DetectedSysfs, why)
	}
	if sc.launch.builtin && st == "disabled" {
		sc.reattachErr = sc.reattachBuiltin()
	}
	return nil
}

// reattachBuiltin closes the built-in scheduler's old link (the kernel
// unloaded it) and loads it again.
func (sc *scheduler) reattachBuiltin() error {
	if b := sc.builtin; b != nil {
		sc.builtin = nil
		b.close() // the kernel already detached it; closing frees the map
	}
	b, err := loadBuiltin(sc.name, sc.launch.args)
	if err != nil {
		return err
	}
	sc.builtin = b
	sc.relaunches++
	return nil
}

// loaderExit handles the loader's exit: nil when it exited at the
// kernel's restart request and was started again, else the sign it is
// gone.
func (sc *scheduler) loaderExit() *goneSign {
	sign := &goneSign{by: spec.DetectedLoader, at: sc.now()}
	if !sc.attached {
		return sign
	}
	if sc.restartBy.IsZero() {
		// The kernel's line may say it asked for a restart (a CPU came
		// or went); see observe for why the hotplug counter cannot tell.
		if g := sc.awaitKernelVerdict(); g != nil {
			return g
		}
	}
	switch {
	case sc.restartBy.IsZero():
		return sign
	case sc.relaunchedFor == len(sc.restarts):
		return sc.noRestart(spec.DetectedLoader, fmt.Sprintf("its loader, started again, exited (%s) before the scheduler attached", loaderStatus(sc.waitErr, true)))
	}
	sc.relaunchedFor = len(sc.restarts)
	if err := sc.startBinary(sc.launch.path, sc.launch.hostPath, sc.launch.args); err != nil {
		return sc.noRestart(spec.DetectedLoader, "starting its loader again: "+err.Error())
	}
	sc.relaunches++
	return nil
}
