package guest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// ackWait bounds how long the init waits for the host to confirm it has
// the whole result before powering off.
const ackWait = 10 * time.Second

// baseEnv is the environment of the test process before the request's
// variables are added.
var baseEnv = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp", "TMPDIR=/tmp"}

// RunInit is the guest's PID 1. It mounts the filesystems tests need,
// opens the channel to the host, runs the requested test process with its
// output on the channel, reports how it ended and powers the VM off. When
// the test exited 0 and the guest is as clean as after its boot, the host
// may send another request instead, which it runs the same way. It
// never returns: if powering off fails the process exits, which makes the
// kernel panic and QEMU (started with -no-reboot) stop.
//
// A program calls it when it finds itself running as PID 1, before doing
// anything else (the gauntlet library does this from a package init).
func RunInit() {
	p := &pid1{sys: realSys{}, console: os.Stdout, start: startProcess}
	p.open = p.openPort
	p.run()
	err := p.sys.PowerOff()
	p.logf("%v", err)
	os.Exit(1)
}

// pid1 is the init's state; its seams let a host test drive it.
type pid1 struct {
	sys     syscaller
	console io.Writer // the kernel console (PID 1's stdout)
	root    string    // prefix for every guest path; "" in a real guest
	// start starts the test process with its stdout and stderr on out.
	start func(req vmchan.Request, out *os.File) (*exec.Cmd, error)
	// open opens the channel to the host.
	open     func() (io.ReadWriteCloser, error)
	port     io.ReadWriteCloser
	warnings []string
}

func (p *pid1) logf(format string, args ...any) {
	fmt.Fprintf(p.console, "gauntlet-init: "+format+"\n", args...)
}

// run does the init's work up to, not including, powering off. It never
// panics: a panic is reported on the channel and the console.
func (p *pid1) run() {
	defer func() {
		if r := recover(); r != nil {
			p.fail(fmt.Errorf("init panic: %v\n%s", r, debug.Stack()))
		}
	}()
	if err := p.serve(); err != nil {
		p.fail(err)
	}
}

// fail reports an init failure on the console and, when it is open, the
// channel, then waits for the host's acknowledgement.
func (p *pid1) fail(err error) {
	p.logf("%v", err)
	if p.port == nil {
		return
	}
	if vmchan.Write(p.port, vmchan.KindInitError, []byte(err.Error())) == nil {
		p.awaitAck()
	}
}

func (p *pid1) serve() error {
	start := p.sys.Uptime()
	if errs := p.mountAll(earlyMounts); len(errs) > 0 {
		return errors.Join(errs...)
	}
	port, err := p.open()
	if err != nil {
		return err
	}
	p.port = port
	if err := vmchan.WriteJSON(port, vmchan.KindHello, vmchan.Hello{Uptime: start}); err != nil {
		return err
	}
	p.setup()
	base := p.snapshot()
	req, err := p.readRequest()
	if err != nil {
		return err
	}
	for {
		st, err := p.runOne(req, &base)
		if err != nil {
			return err
		}
		if !st.Reusable {
			p.awaitAck()
			return nil
		}
		next, ok := p.awaitNext()
		if !ok {
			return nil
		}
		req = next
	}
}

// runOne runs the test req asks for and reports its Status, reusable
// when it exited 0 and the guest is as clean as base.
func (p *pid1) runOne(req vmchan.Request, base *baseline) (vmchan.Status, error) {
	if err := p.checkTopology(req.Topology); err != nil {
		return vmchan.Status{}, err
	}
	st, err := p.runTest(req)
	if err != nil {
		return st, err
	}
	st.Warnings = p.warnings
	p.sys.Reap()
	if st.Exit == 0 {
		st.Dirty = p.dirt(base)
		st.Reusable = st.Dirty == ""
	}
	return st, vmchan.WriteJSON(p.port, vmchan.KindStatus, st)
}

// setup mounts the remaining filesystems and enables cgroup controllers,
// recording failures as warnings.
func (p *pid1) setup() {
	errs := p.mountAll(lateMounts)
	if err := p.enableControllers(); err != nil {
		errs = append(errs, err)
	}
	for _, err := range errs {
		p.logf("warning: %v", err)
		p.warnings = append(p.warnings, err.Error())
	}
}

func (p *pid1) readRequest() (vmchan.Request, error) {
	f, err := vmchan.Read(p.port)
	if err != nil {
		return vmchan.Request{}, fmt.Errorf("read request: %w", err)
	}
	if f.Kind != vmchan.KindRequest {
		return vmchan.Request{}, fmt.Errorf("read request: got a %s frame: %w", f.Kind, vmchan.ErrBadFrame)
	}
	var req vmchan.Request
	return req, f.Decode(&req)
}

// checkTopology reads the guest's layout from sysfs, sends it to the host
// and compares it with want (when set).
func (p *pid1) checkTopology(want *topo.Topology) error {
	if want == nil {
		return nil
	}
	got, err := topo.ReadSysfs(p.path("/sys"))
	if err != nil {
		return err
	}
	if err := vmchan.WriteJSON(p.port, vmchan.KindLayout, got); err != nil {
		return err
	}
	return topo.CheckLayout(*want, got)
}

// awaitNext waits, at most ackWait, for the host's answer to a reusable
// Status: the next Request (ok), or an Ack or nothing (power off).
func (p *pid1) awaitNext() (vmchan.Request, bool) {
	type answer struct {
		f   vmchan.Frame
		err error
	}
	got := make(chan answer, 1)
	go func() {
		f, err := vmchan.Read(p.port)
		got <- answer{f, err}
	}()
	select {
	case a := <-got:
		switch {
		case a.err != nil:
			p.logf("wait for the host's answer: %v", a.err)
		case a.f.Kind == vmchan.KindRequest:
			var req vmchan.Request
			if err := a.f.Decode(&req); err != nil {
				p.logf("%v", err)
				return req, false
			}
			return req, true
		case a.f.Kind != vmchan.KindAck:
			p.logf("wait for the host's answer: got a %s frame: %v", a.f.Kind, vmchan.ErrBadFrame)
		}
	case <-time.After(ackWait):
		p.logf("no answer from the host within %v; powering off", ackWait)
	}
	return vmchan.Request{}, false
}

// awaitAck waits, at most ackWait, for the host to confirm it has read
// everything, so powering off cannot cut the last frames short.
func (p *pid1) awaitAck() {
	got := make(chan error, 1)
	go func() {
		f, err := vmchan.Read(p.port)
		if err == nil && f.Kind != vmchan.KindAck {
			err = fmt.Errorf("got a %s frame: %w", f.Kind, vmchan.ErrBadFrame)
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			p.logf("wait for host acknowledgement: %v", err)
		}
	case <-time.After(ackWait):
		p.logf("no acknowledgement from the host within %v; powering off", ackWait)
	}
}

// runTest starts the requested process, forwards its output as Output
// frames and returns how it ended.
func (p *pid1) runTest(req vmchan.Request) (vmchan.Status, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return vmchan.Status{}, fmt.Errorf("run test: %w", err)
	}
	defer pr.Close()
	cmd, err := p.start(req, pw)
	pw.Close()
	if err != nil {
		return vmchan.Status{}, fmt.Errorf("run test: %w", err)
	}
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(vmchan.Writer{W: p.port}, pr)
		copied <- err
	}()
	werr := cmd.Wait()
	// Processes the test left behind may hold the pipe open: end them so
	// the copy sees EOF.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if err := <-copied; err != nil {
		return vmchan.Status{}, fmt.Errorf("forward test output: %w", err)
	}
	return exitStatus(werr)
}

// exitStatus turns cmd.Wait's error into a Status.
func exitStatus(werr error) (vmchan.Status, error) {
	if werr == nil {
		return vmchan.Status{Exit: 0}, nil
	}
	var ee *exec.ExitError
	if !errors.As(werr, &ee) {
		return vmchan.Status{}, fmt.Errorf("wait for test: %w", werr)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return vmchan.Status{Exit: -1, Signal: ws.Signal().String()}, nil
	}
	return vmchan.Status{Exit: ee.ExitCode()}, nil
}

// startProcess starts req's program (the init binary itself by default)
// in its own process group, stdin from /dev/null, stdout and stderr on out.
func startProcess(req vmchan.Request, out *os.File) (*exec.Cmd, error) {
	path := req.Path
	if path == "" {
		path = spec.InitPath
	}
	cmd := exec.Command(path, req.Args...)
	cmd.Env = append(append([]string(nil), baseEnv...), req.Env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}
