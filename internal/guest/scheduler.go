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

	"github.com/gauntlet-sched/gauntlet/spec"
)

// scxRoot is the kernel's sched_ext sysfs directory.
var scxRoot = "/sys/kernel/sched_ext"

// Scheduler timing.
const (
	// schedAttachTimeout bounds the wait for root/ops to name the
	// scheduler (under TCG, loading a BPF scheduler is slow).
	schedAttachTimeout = 3 * time.Second
	// schedPoll is how often the sysfs state is re-read while waiting;
	// sysfs offers no change notification for it.
	schedPoll = 20 * time.Millisecond
	// schedStopTimeout bounds a scheduler binary's exit after SIGINT.
	schedStopTimeout = 5 * time.Second
)

// scheduler is a running sched_ext scheduler: an external binary or the
// built-in one loaded from Go.
type scheduler struct {
	name    string
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	out     *tailBuffer
	builtin *builtinScheduler
}

// schedDeadError says the scheduler stopped running during a scenario.
type schedDeadError struct{ msg string }

func (e *schedDeadError) Error() string { return e.msg }

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

// startScheduler loads s with the args of the active flags and waits
// until the kernel names it in root/ops.
func startScheduler(ctx context.Context, s *spec.Scheduler, flags []string) (*scheduler, error) {
	if err := checkSchedExt(); err != nil {
		return nil, err
	}
	args, err := schedulerArgs(s, flags)
	if err != nil {
		return nil, err
	}
	sc := &scheduler{name: s.Name}
	if s.Binary == "" {
		if sc.name == "" {
			sc.name = builtinDefaultName
		}
		sc.builtin, err = loadBuiltin(sc.name, args)
	} else {
		err = sc.startBinary(spec.SchedulerGuestPath(s.Binary), args)
	}
	if err != nil {
		return nil, err
	}
	if err := sc.awaitAttached(ctx); err != nil {
		sc.stop()
		return nil, err
	}
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

// startBinary starts the scheduler executable at path.
func (sc *scheduler) startBinary(path string, args []string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("scheduler binary not in the guest: %w (the VM runner copies Spec.Scheduler.Binary to %s)", err, spec.SchedulerDir)
	}
	sc.out = &tailBuffer{max: 8192}
	sc.cmd = exec.Command(path, args...)
	sc.cmd.Stdout, sc.cmd.Stderr = sc.out, sc.out
	sc.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := sc.cmd.Start(); err != nil {
		return fmt.Errorf("start scheduler %s: %w", path, err)
	}
	sc.exited = make(chan struct{})
	go func() { sc.waitErr = sc.cmd.Wait(); close(sc.exited) }()
	return nil
}

// awaitAttached polls root/ops until it names the scheduler (any name
// when none was declared), failing early when the process exits.
func (sc *scheduler) awaitAttached(ctx context.Context) error {
	deadline := time.Now().Add(schedAttachTimeout)
	for {
		if err := sc.processAlive(); err != nil {
			return err
		}
		st, _ := schedExtState()
		ops := schedExtOps()
		if st == "enabled" && ops != "" && (sc.name == "" || ops == sc.name) {
			sc.name = ops
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("scheduler %q not attached after %v: sched_ext state %q, root/ops %q%s", sc.name, schedAttachTimeout, st, ops, sc.outputTail())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for scheduler %q: %w", sc.name, ctx.Err())
		case <-time.After(schedPoll):
		}
	}
}

// processAlive fails when a scheduler binary has exited.
func (sc *scheduler) processAlive() error {
	if sc.cmd == nil {
		return nil
	}
	select {
	case <-sc.exited:
		return fmt.Errorf("scheduler %q exited: %v%s", sc.name, sc.waitErr, sc.outputTail())
	default:
		return nil
	}
}

// alive checks that the scheduler still runs: its process (if any) has
// not exited, sched_ext is enabled and root/ops still names it.
func (sc *scheduler) alive() error {
	if err := sc.processAlive(); err != nil {
		return err
	}
	st, err := schedExtState()
	if err != nil {
		return fmt.Errorf("read sched_ext state: %w", err)
	}
	if ops := schedExtOps(); st != "enabled" || ops != sc.name {
		return fmt.Errorf("scheduler %q is no longer loaded: sched_ext state %q, root/ops %q%s", sc.name, st, ops, sc.outputTail())
	}
	return nil
}

// stop unloads the scheduler: SIGINT (then SIGKILL) for a binary, closing
// the link for the built-in one.
func (sc *scheduler) stop() error {
	if sc.builtin != nil {
		return sc.builtin.close()
	}
	if sc.cmd == nil {
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

func (sc *scheduler) outputTail() string {
	if sc.out == nil {
		return ""
	}
	if t := strings.TrimSpace(sc.out.String()); t != "" {
		return "; output: " + lastLines(t, 5)
	}
	return ""
}
