package guest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// readyTimeout bounds how long a started worker may take to report ready.
const readyTimeout = 60 * time.Second

// launcher starts worker processes: the test binary again, with the
// worker role's environment.
type launcher struct {
	exe  string
	args []string
	env  []string
	shm  *shm
}

// newLauncher returns a launcher re-executing exe with args; env is the
// environment without the worker variable.
func newLauncher(exe string, args []string, m *shm) *launcher {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, spec.EnvWorker+"=") && !strings.HasPrefix(kv, spec.EnvDescribe+"=") {
			env = append(env, kv)
		}
	}
	return &launcher{exe: exe, args: args, env: env, shm: m}
}

// spawnRequest is one worker to start.
type spawnRequest struct {
	cfg      workerConfig
	cgroupFD int        // directory fd of its cgroup; -1 starts it in ours
	pipes    []*os.File // PipeIo: read end, send end
}

// workerProc is a started worker process as the harness sees it.
type workerProc struct {
	cfg     workerConfig
	cmd     *exec.Cmd
	msgs    chan workerMsg
	exited  chan struct{}
	waitErr error
	stderr  *tailBuffer
	tid     int
	report  *workerReport
	// stopAsked is set once the harness asked it to stop (exitedFirst
	// when it had exited by then); killed when it had to be killed after
	// not stopping; failure explains a worker that did not report.
	stopAsked   bool
	exitedFirst bool
	killed      bool
	failure     string
}

// batch is workers started together, held at one barrier.
type batch struct {
	procs   []*workerProc
	barrier *os.File
}

// start launches every request's worker, waits until all are ready at
// the barrier and returns them, still held. On error no worker is left
// running.
func (l *launcher) start(ctx context.Context, reqs []spawnRequest) (*batch, error) {
	b, err := l.launch(reqs)
	if err != nil {
		return nil, err
	}
	if err := b.awaitReady(ctx); err != nil {
		b.abort()
		return nil, err
	}
	return b, nil
}

// launch starts every request's worker without waiting for them: they
// set themselves up in parallel and wait at the barrier; see
// [batch.awaitReady]. On error no worker is left running.
func (l *launcher) launch(reqs []spawnRequest) (*batch, error) {
	barR, barW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start barrier: %w", err)
	}
	defer barR.Close()
	b := &batch{barrier: barW}
	for _, r := range reqs {
		p, err := l.startOne(r, barR)
		if err != nil {
			b.abort()
			return nil, err
		}
		b.procs = append(b.procs, p)
	}
	return b, nil
}

// startOne starts one worker process.
func (l *launcher) startOne(r spawnRequest, barrier *os.File) (*workerProc, error) {
	cfg, err := json.Marshal(r.cfg)
	if err != nil {
		return nil, fmt.Errorf("encode worker config: %w", err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("report pipe: %w", err)
	}
	defer repW.Close()
	cmd := exec.Command(l.exe, l.args...)
	cmd.Env = append(append([]string(nil), l.env...), spec.EnvWorker+"="+string(cfg))
	cmd.ExtraFiles = append([]*os.File{repW, barrier, l.shm.file}, r.pipes...)
	p := &workerProc{cfg: r.cfg, cmd: cmd, msgs: make(chan workerMsg, 4), exited: make(chan struct{}), stderr: &tailBuffer{max: 4096}}
	cmd.Stderr = p.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if r.cgroupFD >= 0 {
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = r.cgroupFD
	}
	if err := cmd.Start(); err != nil {
		repR.Close()
		return nil, fmt.Errorf("start worker %s/%d: %w", r.cfg.Cgroup, r.cfg.Index, err)
	}
	go p.read(repR)
	go func() { p.waitErr = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// read decodes the worker's messages until its report pipe closes.
func (p *workerProc) read(r *os.File) {
	defer r.Close()
	defer close(p.msgs)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		var m workerMsg
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			m = workerMsg{Error: fmt.Sprintf("undecodable message from worker: %v", err)}
		}
		p.msgs <- m
	}
}

// name identifies the worker in messages.
func (p *workerProc) name() string {
	pid := 0
	if p.cmd.Process != nil {
		pid = p.cmd.Process.Pid
	}
	return fmt.Sprintf("%s worker %d (pid %d)", p.cfg.Cgroup, p.cfg.Index, pid)
}

// awaitReady waits for every worker's ready message.
func (b *batch) awaitReady(ctx context.Context) error {
	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	for _, p := range b.procs {
		select {
		case m, ok := <-p.msgs:
			switch {
			case !ok:
				<-p.exited
				return fmt.Errorf("%s exited before it was ready: %s", p.name(), p.exitReason())
			case m.Error != "":
				return fmt.Errorf("%s: %s", p.name(), m.Error)
			case m.Ready == nil:
				return fmt.Errorf("%s sent a report before it was ready", p.name())
			}
			p.tid = m.Ready.TID
		case <-ctx.Done():
			return fmt.Errorf("wait for workers to be ready: %w", ctx.Err())
		case <-timer.C:
			return fmt.Errorf("%s not ready after %v", p.name(), readyTimeout)
		}
	}
	return nil
}

// release lets the batch's workers start working.
func (b *batch) release() error {
	if b.barrier == nil {
		return nil
	}
	err := b.barrier.Close()
	b.barrier = nil
	return err
}

// abort kills every started worker of the batch and waits for them.
func (b *batch) abort() {
	for _, p := range b.procs {
		p.cmd.Process.Kill()
		<-p.exited
	}
	if b.barrier != nil {
		b.barrier.Close()
		b.barrier = nil
	}
}

// exitReason describes how an exited worker ended, with its stderr tail.
func (p *workerProc) exitReason() string {
	var reason string
	var ee *exec.ExitError
	switch {
	case p.waitErr == nil:
		reason = "exited with status 0"
	case errors.As(p.waitErr, &ee):
		ws, _ := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			reason = fmt.Sprintf("killed by signal %s", ws.Signal())
		} else {
			reason = fmt.Sprintf("exited with status %d", ws.ExitStatus())
		}
	default:
		reason = p.waitErr.Error()
	}
	if tail := strings.TrimSpace(p.stderr.String()); tail != "" {
		reason += "; stderr: " + lastLines(tail, 5)
	}
	return reason
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// lastLines returns the last n lines of s joined by " | ".
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
