package guest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// scxRoot is the kernel's sched_ext sysfs directory.
var scxRoot = "/sys/kernel/sched_ext"

// Scheduler timing.
const (
	// schedPoll is how often sysfs is re-read while a scheduler attaches
	// or the kernel finishes disabling it; sysfs offers no change
	// notification for it.
	schedPoll = 20 * time.Millisecond
	// watchPoll bounds how long the watcher waits between sysfs reads
	// after attach; kernel log records and the loader's exit wake it at
	// once.
	watchPoll = 100 * time.Millisecond
	// messageWait bounds the wait for the kernel's message line after its
	// "disabled" line (the kernel prints them back to back).
	messageWait = 100 * time.Millisecond
	// settleWait bounds the wait for the kernel's "disabled" line once
	// sysfs or the loader said the scheduler is gone.
	settleWait = 500 * time.Millisecond
	// disableWait bounds the wait for sysfs to say "disabled" once the
	// scheduler is gone, so the kernel log holds all it will say.
	disableWait = 2 * time.Second
	// schedStopTimeout bounds a scheduler binary's exit after SIGINT.
	schedStopTimeout = 5 * time.Second
	// loaderLogHead and loaderLogTail bound what is kept of a loader's
	// output: its start and its end.
	loaderLogHead = 1 << 20
	loaderLogTail = 256 << 10
)

// errSchedulerGone is the cause the watcher cancels the scenario's
// context with; the exit itself is [scheduler.exitInfo].
var errSchedulerGone = errors.New("the scheduler under test stopped")

// scheduler is a running sched_ext scheduler: an external binary or the
// built-in one loaded from Go, and what the harness learns about it.
type scheduler struct {
	name          string
	binary        string // the host path of an external scheduler's binary
	attachTimeout time.Duration
	harnessCgroup string
	cmd           *exec.Cmd
	exited        chan struct{}
	waitErr       error
	pidfd         int
	out           *logBuffer
	builtin       *builtinScheduler
	klog          *kmsgLog
	progBase      uint32

	attached bool
	// startTS and attachTS are times on the kernel log's clock.
	startTS, attachTS time.Duration
	programs          []spec.BPFProgram

	// disabled is the kernel's "disabled" record, message the line after
	// it; victim the stalled task, attributed while it still exists.
	disabled *kmsgRecord
	reason   string
	message  string
	victim   *spec.Task
	// restarts are the kernel's restart requests; restartBy is when the
	// scheduler must be back (zero when none is pending).
	restarts  []spec.SchedulerExit
	restartBy time.Time
	// launch is how the scheduler was started, to start it again after a
	// restart request; relaunchedFor the restart request it was last
	// started again for, relaunches how often that happened.
	launch        launchSpec
	relaunchedFor int
	relaunches    int
	reattachErr   error

	// gone is the first sign that the scheduler stopped; exit what was
	// made of it, once finalized is closed.
	gone      *goneSign
	exit      *spec.SchedulerExit
	dump      string
	settled   chan struct{}
	finalized chan struct{}

	watchStop chan struct{}
	watchDone chan struct{}
}

// goneSign is how and when (on the kernel log's clock) the harness
// noticed the scheduler had stopped.
type goneSign struct {
	by  string
	at  time.Duration
	why string
	// noRestart marks a scheduler that did not come back after the
	// kernel's restart request.
	noRestart bool
}

// SchedulerExitError is the error for a scheduler under test that
// stopped during the test or never attached; its message is the exit's
// one line ([spec.SchedulerExit.String]), then Hint, when set, after a
// semicolon.
type SchedulerExitError struct {
	Exit *spec.SchedulerExit
	// Hint says what to do about it, e.g. for a `--scheduler` binary that
	// never attached; empty for none.
	Hint string
}

func (e *SchedulerExitError) Error() string {
	if e.Hint != "" {
		return e.Exit.String() + "; " + e.Hint
	}
	return e.Exit.String()
}

// schedExtState reads /sys/kernel/sched_ext/state.
func schedExtState() (string, error) {
	b, err := os.ReadFile(filepath.Join(scxRoot, "state"))
	return strings.TrimSpace(string(b)), err
}

// schedExtOps reads the loaded scheduler's name, "" when none.
func schedExtOps() string {
	b, _ := os.ReadFile(filepath.Join(scxRoot, "root", "ops"))
	return strings.TrimSpace(string(b))
}

// checkSchedExt returns an error wrapping spec.ErrNotSupported when the
// kernel has no sched_ext, and an error when a scheduler is loaded already.
func checkSchedExt() error {
	st, err := schedExtState()
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (%s missing): boot a kernel built with CONFIG_SCHED_CLASS_EXT=y, e.g. set %s (%w)",
			spec.ErrNoSchedExt, scxRoot, spec.EnvSchedExtKernel, spec.ErrNotSupported)
	}
	if err != nil {
		return fmt.Errorf("read sched_ext state: %w", err)
	}
	if st != "disabled" {
		return fmt.Errorf("sched_ext is %q before the test started (scheduler %q loaded): nothing else may load one", st, schedExtOps())
	}
	return nil
}

// newScheduler returns the harness's view of s before it is started.
func newScheduler(s *spec.Scheduler, harnessCgroup string) *scheduler {
	t := s.AttachTimeout
	if t <= 0 {
		t = spec.DefaultAttachTimeout
	}
	return &scheduler{name: s.Name, binary: s.Binary, attachTimeout: t, harnessCgroup: harnessCgroup, pidfd: -1,
		settled: make(chan struct{}), finalized: make(chan struct{})}
}

// schedulerLabel names s in messages: its Name, else its binary's base
// name (a `--scheduler` binary, whose ops name is not known before it
// attaches).
func schedulerLabel(s *spec.Scheduler) string {
	if s.Name == "" && s.Binary != "" {
		return filepath.Base(s.Binary)
	}
	return s.Name
}

// label is [schedulerLabel] once attached: the ops name the kernel
// gave, else the declared name or the binary's base name.
func (sc *scheduler) label() string {
	return schedulerLabel(&spec.Scheduler{Name: sc.name, Binary: sc.binary})
}

// startScheduler loads s with the args of the active flags and waits
// until the kernel names it in root/ops. It follows the kernel log from
// before the load. A scheduler that does not attach gives a
// *SchedulerExitError and the scheduler (for its logs); other errors mean
// nothing was started.
func startScheduler(ctx context.Context, s *spec.Scheduler, flags []string, harnessCgroup string) (*scheduler, error) {
	if err := checkSchedExt(); err != nil {
		return nil, fmt.Errorf("scheduler %s: %w", schedulerLabel(s), err)
	}
	args, err := schedulerArgs(s, flags)
	if err != nil {
		return nil, err
	}
	sc := newScheduler(s, harnessCgroup)
	if k, err := openKmsg(); err == nil {
		sc.klog = k
	}
	sc.progBase = maxProgramID()
	sc.startTS = sc.now()
	sc.launch = launchSpec{builtin: s.Binary == "", path: spec.SchedulerGuestPath(s.Binary), hostPath: s.Binary, args: args}
	if s.Binary == "" {
		if sc.name == "" {
			sc.name = builtinDefaultName
		}
		sc.builtin, err = loadBuiltin(sc.name, args)
	} else {
		err = sc.startBinary(spec.SchedulerGuestPath(s.Binary), s.Binary, args)
	}
	if err != nil {
		sc.noteGone(&goneSign{by: spec.DetectedStart, at: sc.now(), why: err.Error()})
		sc.finalize()
		return sc, &SchedulerExitError{Exit: sc.exit}
	}
	if err := sc.awaitAttached(ctx); err != nil {
		return sc, err
	}
	sc.programs = schedulerPrograms(sc.pid(), sc.progBase)
	return sc, nil
}

// schedulerArgs returns s.Args followed by the args of each active flag,
// in declaration order.
func schedulerArgs(s *spec.Scheduler, active []string) ([]string, error) {
	args := append([]string(nil), s.Args...)
	known := map[string]bool{}
	for _, f := range s.Flags {
		known[f.Name] = true
		for _, a := range active {
			if a == f.Name {
				args = append(args, f.Args...)
			}
		}
	}
	for _, a := range active {
		if !known[a] {
			return nil, fmt.Errorf("variant flag %q is not declared by scheduler %s", a, s.Name)
		}
	}
	return args, nil
}

// startBinary starts the scheduler executable at path (hostPath is where
// the Spec said it is on the host). When the guest has its libraries
// (a dynamically linked loader), [spec.EnvSchedulerLibPath] names their
// directories.
func (sc *scheduler) startBinary(path, hostPath string, args []string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("scheduler binary %s is not in the guest (%w): the VM runner copies Spec.Scheduler.Binary (%s) to %s", path, err, hostPath, spec.SchedulerDir)
	}
	if sc.out == nil {
		sc.out = newLogBuffer(loaderLogHead, loaderLogTail)
	}
	sc.cmd = exec.Command(path, args...)
	sc.cmd.Args[0] = filepath.Base(hostPath) // as when run by name: its messages say "scx_qmap: ..."
	sc.cmd.Stdout, sc.cmd.Stderr = sc.out, sc.out
	sc.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if lp := os.Getenv(spec.EnvSchedulerLibPath); lp != "" {
		sc.cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+lp)
	}
	if err := sc.cmd.Start(); err != nil {
		return fmt.Errorf("start scheduler %s: %w", path, err)
	}
	if sc.pidfd >= 0 {
		unix.Close(sc.pidfd)
		sc.pidfd = -1
	}
	if fd, err := unix.PidfdOpen(sc.cmd.Process.Pid, 0); err == nil {
		sc.pidfd = fd
	}
	sc.exited = make(chan struct{})
	go func() { sc.waitErr = sc.cmd.Wait(); close(sc.exited) }()
	return nil
}

// pid is the loader's process ID, 0 for the built-in scheduler.
func (sc *scheduler) pid() int {
	if sc.cmd == nil || sc.cmd.Process == nil {
		return 0
	}
	return sc.cmd.Process.Pid
}

// now is the current time on the kernel log's clock (monotonic time
// when there is no kernel log).
func (sc *scheduler) now() time.Duration {
	if sc.klog == nil {
		return time.Duration(monoNow())
	}
	return sc.klog.now()
}

// awaitAttached waits until root/ops names the scheduler (any name when
// none was declared). A loader that exits, a kernel that disables the
// scheduler, or the attach timeout ends the wait with a
// *SchedulerExitError.
func (sc *scheduler) awaitAttached(ctx context.Context) error {
	deadline := time.Now().Add(sc.attachTimeout)
	for {
		if g := sc.observe(); g != nil {
			sc.noteGone(g)
			sc.finalize()
			return &SchedulerExitError{Exit: sc.exit}
		}
		st, _ := schedExtState()
		ops := schedExtOps()
		if st == "enabled" && ops != "" && (sc.name == "" || ops == sc.name) {
			sc.name, sc.attached = ops, true
			if sc.attachTS == 0 {
				sc.attachTS = sc.now()
			}
			return nil
		}
		if time.Now().After(deadline) {
			sc.noteGone(&goneSign{by: spec.DetectedTimeout, at: sc.now(),
				why: fmt.Sprintf("not attached within %v (sched_ext state %q, root/ops %q)", sc.attachTimeout, st, ops)})
			sc.finalize()
			return &SchedulerExitError{Exit: sc.exit}
		}
		if err := ctx.Err(); err != nil {
			sc.stop()
			return fmt.Errorf("wait for scheduler %q: %w", sc.name, err)
		}
		sc.wait(schedPoll)
	}
}

// wait blocks until a kernel log record arrives, the loader exits or d
// passes.
func (sc *scheduler) wait(d time.Duration) {
	var fds []unix.PollFd
	if sc.klog != nil && sc.klog.fd >= 0 {
		fds = append(fds, unix.PollFd{Fd: int32(sc.klog.fd), Events: unix.POLLIN})
	}
	if sc.pidfd >= 0 && !sc.loaderExited() {
		fds = append(fds, unix.PollFd{Fd: int32(sc.pidfd), Events: unix.POLLIN})
	}
	if len(fds) == 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		if sc.exited != nil {
			select {
			case <-t.C:
			case <-sc.exited:
			}
			return
		}
		<-t.C
		return
	}
	unix.Poll(fds, int(d/time.Millisecond))
}

// loaderExited reports whether a scheduler binary has exited.
func (sc *scheduler) loaderExited() bool {
	if sc.exited == nil {
		return false
	}
	select {
	case <-sc.exited:
		return true
	default:
		return false
	}
}

// stop unloads the scheduler: SIGINT (then SIGKILL) for a binary still
// running, closing the link for the built-in one.
func (sc *scheduler) stop() error {
	if sc.builtin != nil {
		b := sc.builtin
		sc.builtin = nil
		return b.close()
	}
	if sc.cmd == nil || sc.cmd.Process == nil || sc.loaderExited() {
		return nil
	}
	sc.cmd.Process.Signal(os.Interrupt)
	select {
	case <-sc.exited:
	case <-time.After(schedStopTimeout):
		sc.cmd.Process.Kill()
		<-sc.exited
		return fmt.Errorf("scheduler %q ignored SIGINT for %v; killed", sc.name, schedStopTimeout)
	}
	return nil
}

// release frees the kernel log and the pidfd once the scheduler is
// stopped.
func (sc *scheduler) release() {
	if sc.klog != nil {
		sc.klog.close()
	}
	if sc.pidfd >= 0 {
		unix.Close(sc.pidfd)
		sc.pidfd = -1
	}
}

// logBuffer keeps the head and the tail of what is written to it.
type logBuffer struct {
	tail    tailBuffer
	head    []byte
	headMax int
	total   int64
}

func newLogBuffer(head, tail int) *logBuffer {
	return &logBuffer{headMax: head, tail: tailBuffer{max: tail}}
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.tail.mu.Lock()
	n := len(p)
	l.total += int64(n)
	if room := l.headMax - len(l.head); room > 0 {
		take := min(room, len(p))
		l.head = append(l.head, p[:take]...)
		p = p[take:]
	}
	l.tail.mu.Unlock()
	if len(p) > 0 {
		l.tail.Write(p)
	}
	return n, nil
}

// String returns everything kept, with a note where bytes were dropped.
func (l *logBuffer) String() string {
	tail := l.tail.String()
	l.tail.mu.Lock()
	defer l.tail.mu.Unlock()
	if dropped := l.total - int64(len(l.head)) - int64(len(tail)); dropped > 0 {
		return string(l.head) + fmt.Sprintf("\n[... %d bytes dropped ...]\n", dropped) + tail
	}
	return string(l.head) + tail
}
