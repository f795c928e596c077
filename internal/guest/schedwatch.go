package guest

import (
	"context"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// watch starts the watcher: from now to [scheduler.stopWatching] it
// follows the kernel log, the loader's exit and sysfs, and at the first
// sign the scheduler stopped it cancels the scenario with
// errSchedulerGone, then gathers the exit ([scheduler.exitInfo]).
func (sc *scheduler) watch(cancel context.CancelCauseFunc) {
	sc.watchStop, sc.watchDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sc.watchDone)
		for {
			select {
			case <-sc.watchStop:
				return
			default:
			}
			if g := sc.observe(); g != nil {
				sc.gone = g
				cancel(errSchedulerGone)
				sc.settle()
				sc.finalize()
				return
			}
			sc.wait(watchPoll)
		}
	}()
}

// stopWatching stops the watcher and looks once more, so an exit just
// before the scenario's end is not missed; with a restart request
// pending it waits until the scheduler is back or its attach timeout
// passes. It returns the exit, nil when the scheduler still runs.
func (sc *scheduler) stopWatching() *spec.SchedulerExit {
	if sc.watchStop != nil {
		select {
		case <-sc.watchStop:
		default:
			close(sc.watchStop)
		}
		<-sc.watchDone
	}
	if sc.gone == nil {
		g := sc.observe()
		for g == nil && !sc.restartBy.IsZero() {
			// A restart is pending: the scheduler has its attach
			// timeout to come back, even at the test's end.
			sc.wait(schedPoll)
			g = sc.observe()
		}
		if g != nil {
			sc.noteGone(g)
			sc.finalize()
		}
	}
	return sc.exitInfo()
}

// exitInfo waits until a noticed exit is gathered and returns it; nil
// when none was noticed. The scenario calls it once the watcher has
// cancelled its context, or after stopWatching.
func (sc *scheduler) exitInfo() *spec.SchedulerExit {
	if sc.gone == nil {
		return nil
	}
	<-sc.finalized
	return sc.exit
}

// observe reads what is new and returns the first sign that the
// scheduler is gone (or, before attach, failed to attach), nil while it
// runs. It handles the kernel's restart request: the scheduler has its
// attach timeout to come back.
func (sc *scheduler) observe() *goneSign {
	if g := sc.readKmsg(); g != nil {
		return g
	}
	if sc.loaderExited() {
		if g := sc.loaderExit(); g != nil {
			return g
		}
	}
	if !sc.attached {
		return nil
	}
	if !sc.restartBy.IsZero() {
		return sc.awaitRestart()
	}
	st, err := schedExtState()
	if err == nil && st == "enabled" && schedExtOps() == sc.name {
		return nil
	}
	sign := &goneSign{by: spec.DetectedSysfs, at: sc.now(), why: fmt.Sprintf("sched_ext state %q, root/ops %q", st, schedExtOps())}
	// This may be the kernel's restart request (a CPU came or went),
	// which only its log tells apart, so its verdict is awaited whatever
	// sched_ext's hotplug counter says: the counter moves before the
	// scheduler is unloaded, and a poll that saw "enabled" just after it
	// moved would otherwise take the unload for an exit (seen in CI:
	// the built-in scheduler "stopped" at a hotplug it restarts from).
	// A real exit's "disabled" line ends the wait at once.
	if g := sc.awaitKernelVerdict(); g != nil || sc.restartBy.IsZero() {
		return sign
	}
	return nil
}

// awaitKernelVerdict waits (up to settleWait) for the kernel log's
// "disabled" line: its sign, or nil for a restart request.
func (sc *scheduler) awaitKernelVerdict() *goneSign {
	if sc.klog == nil {
		return nil
	}
	deadline := time.Now().Add(settleWait)
	for time.Now().Before(deadline) && sc.klog.broken == nil {
		if g := sc.readKmsg(); g != nil || !sc.restartBy.IsZero() {
			return g
		}
		sc.wait(min(time.Until(deadline), schedPoll))
	}
	return nil
}

// readKmsg takes in the kernel log's new sched_ext lines; a "disabled"
// line of this scheduler is the sign it is gone, unless it is the
// kernel's restart request.
func (sc *scheduler) readKmsg() *goneSign {
	if sc.klog == nil {
		return nil
	}
	var sign *goneSign
	for _, r := range sc.klog.read() {
		l, ok := parseSchedExtLine(r.Msg)
		if !ok || (sc.name != "" && l.Name != sc.name) {
			continue
		}
		switch l.Kind {
		case scxEnabled:
			if !sc.attached {
				sc.attachTS = r.TS
			}
		case scxDisabled:
			if sc.disabled != nil {
				continue
			}
			if k, _ := spec.ExitKindOfReason(l.Reason); k == spec.ExitUnregisteredKernel && sc.attached {
				sc.restarts = append(sc.restarts, spec.SchedulerExit{Scheduler: sc.name, Attached: true, Kind: k,
					KindName: k.Name(), Reason: l.Reason, AfterAttach: r.TS - sc.attachTS, DetectedBy: spec.DetectedKmsg})
				sc.restartBy = time.Now().Add(sc.attachTimeout)
				continue
			}
			rec := r
			sc.disabled, sc.reason = &rec, l.Reason
			if sign == nil {
				sign = &goneSign{by: spec.DetectedKmsg, at: sc.now()}
			}
		case scxMessage:
			switch {
			case sc.disabled != nil && sc.message == "":
				sc.message = l.Msg
			case sc.disabled == nil && len(sc.restarts) > 0 && sc.restarts[len(sc.restarts)-1].Message == "":
				sc.restarts[len(sc.restarts)-1].Message = l.Msg
			}
		}
	}
	return sign
}

// noteGone records the first sign and settles it.
func (sc *scheduler) noteGone(g *goneSign) {
	if sc.gone != nil {
		return
	}
	sc.gone = g
	sc.settle()
}

// settle waits (briefly) for the kernel log to say why the scheduler is
// gone, and names the victim of a stall while it still exists; the
// scenario stops its workers only after it ([scheduler.awaitSettled]).
// sysfs says "disabling" before the kernel prints its "disabled" line
// and the message after it.
func (sc *scheduler) settle() {
	defer close(sc.settled)
	if sc.klog != nil && sc.attached {
		deadline := time.Now().Add(settleWait)
		for sc.disabled == nil && time.Now().Before(deadline) && sc.klog.broken == nil {
			if st, err := schedExtState(); err != nil || st == "disabled" {
				break // the kernel is done: the log holds all it will say
			}
			sc.wait(min(time.Until(deadline), schedPoll))
			sc.readKmsg()
		}
	}
	if sc.disabled != nil && sc.message == "" {
		if k, _ := spec.ExitKindOfReason(sc.reason); k.IsError() {
			deadline := time.Now().Add(messageWait)
			for sc.message == "" && time.Now().Before(deadline) && sc.klog.broken == nil {
				sc.wait(time.Until(deadline))
				sc.readKmsg()
			}
		}
	}
	if v, _, ok := parseStall(sc.message); ok && v != nil {
		sc.victim = sc.attribute(*v)
	}
}

// awaitSettled waits until the watcher has settled a noticed exit.
func (sc *scheduler) awaitSettled() {
	if sc.gone != nil {
		<-sc.settled
	}
}

// finalize makes sure the loader has stopped and the kernel has said
// everything, then builds the exit. It runs once, after noteGone.
func (sc *scheduler) finalize() {
	defer close(sc.finalized)
	if sc.cmd != nil && sc.cmd.Process != nil && !sc.loaderExited() {
		// The loader notices the exit within its polling interval;
		// SIGINT makes it report at once (the kernel keeps the first
		// exit's reason).
		sc.stop()
	}
	deadline := time.Now().Add(disableWait)
	for sc.gone.by != spec.DetectedStart && time.Now().Before(deadline) {
		if st, err := schedExtState(); err != nil || st == "disabled" {
			break
		}
		sc.wait(schedPoll)
		sc.readKmsg()
	}
	sc.readKmsg()
	sc.exit = sc.buildExit()
}

// buildExit puts together what the kernel log, the loader and sysfs said.
func (sc *scheduler) buildExit() *spec.SchedulerExit {
	e := &spec.SchedulerExit{Scheduler: sc.label(), Attached: sc.attached, DetectedBy: sc.gone.by,
		Reason: sc.reason, Message: sc.message}
	var out string
	if sc.out != nil {
		out = sc.out.String()
		if r, m, ok := parseLoaderExit(out); ok {
			if e.Reason == "" {
				e.Reason = r
			}
			if e.Message == "" {
				e.Message = m
			}
		}
		var dk spec.ExitKind
		sc.dump, dk = extractDebugDump(out)
		e.Kind = dk
		e.Loader = loaderStatus(sc.waitErr, sc.loaderExited())
		e.LastWords = loaderLastWords(out)
	}
	if k, ok := spec.ExitKindOfReason(e.Reason); ok {
		e.Kind = k
	}
	e.KindName = e.Kind.Name()
	if v, d, ok := parseStall(e.Message); ok && e.Kind == spec.ExitStall {
		e.Stalled = d
		if sc.victim != nil {
			e.Victim = sc.victim
		} else if v != nil {
			e.Victim = sc.attribute(*v)
		}
	}
	if e.Message == "" && e.Kind == 0 && sc.gone.why != "" {
		switch {
		case sc.gone.by == spec.DetectedTimeout && e.LastWords != "":
			e.Message = sc.gone.why + "; its last output: " + e.LastWords
		case e.LastWords == "" || sc.gone.by == spec.DetectedTimeout:
			e.Message = sc.gone.why
		}
	}
	if sc.gone.noRestart {
		e.Kind, e.Reason, e.Message = spec.ExitUnregisteredKernel, spec.ExitUnregisteredKernel.Reason(), sc.gone.why
		e.KindName = e.Kind.Name()
	}
	if sc.gone.by == spec.DetectedKmsg && sc.klog.calibrated {
		e.DetectLatency = max(sc.gone.at-sc.disabled.TS, 1)
	}
	if sc.attached {
		e.AfterAttach = max(sc.exitTime()-sc.attachTS, 0)
	}
	return e
}

// exitTime is when the scheduler stopped, on the kernel log's clock: the
// kernel's "disabled" record or the moment the harness noticed, whichever
// came first. (sysfs says "disabling" as soon as the kernel starts to
// disable the scheduler; the kernel prints "disabled" once every task is
// back on its own scheduler, which takes a while under TCG.)
func (sc *scheduler) exitTime() time.Duration {
	switch {
	case sc.gone == nil:
		return 0
	case sc.disabled != nil && sc.klog.calibrated:
		return min(sc.disabled.TS, sc.gone.at)
	}
	return sc.gone.at
}

// loaderStatus describes how the loader process ended.
func loaderStatus(err error, exited bool) string {
	switch {
	case !exited:
		return "still running"
	case err == nil:
		return "exit status 0"
	}
	return err.Error()
}

// attribute says whose task t is: the harness (the test process or the
// init), the loader, a worker (by its cgroup below the harness's) or
// another task.
func (sc *scheduler) attribute(t spec.Task) *spec.Task {
	tgid := tgidOf(t.PID)
	cg := cgroupOf(tgid)
	switch {
	case tgid == 1 || tgid == os.Getpid():
		t.Role = spec.RoleHarness
	case tgid == sc.pid() && tgid != 0:
		t.Role = spec.RoleScheduler
	default:
		t.Role, t.Cgroup = spec.RoleOther, cg
		rel := strings.TrimPrefix(sc.harnessCgroup, cgroupRoot)
		if sub, ok := strings.CutPrefix(cg, rel+"/"); ok && rel != "" && sub != "" {
			t.Role, t.Cgroup = spec.RoleWorker, sub
		}
	}
	return &t
}

// tgidOf returns the process a thread belongs to (the thread itself
// when /proc does not say).
func tgidOf(tid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return tid
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Tgid:"); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				return n
			}
		}
	}
	return tid
}

// cgroupOf returns the cgroup v2 path of process pid, "" when unknown.
func cgroupOf(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			return path.Clean(p)
		}
	}
	return ""
}

// logFile is one file the guest hands to the host in its output.
type logFile struct {
	name string
	data string
}

// logFiles are the scheduler's logs for the host: the loader's output,
// the kernel's sched_ext lines and the debug dump, when there are any.
func (sc *scheduler) logFiles() []logFile {
	base := "sched-" + sc.label()
	if !spec.ValidFileName(base) {
		base = "sched"
	}
	var out []logFile
	if sc.out != nil {
		out = append(out, logFile{base + "-loader.log", sc.out.String()})
	}
	if sc.klog != nil && len(sc.klog.kept) > 0 {
		out = append(out, logFile{base + "-kmsg.log", sc.klog.text()})
	}
	if sc.dump != "" {
		out = append(out, logFile{base + "-dump.txt", sc.dump})
	}
	return out
}

// fillRestartMessages takes the message of each restart request the
// kernel log gave none (it prints messages of error exits only) from the
// loader's "EXIT:" lines, in order.
func (sc *scheduler) fillRestartMessages() {
	if sc.out == nil {
		return
	}
	var msgs []string
	for _, l := range strings.Split(sc.out.String(), "\n") {
		if r, m, ok := parseLoaderExit(l); ok && r == spec.ExitUnregisteredKernel.Reason() {
			msgs = append(msgs, m)
		}
	}
	for i := range sc.restarts {
		if i < len(msgs) && sc.restarts[i].Message == "" {
			sc.restarts[i].Message = msgs[i]
		}
	}
}

// noteReported records, once, how long after the scheduler's exit the
// scenario ended with it.
func (sc *scheduler) noteReported() {
	e := sc.exitInfo()
	if e == nil || e.ReportLatency != 0 {
		return
	}
	e.ReportLatency = max(sc.now()-sc.exitTime(), 1)
}
