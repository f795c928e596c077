package guest

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// stopTimeout bounds the wait for a stopped worker's report and exit.
const stopTimeout = 30 * time.Second

// askStop sets p's stop flag and sends it SIGUSR1. Asking twice is a
// no-op; a worker that already exited is fine.
func (p *workerProc) askStop(m *shm) {
	if p.stopAsked {
		return
	}
	p.stopAsked = true
	select {
	case <-p.exited:
		p.exitedFirst = true
	default:
	}
	m.slot(p.cfg.Slot).stop.Store(1)
	p.cmd.Process.Signal(syscall.SIGUSR1)
}

// collect waits for p's report and for the process to exit. A worker that
// does not report within timeout (or before ctx ends) is killed and
// marked failed; one that exits without a report is marked with how it
// died.
func (p *workerProc) collect(ctx context.Context, timeout time.Duration) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for p.report == nil && p.failure == "" {
		select {
		case m, ok := <-p.msgs:
			switch {
			case !ok:
				<-p.exited
				p.failure = p.deathReason()
			case m.Report != nil:
				p.report = m.Report
			case m.Error != "":
				p.failure = m.Error
			}
		case <-timer.C:
			p.kill(fmt.Sprintf("did not stop within %v of being asked; killed", timeout))
		case <-ctx.Done():
			p.kill(fmt.Sprintf("still running when the test was cancelled (%v); killed", ctx.Err()))
		}
	}
	select {
	case <-p.exited:
	case <-timer.C:
		p.kill("")
	}
}

// deathReason explains an exit without a report. The harness only ever
// sends SIGKILL after marking the worker killed, so a death by signal
// otherwise came from the kernel (the OOM killer, a fault) or another
// process.
func (p *workerProc) deathReason() string {
	why := p.exitReason()
	if !p.stopAsked || p.exitedFirst {
		return "died before it was stopped, " + why
	}
	return "exited without a report after it was stopped, " + why
}

// kill SIGKILLs p, waits for it, and records why unless it already
// reported.
func (p *workerProc) kill(why string) {
	p.killed = true
	p.cmd.Process.Kill()
	<-p.exited
	if why != "" && p.report == nil && p.failure == "" {
		p.failure = why
	}
}
