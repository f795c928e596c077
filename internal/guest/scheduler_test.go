package guest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// fakeSchedExt points the sched_ext sysfs at a temp dir with state and
// ops files.
func fakeSchedExt(t *testing.T, state, ops string) string {
	t.Helper()
	dir := t.TempDir()
	old := scxRoot
	scxRoot = dir
	t.Cleanup(func() { scxRoot = old })
	os.MkdirAll(filepath.Join(dir, "root"), 0o755)
	setSchedExt(t, state, ops)
	return dir
}

func setSchedExt(t *testing.T, state, ops string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(scxRoot, "state"), []byte(state+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(scxRoot, "root", "ops"), []byte(ops+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckSchedExtMissingIsNotSupported(t *testing.T) {
	old := scxRoot
	scxRoot = filepath.Join(t.TempDir(), "none")
	defer func() { scxRoot = old }()
	err := checkSchedExt()
	if !errors.Is(err, spec.ErrNotSupported) || !strings.Contains(err.Error(), spec.EnvSchedExtKernel) {
		t.Errorf("err %v: want ErrNotSupported naming %s", err, spec.EnvSchedExtKernel)
	}
}

func TestCheckSchedExtBusy(t *testing.T) {
	fakeSchedExt(t, "enabled", "other")
	if err := checkSchedExt(); err == nil || !strings.Contains(err.Error(), `"other"`) {
		t.Errorf("err %v: want one naming the loaded scheduler", err)
	}
}

// fakeKmsg is a /dev/kmsg stand-in: one queued record per read.
type fakeKmsg struct {
	mu   sync.Mutex
	recs []string
	seq  int
}

func (f *fakeKmsg) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.recs) == 0 {
		return 0, unix.EAGAIN
	}
	n := copy(p, f.recs[0])
	f.recs = f.recs[1:]
	return n, nil
}

func (f *fakeKmsg) push(ts time.Duration, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	f.recs = append(f.recs, fmt.Sprintf("3,%d,%d,-;%s\n", f.seq, ts.Microseconds(), msg))
}

// watchedScheduler is an attached scheduler named name with a fake
// kernel log, as the watcher sees it.
func watchedScheduler(t *testing.T, name string) (*scheduler, *fakeKmsg) {
	t.Helper()
	fakeSchedExt(t, "enabled", name)
	k := &fakeKmsg{}
	sc := newScheduler(&spec.Scheduler{Name: name, AttachTimeout: time.Second}, "/sys/fs/cgroup/gauntlet-7")
	sc.klog = newKmsgLog(k, -1)
	sc.klog.calibrated = true
	sc.attached, sc.attachTS = true, 10*time.Second
	return sc, k
}

func TestSchedulerObserveKernelLog(t *testing.T) {
	sc, k := watchedScheduler(t, "qmap")
	k.push(11*time.Second, "sched_ext: BPF scheduler \"other\" disabled (scx_bpf_error)")
	k.push(11*time.Second, "unrelated line")
	if g := sc.observe(); g != nil {
		t.Fatalf("gone on another scheduler's line: %+v", g)
	}
	k.push(12*time.Second, "sched_ext: BPF scheduler \"qmap\" disabled (scx_bpf_error)")
	k.push(12*time.Second, "sched_ext: qmap: test triggering error")
	k.push(12*time.Second, "   scx_bpf_error_bstr+0x66/0x80")
	g := sc.observe()
	if g == nil || g.by != spec.DetectedKmsg {
		t.Fatalf("sign %+v: want the kernel log", g)
	}
	setSchedExt(t, "disabled", "")
	sc.noteGone(g)
	sc.finalize()
	e := sc.exitInfo()
	want := spec.SchedulerExit{Scheduler: "qmap", Attached: true, Kind: spec.ExitBPFError, KindName: "scx_bpf_error",
		Reason: "scx_bpf_error", Message: "test triggering error", AfterAttach: 2 * time.Second, DetectedBy: spec.DetectedKmsg,
		DetectLatency: e.DetectLatency}
	if e == nil || *e != want {
		t.Fatalf("exit %+v\nwant %+v", e, want)
	}
	if got := e.String(); got != "scheduler qmap ejected after 2s: scx_bpf_error: test triggering error" {
		t.Errorf("line %q", got)
	}
	if files := sc.logFiles(); len(files) != 1 || files[0].name != "sched-qmap-kmsg.log" || !strings.Contains(files[0].data, "] sched_ext: qmap: test triggering error\n[") {
		t.Errorf("log files %+v", files)
	}
}

func TestSchedulerObserveSysfs(t *testing.T) {
	sc, _ := watchedScheduler(t, "mysched")
	if g := sc.observe(); g != nil {
		t.Fatalf("gone while loaded: %+v", g)
	}
	setSchedExt(t, "enabled", "someone_else")
	if g := sc.observe(); g == nil || g.by != spec.DetectedSysfs || !strings.Contains(g.why, "someone_else") {
		t.Errorf("replaced scheduler: %+v", g)
	}
	setSchedExt(t, "disabled", "")
	if g := sc.observe(); g == nil || !strings.Contains(g.why, `state "disabled"`) {
		t.Errorf("disabled sched_ext: %+v", g)
	}
}

func TestSchedulerRestartRequest(t *testing.T) {
	sc, k := watchedScheduler(t, "qmap")
	k.push(13*time.Second, "sched_ext: BPF scheduler \"qmap\" disabled (unregistered from the main kernel)")
	k.push(13*time.Second, "sched_ext: qmap: cpu 1 going offline, exiting scheduler")
	setSchedExt(t, "disabled", "")
	if g := sc.observe(); g != nil {
		t.Fatalf("a restart request is gone: %+v", g)
	}
	if len(sc.restarts) != 1 || sc.restarts[0].Kind != spec.ExitUnregisteredKernel || sc.restarts[0].Message != "cpu 1 going offline, exiting scheduler" || sc.restarts[0].AfterAttach != 3*time.Second {
		t.Fatalf("restarts %+v", sc.restarts)
	}
	if g := sc.observe(); g != nil {
		t.Fatalf("gone while restarting: %+v", g)
	}
	k.push(14*time.Second, "sched_ext: BPF scheduler \"qmap\" enabled")
	setSchedExt(t, "enabled", "qmap")
	if g := sc.observe(); g != nil || !sc.restartBy.IsZero() {
		t.Fatalf("back after the restart: %+v, restart by %v", g, sc.restartBy)
	}
	k.push(15*time.Second, "sched_ext: BPF scheduler \"qmap\" disabled (unregistered from the main kernel)")
	setSchedExt(t, "disabled", "")
	sc.observe()
	sc.restartBy = time.Now().Add(-time.Millisecond)
	if g := sc.observe(); g == nil || !strings.Contains(g.why, "not attached again") {
		t.Errorf("no second re-attach: %+v", g)
	}
}

// TestSchedulerRestartBeforeItsLogLine: sysfs says the scheduler is
// going before the kernel prints why; after a CPU hotplug the watcher
// waits for the kernel's line, which may be a restart request.
func TestSchedulerRestartBeforeItsLogLine(t *testing.T) {
	sc, k := watchedScheduler(t, "simple")
	os.WriteFile(filepath.Join(scxRoot, "hotplug_seq"), []byte("4\n"), 0o644)
	setSchedExt(t, "disabling", "simple")
	if g := sc.observe(); g == nil || g.by != spec.DetectedSysfs {
		t.Fatalf("no hotplug: sign %+v, want sysfs at once", g)
	}
	os.WriteFile(filepath.Join(scxRoot, "hotplug_seq"), []byte("5\n"), 0o644)
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(30 * time.Millisecond) // the kernel prints after switching every task back
		k.push(13*time.Second, "sched_ext: BPF scheduler \"simple\" disabled (unregistered from the main kernel)")
	}()
	if g := sc.observe(); g != nil || len(sc.restarts) != 1 || sc.restartBy.IsZero() {
		t.Fatalf("hotplug then a restart request: sign %+v, restarts %+v", g, sc.restarts)
	}
	<-done
	sc.out = newLogBuffer(100, 100)
	sc.out.Write([]byte("local=2\nEXIT: unregistered from the main kernel (cpu 1 going offline, exiting scheduler)\nlocal=3\n"))
	sc.fillRestartMessages()
	if sc.restarts[0].Message != "cpu 1 going offline, exiting scheduler" {
		t.Errorf("restart message %q", sc.restarts[0].Message)
	}
}

// startFakeLoader starts script as the scheduler's loader.
func startFakeLoader(t *testing.T, sc *scheduler, script string) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh:", err)
	}
	if err := sc.startBinary("/bin/sh", "/host/bin/fake", []string{"-c", script}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.stop(); sc.release() })
}

func TestSchedulerLoaderExit(t *testing.T) {
	sc, _ := watchedScheduler(t, "qmap")
	startFakeLoader(t, sc, "echo DEBUG DUMP; echo ==========; echo 'kworker/0:1[9] triggered exit kind 1026:'; echo ==========; echo 'EXIT: runnable task stall (init[1] failed to run for 5.250s)'")
	<-sc.exited
	g := sc.observe()
	if g == nil || g.by != spec.DetectedLoader {
		t.Fatalf("sign %+v: want the loader's exit", g)
	}
	setSchedExt(t, "disabled", "")
	sc.noteGone(g)
	sc.finalize()
	e := sc.exitInfo()
	if e.Kind != spec.ExitStall || e.Message != "init[1] failed to run for 5.250s" || e.Stalled != 5250*time.Millisecond ||
		e.Victim == nil || e.Victim.Role != spec.RoleHarness || e.Loader != "exit status 0" {
		t.Errorf("exit %+v victim %+v", e, e.Victim)
	}
	if !strings.Contains(e.String(), "(victim init[1] (the guest init))") {
		t.Errorf("line %q", e.String())
	}
	names := ""
	for _, f := range sc.logFiles() {
		names += f.name + " "
	}
	if names != "sched-qmap-loader.log sched-qmap-dump.txt " {
		t.Errorf("log files %q", names)
	}
}

func TestSchedulerAttachFailures(t *testing.T) {
	t.Run("loader exits", func(t *testing.T) {
		fakeSchedExt(t, "disabled", "")
		sc := newScheduler(&spec.Scheduler{Name: "qmap", AttachTimeout: 5 * time.Second}, "")
		startFakeLoader(t, sc, "echo \"scx_qmap: invalid option -- 'Z'\" >&2; echo 'Usage: scx_qmap [-s SLICE_US]'; exit 1")
		err := sc.awaitAttached(t.Context())
		var se *SchedulerExitError
		if !errors.As(err, &se) || se.Exit.Attached || se.Exit.Loader != "exit status 1" || se.Exit.DetectedBy != spec.DetectedLoader {
			t.Fatalf("err %v (%+v)", err, se)
		}
		if got := err.Error(); got != "scheduler qmap never attached: loader exit status 1: scx_qmap: invalid option -- 'Z'" {
			t.Errorf("line %q", got)
		}
	})
	t.Run("kernel ejects it while attaching", func(t *testing.T) {
		// scx_central on two CPUs, as measured: ops.init runs on the
		// wrong CPU; the kernel logs why and the loader exits 0.
		fakeSchedExt(t, "disabled", "")
		sc := newScheduler(&spec.Scheduler{Name: "central", AttachTimeout: 5 * time.Second}, "")
		k := &fakeKmsg{}
		sc.klog = newKmsgLog(k, -1)
		// The loader ignores SIGINT once it says "ready" (as the real
		// one finishes its dump first); the kernel speaks after that.
		startFakeLoader(t, sc, "trap '' INT; echo ready; sleep 0.2; printf 'DEBUG DUMP\\n=========\\n\\nscx_ops_enable_[60] triggered exit kind 1025:\\n  scx_bpf_error (init from non-central CPU)\\n=========\\n\\nEXIT: scx_bpf_error (init from non-central CPU)\\n' >&2")
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(sc.out.String(), "ready"); {
			if time.Now().After(deadline) {
				t.Fatal("the fake loader never said it was ready")
			}
			runtime.Gosched()
		}
		k.push(4455350*time.Microsecond, `sched_ext: BPF scheduler "central" disabled (scx_bpf_error)`)
		k.push(4456693*time.Microsecond, "sched_ext: central: init from non-central CPU")
		k.push(4456891*time.Microsecond, "   scx_bpf_error_bstr+0x66/0x80")
		err := sc.awaitAttached(t.Context())
		if err == nil || err.Error() != "scheduler central never attached: scx_bpf_error: init from non-central CPU" {
			t.Fatalf("err %v", err)
		}
		if e := sc.exit; e.Kind != spec.ExitBPFError || e.DetectedBy != spec.DetectedKmsg || e.Loader != "exit status 0" || !strings.Contains(sc.dump, "triggered exit kind 1025") {
			t.Errorf("exit kind=%v by=%v loader=%q, dump %q", e.Kind, e.DetectedBy, e.Loader, sc.dump)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		fakeSchedExt(t, "disabled", "")
		sc := newScheduler(&spec.Scheduler{Name: "slow", AttachTimeout: 100 * time.Millisecond}, "")
		startFakeLoader(t, sc, "echo loading; exec sleep 30")
		start := time.Now()
		err := sc.awaitAttached(t.Context())
		if time.Since(start) > 3*time.Second {
			t.Errorf("took %v", time.Since(start))
		}
		if err == nil || !strings.Contains(err.Error(), `scheduler slow never attached: not attached within 100ms (sched_ext state "disabled", root/ops ""); its last output: loading`) || sc.exit.DetectedBy != spec.DetectedTimeout {
			t.Errorf("err %v", err)
		}
	})
	t.Run("missing binary", func(t *testing.T) {
		sc := newScheduler(&spec.Scheduler{Name: "nope"}, "")
		err := sc.startBinary("/nonexistent/scx_nope", "/host/scx_nope", nil)
		if err == nil || !strings.Contains(err.Error(), "/host/scx_nope") {
			t.Errorf("err %v", err)
		}
	})
}

// TestWatcherCancelsPromptly checks the watcher ends the scenario's
// context within its poll interval of the kernel's exit line.
func TestWatcherCancelsPromptly(t *testing.T) {
	sc, k := watchedScheduler(t, "qmap")
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	sc.watch(cancel)
	time.Sleep(50 * time.Millisecond) // let it settle into polling; the watcher must not fire
	if ctx.Err() != nil {
		t.Fatal("cancelled while the scheduler runs")
	}
	start := time.Now()
	k.push(20*time.Second, "sched_ext: BPF scheduler \"qmap\" disabled (runnable task stall)")
	k.push(20*time.Second, "sched_ext: qmap: watchdog failed to check in for 5.001s")
	setSchedExt(t, "disabled", "")
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("not cancelled within 2s")
	}
	t.Logf("cancelled %v after the exit", time.Since(start))
	if context.Cause(ctx) != errSchedulerGone {
		t.Errorf("cause %v", context.Cause(ctx))
	}
	e := sc.stopWatching()
	if e == nil || e.Kind != spec.ExitStall || e.Victim != nil || e.Stalled != 5001*time.Millisecond {
		t.Errorf("exit %+v", e)
	}
}

func TestLogBuffer(t *testing.T) {
	l := newLogBuffer(4, 3)
	l.Write([]byte("abcdef"))
	l.Write([]byte("ghij"))
	if got := l.String(); got != "abcd\n[... 3 bytes dropped ...]\nhij" {
		t.Errorf("%q", got)
	}
	s := newLogBuffer(10, 10)
	s.Write([]byte("short"))
	if s.String() != "short" {
		t.Errorf("%q", s.String())
	}
}

func TestSchedulerArgs(t *testing.T) {
	s := &spec.Scheduler{Name: "x", Args: []string{"-v"}, Flags: []spec.Flag{
		{Name: "a", Args: []string{"--a"}}, {Name: "b", Args: []string{"--b", "1"}},
	}}
	got, err := schedulerArgs(s, []string{"b", "a"})
	if err != nil || strings.Join(got, " ") != "-v --a --b 1" {
		t.Errorf("args %q, %v; want declaration order", got, err)
	}
	if _, err := schedulerArgs(s, []string{"c"}); err == nil {
		t.Error("undeclared flag accepted")
	}
}

func TestBuiltinArgsAndSpec(t *testing.T) {
	o, err := parseBuiltinArgs([]string{"--timeout-ms=5000", "--switch-partial"})
	if err != nil || o.timeoutMS != 5000 || !o.partial {
		t.Errorf("options %+v, %v", o, err)
	}
	for _, bad := range []string{"--timeout-ms=0", "--timeout-ms=x", "--fast"} {
		if _, err := parseBuiltinArgs([]string{bad}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	cs, err := builtinSpec("gauntlet_min", o)
	if err != nil {
		t.Fatal(err)
	}
	m := cs.Maps["gauntlet_ops"]
	val := m.Contents[0].Value.([]byte)
	if m.Flags != bpfFLink || len(val) != opsSize || string(val[:12]) != "gauntlet_min" || val[opsFlagsOff] != scxOpsSwitchPartial {
		t.Errorf("map spec flags %#x value % x", m.Flags, val[:16])
	}
	if _, err := builtinSpec("bad name", o); err == nil {
		t.Error("a name the kernel rejects was accepted")
	}
}
