package guest

import (
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

const restartLine = `sched_ext: BPF scheduler "simple" disabled (unregistered from the main kernel)`

// restartRequested is an attached scheduler "simple" whose loader ran
// first, then the kernel's restart request arrived; launch is how the
// harness would start the loader again.
func restartRequested(t *testing.T, first, again string) *scheduler {
	t.Helper()
	sc, k := watchedScheduler(t, "simple")
	startFakeLoader(t, sc, first)
	sc.launch = launchSpec{path: "/bin/sh", hostPath: "/host/bin/fake", args: []string{"-c", again}}
	k.push(13*time.Second, restartLine)
	setSchedExt(t, "disabled", "")
	return sc
}

// TestSchedulerLoaderStartedAgain: a loader that exits at the kernel's
// restart request (instead of loading the scheduler again itself) is
// started again, and the scheduler is back once the kernel names it.
func TestSchedulerLoaderStartedAgain(t *testing.T) {
	sc := restartRequested(t, "echo 'EXIT: unregistered from the main kernel (cpu 1 going offline, exiting scheduler)'",
		"echo started again; exec sleep 10")
	<-sc.exited
	if g := sc.observe(); g != nil || sc.relaunches != 1 || sc.loaderExited() {
		t.Fatalf("loader exited at a restart request: sign %+v, relaunches %d", g, sc.relaunches)
	}
	setSchedExt(t, "enabled", "simple")
	if g := sc.observe(); g != nil || !sc.restartBy.IsZero() {
		t.Fatalf("back: sign %+v, restart by %v", g, sc.restartBy)
	}
	sc.fillRestartMessages()
	if len(sc.restarts) != 1 || sc.restarts[0].Message != "cpu 1 going offline, exiting scheduler" {
		t.Errorf("restarts %+v", sc.restarts)
	}
}

// TestSchedulerDidNotRestart: a loader started again that exits before
// attaching, and a scheduler not back within its attach timeout, are
// exits saying the scheduler did not restart after hotplug.
func TestSchedulerDidNotRestart(t *testing.T) {
	t.Run("loader exits again", func(t *testing.T) {
		sc := restartRequested(t, "exit 0", "echo 'simple: cannot load' >&2; exit 1")
		<-sc.exited
		if g := sc.observe(); g != nil {
			t.Fatalf("first exit: %+v", g)
		}
		<-sc.exited
		g := sc.observe()
		if g == nil || !g.noRestart || g.by != spec.DetectedLoader {
			t.Fatalf("second exit: sign %+v", g)
		}
		sc.noteGone(g)
		sc.finalize()
		e := sc.exitInfo()
		want := ": unregistered from the main kernel: did not restart after hotplug: its loader, started again, exited (exit status 1) before the scheduler attached"
		if e.Kind != spec.ExitUnregisteredKernel || e.FailureType() != "unregistered_kernel" || !strings.HasPrefix(e.String(), "scheduler simple unloaded by the kernel (restart request) after ") ||
			!strings.HasSuffix(e.String(), want) || e.LastWords != "simple: cannot load" {
			t.Errorf("exit %+v\n%q\nwant %q", e, e.String(), want)
		}
	})
	t.Run("not back in time, at the test's end", func(t *testing.T) {
		sc := restartRequested(t, "exec sleep 10", "exit 1")
		start := time.Now()
		e := sc.stopWatching()
		if e == nil || !strings.Contains(e.Message, "did not restart after hotplug: not attached again within 1s of the kernel's restart request") {
			t.Fatalf("exit %+v", e)
		}
		if waited := time.Since(start); waited < sc.attachTimeout {
			t.Errorf("gave up after %v, before the attach timeout %v", waited, sc.attachTimeout)
		}
	})
	t.Run("back before the test's end", func(t *testing.T) {
		sc := restartRequested(t, "exec sleep 10", "exit 1")
		sc.observe()
		go func() {
			for sc.restartBy.IsZero() {
				time.Sleep(time.Millisecond)
			}
			setSchedExt(t, "enabled", "simple")
		}()
		if e := sc.stopWatching(); e != nil {
			t.Fatalf("came back, yet %+v", e)
		}
	})
}
