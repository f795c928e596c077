package vm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Result is how a VM run ended, with its evidence.
type Result struct {
	// Outcome classifies the run: any [spec.Outcome] but
	// [spec.OutcomeNotRun] (a run that could not start returns an error).
	Outcome spec.Outcome
	// Reason explains the outcome in a line (several for a panic); empty
	// when the test passed.
	Reason string
	// ExitCode is the test process's exit status; -1 when it did not exit
	// normally or never ran.
	ExitCode int
	// Output is the test's stdout and stderr.
	Output []byte
	// ConsoleTail is the excerpt of the kernel console that explains how
	// the VM ended: its last lines, or after a crash ("Kernel panic",
	// "BUG:", "Oops") the init's last output and the lines before the
	// first crash line, the head of the report and the log's end, with a
	// marker line where lines were left out.
	ConsoleTail string
	// ConsoleLog is the console log's path when [Config.ConsoleLog] was
	// set, else empty (the temporary log is gone).
	ConsoleLog string
	// Observed is the CPU layout the guest reported, nil if it never did.
	Observed *topo.Layout
	// Warnings are init setup steps that failed without stopping the run.
	Warnings []string
	// BootTime runs from Start to the guest init's first message.
	BootTime time.Duration
	// GuestUptime is the guest's own uptime when its init started.
	GuestUptime time.Duration
	// TotalTime runs from Start to the end of the run.
	TotalTime time.Duration
	// SetupTime runs from Start until QEMU was started: the host-side
	// overhead (checks, initramfs, command line).
	SetupTime time.Duration
	// Accel is the accelerator the VM ran on; AccelNote says why, when
	// auto mode chose it.
	Accel     spec.Accel
	AccelNote string
	// TCGSingle is set when the guest ran under single-threaded TCG (see
	// [Config.TCGThreads]).
	TCGSingle bool
	// KernelNote says which image of the kernel booted and why (its
	// vmlinux by the PVH entry, or the bzImage and what ruled the PVH
	// boot out) and, under TCG, why the command line has lpj= or not.
	KernelNote string
	// QEMUArgs is the QEMU command line, shell-quoted.
	QEMUArgs string
	// QEMUPID is the QEMU process's id (gone once the run has ended).
	QEMUPID int
	// Name is the VM's QEMU -name, unique on the host.
	Name string
	// Retried, when set, says why the run was booted a second time; the
	// Result is the second run's. When the first run had already sent
	// output, [Config.Output] got a line saying so before the second
	// run's output.
	Retried string
	// Reusable is set when the test passed and the guest reported itself
	// as clean as after its boot, so [Config.Next] may run another test
	// in it. Dirty says what the guest found left over when it did not.
	Reusable bool
	Dirty    string
	// Shared is set when the test ran in a VM booted for an earlier test
	// ([Config.Next]); Name is that VM's. BootTime and SetupTime are then
	// zero, and TotalTime runs from the request to the guest's report.
	Shared bool
	// EmulatorRace is set when the kernel died of the multi-threaded TCG
	// code-patching race ("Oops: int3" in patched kernel text), nothing
	// the test did. A test in a VM booted for it is booted again on its
	// own (Retried); a test in a shared VM is not: its caller should run
	// it again in a fresh VM.
	EmulatorRace bool

	delivered bool // given to Config.Next already
}

// Machine is a started VM run; see [Config.Start].
type Machine struct {
	cfg   resolved
	orig  Config    // as given, for [Config.CanRun]
	image bootImage // what -kernel boots (see prepareKernel)
	start time.Time
	done  chan struct{}
	res   Result
	err   error
}

var vmSeq atomic.Int64

// Run boots the VM, runs the test and returns its classified result; see
// [Config.Start].
func (c Config) Run(ctx context.Context) (Result, error) {
	m, err := c.Start(ctx)
	if err != nil {
		return Result{}, err
	}
	return m.Wait()
}

// Start validates c, prepares the initramfs (reusing a cached one when the
// inputs are unchanged) and the kernel (its vmlinux, taken out of the
// bzImage once and cached, when it can boot by its PVH entry; see
// [EnvNoPVH] and [Result.KernelNote]) and boots the VM in the background. Wait returns
// the result. Cancelling ctx kills QEMU and removes its temporary files;
// Wait then returns ctx's error.
//
// Errors are about the setup: a bad Config (wrapping [ErrBadConfig]), a
// missing or non-kernel image ([kernel.ErrNotImage]), a dynamic init
// ([ErrNotStatic]), no QEMU ([ErrNoQEMU]). How the guest fared is in the
// Result.
func (c Config) Start(ctx context.Context) (*Machine, error) {
	start := time.Now()
	r, err := c.resolve()
	if err != nil {
		return nil, fmt.Errorf("boot vm: %w", err)
	}
	ac := resolveAccel(r.Accel, r.CacheDir, r.qemu)
	if err := CheckTopology(r.Topology, ac.accel); err != nil && !ac.trial {
		return nil, fmt.Errorf("boot vm: %w", err)
	}
	initrd, err := cachedArchive(ctx, filepath.Join(r.CacheDir, "initramfs"), r.Init, r.Files)
	if err != nil {
		return nil, fmt.Errorf("boot vm: %w", err)
	}
	m := &Machine{cfg: r, orig: c, image: prepareKernel(r.CacheDir, r.Kernel), start: start, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		m.res, m.err = m.run(ctx, ac, initrd)
		if m.err == nil && !m.res.delivered && c.Next != nil {
			c.Next(m.res) // the first test's result, after any retry
		}
	}()
	return m, nil
}

// Wait waits for the run to end and returns its result. It may be called
// more than once.
func (m *Machine) Wait() (Result, error) {
	<-m.done
	return m.res, m.err
}

// run boots with the chosen accelerator, falling back from KVM to TCG
// when auto mode's KVM trial finds KVM unusable, and remembers the verdict.
func (m *Machine) run(ctx context.Context, ac accelChoice, initrd string) (Result, error) {
	res, err := m.attemptRetry(ctx, ac.accel, initrd)
	if err != nil || !ac.trial {
		res.AccelNote = ac.note
		return res, err
	}
	if res.Outcome != spec.OutcomeAccelUnusable {
		if res.BootTime > 0 {
			saveVerdict(m.cfg.CacheDir, m.cfg.qemu, verdict{Accel: spec.AccelKVM, Reason: "a guest booted under kvm"})
		}
		res.AccelNote = "kvm works"
		return res, nil
	}
	why := res.Reason
	saveVerdict(m.cfg.CacheDir, m.cfg.qemu, verdict{Accel: spec.AccelTCG, Reason: why})
	if err := CheckTopology(m.cfg.Topology, spec.AccelTCG); err != nil {
		return res, fmt.Errorf("boot vm: kvm unusable (%s) and %w", why, err)
	}
	res, err = m.attemptRetry(ctx, spec.AccelTCG, initrd)
	res.AccelNote = "kvm unusable (" + why + "); fell back to tcg"
	return res, err
}

// raceRetries bounds the boots after one that died of the emulator race
// (see emulatorRace). The last one runs TCG single-threaded, where the race
// cannot happen: slower, but the test still runs (the guest calibrates its
// thresholds to the speed it gets).
const raceRetries = 2

// RaceWhy says what r died of when [Result.EmulatorRace] is set, for a
// note that the test was booted again.
func (r Result) RaceWhy() string {
	return fmt.Sprintf("the kernel hit an int3 oops in patched kernel text (%s), a known race of QEMU's multi-threaded TCG with the kernel's code patching, not the test's doing", r.Reason)
}

// attemptRetry boots with accelerator a, and again when the kernel died of
// an emulator race rather than of anything the test did.
func (m *Machine) attemptRetry(ctx context.Context, a spec.Accel, initrd string) (Result, error) {
	res, err := m.attempt(ctx, a, initrd, false)
	var retried []string
	for try := 1; err == nil && res.EmulatorRace && try <= raceRetries; try++ {
		single := try == raceRetries
		why := res.RaceWhy() + "; booted again"
		if single {
			why += " with single-threaded TCG"
		}
		if m.cfg.Output != nil && len(res.Output) > 0 {
			fmt.Fprintf(m.cfg.Output, "\ngauntlet: %s\n", why)
		}
		retried = append(retried, why)
		res, err = m.attempt(ctx, a, initrd, single)
	}
	res.Retried = strings.Join(retried, "; then ")
	return res, err
}

// attempt boots QEMU once with accelerator a (TCG single-threaded when
// single is set) and waits for the outcome.
func (m *Machine) attempt(ctx context.Context, a spec.Accel, initrd string, single bool) (Result, error) {
	dir, err := os.MkdirTemp("", "gauntlet-vm-*")
	if err != nil {
		return Result{}, fmt.Errorf("boot vm: %w", err)
	}
	defer os.RemoveAll(dir)
	single = a == spec.AccelTCG && (single || m.cfg.tcgSingle())
	b, err := m.launch(a, initrd, dir, single)
	if err != nil {
		return Result{}, err
	}
	res, err := b.wait(ctx, m.cfg.timeout(a))
	res.TCGSingle = single
	return res, err
}

// boot is one running QEMU process and what watches it.
type boot struct {
	m       *Machine
	cmd     *exec.Cmd
	mach    machine
	host    *os.File
	stderr  *stderrWatch
	st      *channelState
	srv     *server
	served  chan struct{}
	exited  chan error
	request vmchan.Request
	started time.Time // when QEMU was started
	kernel  string    // Result.KernelNote
}

func (m *Machine) launch(a spec.Accel, initrd, dir string, single bool) (*boot, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("boot vm: channel: %w", err)
	}
	host, guest := os.NewFile(uintptr(fds[0]), "channel-host"), os.NewFile(uintptr(fds[1]), "channel-guest")
	defer guest.Close()
	b := &boot{m: m, host: host, stderr: newStderrWatch(), st: newChannelState(), served: make(chan struct{}), exited: make(chan error, 1)}
	b.mach = machine{
		qemu: m.cfg.qemu, name: fmt.Sprintf("gauntlet-%d-%d", os.Getpid(), vmSeq.Add(1)),
		topology: m.cfg.Topology, memoryMiB: m.cfg.MemoryMiB, accel: a, tcgSingle: single,
		kernel: m.image.path, initrd: initrd, consoleLog: m.consoleLog(dir),
		channelFD: 3, kernelArgs: m.cfg.KernelArgs,
	}
	b.mach.lpj, b.kernel = m.image.lpj(a, m.cfg.CacheDir, m.cfg.KernelArgs)
	if b.request, err = requestOf(m.cfg, a, single); err != nil {
		host.Close()
		return nil, err
	}
	argv := b.mach.argv()
	b.cmd = exec.Command(argv[0], argv[1:]...)
	b.cmd.ExtraFiles = []*os.File{guest}
	b.cmd.Stderr = b.stderr
	// Its own process group keeps a terminal's Ctrl-C away from QEMU (the
	// runner kills it when ctx ends); Pdeathsig kills it should the
	// runner die.
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		host.Close()
		return nil, fmt.Errorf("boot vm: start qemu: %w", err)
	}
	b.started = time.Now()
	go func() { b.exited <- b.cmd.Wait() }()
	b.srv = newServer(host, b.request, m.cfg.Output, b.st, m.cfg.Next != nil)
	go func() {
		defer close(b.served)
		b.srv.serve()
	}()
	return b, nil
}

func (m *Machine) consoleLog(dir string) string {
	if m.cfg.ConsoleLog != "" {
		return m.cfg.ConsoleLog
	}
	return filepath.Join(dir, "console.log")
}

// requestOf builds what the init runs for the test r configures, on
// accelerator a (TCG single-threaded when single): the init binary with
// r's arguments and environment, plus the variant.
func requestOf(r resolved, a spec.Accel, single bool) (vmchan.Request, error) {
	t := r.Topology
	req := vmchan.Request{Args: r.Args, Env: append([]string(nil), r.Env...), Topology: &t}
	if v := r.Variant; v != nil {
		vv := *v
		if vv.Topology == (topo.Topology{}) {
			vv.Topology = t
		}
		vv.Accel = string(a)
		vv.HostCPUs, vv.TCGSingle = r.HostCPUs, a == spec.AccelTCG && single
		if vv.Kernel == "" {
			vv.Kernel = r.Kernel
		}
		js, err := json.Marshal(vv)
		if err != nil {
			return req, fmt.Errorf("boot vm: encode variant: %w", err)
		}
		req.Env = append(req.Env, spec.EnvGuest+"=1", spec.EnvVariant+"="+string(js))
	}
	return req, nil
}

// killGrace bounds the wait for the channel to drain after QEMU is gone.
const killGrace = 5 * time.Second

// powerOffGrace bounds the wait for QEMU to exit once the guest has
// reported its result and been told to power off (a variable for tests).
var powerOffGrace = 20 * time.Second

// test is one test a boot runs: the first, or one [Config.Next] chained.
type test struct {
	cfg     resolved
	st      *channelState
	seq     int       // 1 for the test the VM was booted for
	start   time.Time // when it was requested (Start for the first)
	console int64     // the console log's size when it was requested
	timeout time.Duration
}

// wait waits for the VM's tests to end (see [Config.Next]) and for QEMU to
// exit, the timeout, a KVM failure or ctx, kills QEMU when it is still
// running, and classifies the run. It returns the first test's result;
// the results of later tests go to their Config's Next, as does the
// first's when it was reusable.
func (b *boot) wait(ctx context.Context, timeout time.Duration) (Result, error) {
	t := &test{cfg: b.m.cfg, st: b.st, seq: 1, start: b.m.start, timeout: timeout}
	var first *Result
	var chainErr error
	// grace: the guest reported and was told to power off; delivered:
	// the last test's result has gone to its Next already.
	grace, delivered := false, false
	for {
		o := observed{timeout: t.timeout, want: &t.cfg.Topology, hello: t.seq > 1}
		qemuErr, held, err := b.watch(ctx, t, &o, grace)
		if held {
			res := b.result(t, o, nil)
			if res.Outcome.Failed() || !res.Outcome.Ran() {
				// Exit 0, yet the output says otherwise: no reuse; the
				// result is taken once QEMU is off, as without Next.
				b.srv.decide(decision{})
				grace = true
				continue
			}
			res.Reusable, res.delivered = true, true
			if first == nil {
				first = &res
			}
			nt, err := b.chain(t, t.cfg.Next(res))
			if err != nil {
				chainErr = err
			}
			if nt == nil {
				b.srv.decide(decision{})
				grace, delivered = true, true
				continue
			}
			t = nt
			continue
		}
		b.drain()
		if delivered {
			return *first, errors.Join(chainErr, ctxErr(err))
		}
		res := b.result(t, o, qemuErr)
		if t.seq == 1 {
			return res, ctxErr(err)
		}
		if err == nil {
			t.cfg.Next(res) // the chain ends here: the VM is off
		}
		return *first, ctxErr(err)
	}
}

// ctxErr wraps a boot's error for Wait.
func ctxErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("boot vm: %w", err)
}

// chain starts the test next configures in the running VM after t, when
// next is not nil and fits the boot ([Config.CanRun]).
func (b *boot) chain(t *test, next *Config) (*test, error) {
	if next == nil {
		return nil, nil
	}
	if err := b.m.orig.CanRun(*next); err != nil {
		return nil, fmt.Errorf("boot vm: run the next test in %s: %w", b.mach.name, err)
	}
	r := resolved{Config: *next, qemu: b.m.cfg.qemu}
	r.Topology, r.MemoryMiB, r.TCGThreads, r.HostCPUs, r.CacheDir = b.m.cfg.Topology, b.m.cfg.MemoryMiB, b.m.cfg.TCGThreads, b.m.cfg.HostCPUs, b.m.cfg.CacheDir
	req, err := requestOf(r, b.mach.accel, b.mach.tcgSingle)
	if err != nil {
		return nil, err
	}
	nt := &test{cfg: r, st: newChannelState(), seq: t.seq + 1, start: time.Now(), timeout: r.timeout(b.mach.accel)}
	if info, err := os.Stat(b.mach.consoleLog); err == nil {
		nt.console = info.Size()
	}
	b.srv.decide(decision{req: &req, st: nt.st, out: r.Output})
	return nt, nil
}

// watch returns QEMU's exit error once it has ended, killing it on
// timeout, on a KVM failure, when it does not power off after the guest's
// final report, or when ctx ends (then returning ctx's error). It
// returns early, with held set and QEMU running, when the guest reported
// a reusable Status that waits for the boot's decision. poweringOff
// starts it in the grace period a guest told to power off gets.
func (b *boot) watch(ctx context.Context, t *test, o *observed, poweringOff bool) (qemuErr error, held bool, err error) {
	timer := time.NewTimer(time.Until(t.start.Add(t.timeout)))
	defer timer.Stop()
	final := t.st.final
	var grace <-chan time.Time
	if poweringOff {
		final, grace = nil, time.After(powerOffGrace)
	}
	for {
		select {
		case qemuErr = <-b.exited:
			return qemuErr, false, ctx.Err()
		case <-final:
			if t.st.reusableHeld() {
				return nil, true, nil
			}
			final, grace = nil, time.After(powerOffGrace)
		case <-grace:
			return b.kill(), false, nil
		case <-timer.C:
			o.timedOut = !t.st.finished()
			return b.kill(), false, nil
		case <-b.stderr.kvmFailed:
			o.accelFailed = b.stderr.failed()
			return b.kill(), false, nil
		case <-ctx.Done():
			b.kill()
			return nil, false, ctx.Err()
		}
	}
}

// kill ends QEMU and returns its Wait error.
func (b *boot) kill() error {
	b.cmd.Process.Kill()
	return <-b.exited
}

// drain waits for the channel reader to see the end of the stream, which
// comes once QEMU, the other end's only holder, has exited.
func (b *boot) drain() {
	close(b.srv.stop)
	select {
	case <-b.served:
	case <-time.After(killGrace):
		b.host.Close()
		<-b.served
	}
	b.host.Close()
}

// result assembles test t's Result from what was observed; qemuErr is
// nil while QEMU still runs.
func (b *boot) result(t *test, o observed, qemuErr error) Result {
	st := t.st
	st.mu.Lock()
	defer st.mu.Unlock()
	o.status, o.initErr, o.layout = st.status, st.initErr, st.layout
	if t.seq == 1 {
		o.hello = st.hello != nil
	}
	o.output, o.qemuErr, o.stderrTail = bytes.Clone(st.output.Bytes()), qemuErr, b.stderr.String()
	o.consoleTail, o.panicLine = consoleTailFrom(b.mach.consoleLog, t.console)
	if o.status == nil && o.initErr == "" && st.err != nil && o.stderrTail == "" {
		o.stderrTail = st.err.Error()
	}
	res := Result{
		ExitCode: -1, Output: o.output, ConsoleTail: o.consoleTail, Observed: o.layout,
		TotalTime: time.Since(t.start), Accel: b.mach.accel,
		KernelNote: b.kernel, QEMUArgs: QuoteArgs(b.mach.argv()), QEMUPID: b.cmd.Process.Pid, Name: b.mach.name, Shared: t.seq > 1,
	}
	if t.seq == 1 {
		res.SetupTime = b.started.Sub(b.m.start)
	}
	res.Outcome, res.Reason = classify(o)
	res.EmulatorRace = res.Outcome == spec.OutcomeKernelPanic && b.mach.accel == spec.AccelTCG && emulatorRace(b.mach.consoleLog)
	if b.m.cfg.ConsoleLog != "" {
		res.ConsoleLog = b.m.cfg.ConsoleLog
	}
	if st.hello != nil {
		res.BootTime, res.GuestUptime = st.helloAt.Sub(b.m.start), st.hello.Uptime
	}
	if st.status != nil {
		res.ExitCode, res.Warnings = st.status.Exit, st.status.Warnings
		res.Dirty = st.status.Dirty
	}
	return res
}
