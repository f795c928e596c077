package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/internal/elfdeps"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// ShellConfig describes a throwaway VM whose init is a busybox shell on
// the caller's terminal, for exploring a kernel and topology by hand
// (`gauntlet shell`). The guest's /init, a busybox sh script, mounts
// /proc, /sys, /dev, /tmp, /dev/shm, cgroup2 (with the cpuset and cpu
// controllers), bpffs, debugfs and tracefs, prints the CPU topology it
// sees, then runs an interactive sh, or Command, on the serial console;
// when that ends it reports the exit status and powers off. Zero fields
// take the defaults their comments give.
type ShellConfig struct {
	// Kernel is the bzImage to boot (required); see [kernel.Find].
	Kernel string
	// Busybox is a static busybox binary (guest /bin/busybox); empty
	// means [DefaultBusybox].
	Busybox string
	// Topology is the guest's CPU layout; zero means 1n1l1c1t.
	Topology topo.Topology
	// MemoryMiB is the guest memory; zero means [topo.GuestMemoryMiB](Topology, 0).
	MemoryMiB int
	// Accel picks the accelerator; empty or [spec.AccelAuto] asks
	// [DetectAccel].
	Accel spec.Accel
	// Include lists host files and directories to put in the guest: a
	// file at /include-files/<name>, a directory recursively under
	// /include-files/<dirname>/ (see [ShellIncludeDir]). Every ELF
	// program among them also gets its interpreter and the closure of
	// its DT_NEEDED libraries, at their host paths.
	Include []string
	// LibraryPath are directories searched for included programs'
	// libraries as LD_LIBRARY_PATH is; nil means $LD_LIBRARY_PATH.
	LibraryPath []string
	// Command, when not empty, runs (via sh -c, its words quoted) instead
	// of the interactive shell; its exit status becomes
	// [ShellResult.ExitCode].
	Command []string
	// Stdin, Stdout and Stderr are QEMU's: the console's input and
	// output, and QEMU's own messages. nil means /dev/null (Stdin) or
	// discard. A terminal on Stdin is put in raw mode by QEMU while it
	// runs: Ctrl-C goes to the guest, Ctrl-A X quits QEMU, Ctrl-A C
	// reaches the QEMU monitor.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Term is TERM in the guest; empty means "linux".
	Term string
	// Rows and Cols set the console size in the guest (stty); zero
	// leaves the kernel's default.
	Rows, Cols int
	// KernelArgs are appended to the kernel command line (which has
	// "quiet" for a shell).
	KernelArgs []string
	// QEMU is the emulator binary; empty means qemu-system-x86_64 from
	// PATH.
	QEMU string
	// CacheDir holds the accelerator verdict; empty means
	// [DefaultCacheDir].
	CacheDir string
}

// ShellResult is how a shell VM ended.
type ShellResult struct {
	// ExitCode is the exit status of the shell or Command; -1 when the
	// guest did not report one (QEMU was quit with Ctrl-A X, or the
	// guest's kernel died: its console output says so).
	ExitCode int
	// Accel is the accelerator the VM ran on; AccelNote says why, when
	// auto mode chose it.
	Accel     spec.Accel
	AccelNote string
	// BootTime runs from starting QEMU to the guest's init reporting its
	// mounts done (zero if it never did); GuestUptime is the guest's own
	// uptime then.
	BootTime    time.Duration
	GuestUptime time.Duration
	// TotalTime runs from Run to QEMU's exit.
	TotalTime time.Duration
	// KernelNote says which image of the kernel booted and why, and
	// about lpj= under TCG (see [Result.KernelNote]).
	KernelNote string
	// QEMUArgs is the QEMU command line, shell-quoted.
	QEMUArgs string
	// Name is the VM's QEMU -name, unique on the host.
	Name string
}

// DefaultBusybox is the busybox a shell VM uses: Debian's busybox-static
// installs a static one there.
const DefaultBusybox = "/bin/busybox"

// ErrNoBusybox means the busybox for a shell VM is missing or dynamically
// linked; it wraps [spec.ErrNotSupported].
var ErrNoBusybox = fmt.Errorf("no static busybox (install it: apt-get install busybox-static): %w", spec.ErrNotSupported)

// shellStopDelay is how long QEMU may take to exit (restoring the
// terminal) after SIGTERM when the context ends, before it is killed (a
// variable for tests).
var shellStopDelay = 5 * time.Second

// Run boots the shell VM and waits until it powers off or QEMU is quit.
// Cancelling ctx stops QEMU (SIGTERM, then SIGKILL after a few seconds)
// and returns ctx's error. Temporary files are removed either way.
//
// Errors are about the setup (a bad config wrapping [ErrBadConfig], the
// kernel, [ErrNoBusybox], [ErrNoQEMU], an include that is missing or
// whose libraries cannot be found), or QEMU failing or KVM being unusable
// with Accel "kvm". The guest's exit status is in the result.
func (c ShellConfig) Run(ctx context.Context) (ShellResult, error) {
	start := time.Now()
	r, err := c.resolve(ctx)
	if err != nil {
		return ShellResult{ExitCode: -1}, fmt.Errorf("shell vm: %w", err)
	}
	dir, err := os.MkdirTemp("", "gauntlet-shell-*")
	if err != nil {
		return ShellResult{ExitCode: -1}, fmt.Errorf("shell vm: %w", err)
	}
	defer os.RemoveAll(dir)
	initrd, err := r.initramfs(ctx, dir)
	if err != nil {
		return ShellResult{ExitCode: -1}, fmt.Errorf("shell vm: %w", err)
	}
	res, err := r.boot(ctx, initrd)
	res.TotalTime = time.Since(start)
	return res, err
}

// resolvedShell is a validated ShellConfig with defaults applied and its
// files planned.
type resolvedShell struct {
	ShellConfig
	qemu      string
	accelNote string
	plan      shellPlan
	image     bootImage // what -kernel boots (see prepareKernel)
}

// resolve validates c, applies defaults, picks the accelerator and plans
// the guest's files.
func (c ShellConfig) resolve(ctx context.Context) (resolvedShell, error) {
	r := resolvedShell{ShellConfig: c}
	if err := r.checkFiles(); err != nil {
		return r, err
	}
	if err := r.defaults(); err != nil {
		return r, err
	}
	if err := r.chooseAccel(ctx); err != nil {
		return r, err
	}
	r.image = prepareKernel(r.CacheDir, r.Kernel)
	libPath := c.LibraryPath
	if libPath == nil {
		libPath = elfdeps.SplitLibraryPath(os.Getenv("LD_LIBRARY_PATH"))
	}
	var err error
	r.plan, err = planShellFiles(r.Busybox, c.Include, &elfdeps.Resolver{LibraryPath: libPath})
	return r, err
}

// checkFiles checks the kernel and busybox.
func (r *resolvedShell) checkFiles() error {
	if r.Kernel == "" {
		return fmt.Errorf("%w: Kernel is empty; set it to a bzImage (see kernel.Find)", ErrBadConfig)
	}
	if err := kernel.CheckImage(r.Kernel); err != nil {
		return err
	}
	if r.Busybox == "" {
		r.Busybox = DefaultBusybox
	}
	if err := CheckStaticBinary(r.Busybox); err != nil {
		why := "missing or not an x86-64 ELF program"
		if errors.Is(err, ErrNotStatic) {
			why = "dynamically linked"
		}
		return fmt.Errorf("busybox %s is %s: %w", r.Busybox, why, ErrNoBusybox)
	}
	return nil
}

// defaults fills in the topology, memory and QEMU binary.
func (r *resolvedShell) defaults() error {
	if r.Topology == (topo.Topology{}) {
		r.Topology = topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 1, ThreadsPerCore: 1}
	}
	if err := r.Topology.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	if r.MemoryMiB == 0 {
		r.MemoryMiB = topo.GuestMemoryMiB(r.Topology, 0)
	}
	if r.MemoryMiB < 0 {
		return fmt.Errorf("%w: MemoryMiB %d is negative", ErrBadConfig, r.MemoryMiB)
	}
	if r.CacheDir == "" {
		r.CacheDir = DefaultCacheDir()
	}
	r.qemu = r.QEMU
	if r.qemu == "" {
		var err error
		r.qemu, err = LookQEMU()
		return err
	}
	return nil
}

// chooseAccel resolves auto mode with [DetectAccel]'s logic and checks
// that the accelerator can boot the topology.
func (r *resolvedShell) chooseAccel(ctx context.Context) error {
	a, err := spec.ParseAccel(string(r.Accel))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	if a == spec.AccelAuto {
		if a, r.accelNote, err = detectAccel(ctx, r.qemu, r.Kernel, r.CacheDir); err != nil {
			return err
		}
	}
	r.Accel = a
	return CheckTopology(r.Topology, a)
}

// initramfs writes the /init script and the archive into dir and returns
// the archive's path.
func (r resolvedShell) initramfs(ctx context.Context, dir string) (string, error) {
	script := shellInit{Topology: r.Topology, Command: r.Command, Term: r.Term, Rows: r.Rows, Cols: r.Cols, LibraryPath: r.plan.libPath}.script()
	init := filepath.Join(dir, "init")
	if err := os.WriteFile(init, []byte(script), 0o755); err != nil {
		return "", fmt.Errorf("write init: %w", err)
	}
	initrd := filepath.Join(dir, "initramfs.cpio")
	f, err := os.Create(initrd)
	if err != nil {
		return "", fmt.Errorf("write initramfs: %w", err)
	}
	err = WriteInitramfs(ctx, f, init, r.plan.files)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write initramfs: %w", cerr)
	}
	return initrd, err
}

// machine returns the VM's machine description.
func (r resolvedShell) machine(initrd string) (machine, string) {
	m := machine{
		qemu: r.qemu, name: fmt.Sprintf("gauntlet-shell-%d-%d", os.Getpid(), vmSeq.Add(1)),
		topology: r.Topology, memoryMiB: r.MemoryMiB, accel: r.Accel, kernel: r.image.path, initrd: initrd,
		kernelArgs: append(append([]string(nil), shellKernelArgs...), r.KernelArgs...),
	}
	var note string
	m.lpj, note = r.image.lpj(r.Accel, r.CacheDir, m.kernelArgs)
	return m, note
}

// boot runs QEMU until it exits and reads the init's reports.
func (r resolvedShell) boot(ctx context.Context, initrd string) (ShellResult, error) {
	host, guest, err := statusSocket()
	if err != nil {
		return ShellResult{ExitCode: -1}, fmt.Errorf("shell vm: status port: %w", err)
	}
	defer host.Close()
	m, note := r.machine(initrd)
	argv := shellArgv(m, 3)
	res := ShellResult{ExitCode: -1, Accel: r.Accel, AccelNote: r.accelNote, KernelNote: note, QEMUArgs: QuoteArgs(argv), Name: m.name}
	watch := newStderrWatch()
	cmd := r.command(ctx, argv, guest, watch)
	err = cmd.Start()
	guest.Close()
	if err != nil {
		return res, fmt.Errorf("shell vm: start qemu: %w", err)
	}
	started := time.Now()
	reports := make(chan shellStatus, 1)
	go func() { reports <- readShellStatus(host, time.Now) }()
	qemuErr := waitKVMWatched(cmd, watch)
	st := drainStatus(host, reports)
	if !st.readyAt.IsZero() {
		res.BootTime, res.GuestUptime = st.readyAt.Sub(started), st.uptime
	}
	if st.exited {
		res.ExitCode = st.exit
		return res, nil
	}
	return res, shellFailure(ctx, qemuErr, watch)
}

// command builds QEMU's exec.Cmd: the console on the config's streams,
// the status socket as fd 3, SIGTERM when ctx ends (QEMU then restores
// the terminal) and SIGKILL shellStopDelay later. QEMU stays in the
// caller's process group: it must be in the terminal's foreground group
// to read the terminal.
func (r resolvedShell) command(ctx context.Context, argv []string, guest *os.File, watch *stderrWatch) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = shellStopDelay
	cmd.Stdin, cmd.Stdout = r.Stdin, r.Stdout
	cmd.Stderr = io.Writer(watch)
	if r.Stderr != nil {
		cmd.Stderr = io.MultiWriter(r.Stderr, watch)
	}
	cmd.ExtraFiles = []*os.File{guest}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// statusSocket returns the two ends of the status port's socket; the
// host end is non-blocking, so closing it ends a pending read.
func statusSocket() (host, guest *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "status-host"), os.NewFile(uintptr(fds[1]), "status-guest"), nil
}

// waitKVMWatched waits for QEMU, killing it if its stderr shows that KVM
// cannot run the guest (a KVM guest then hangs instead of exiting).
func waitKVMWatched(cmd *exec.Cmd, watch *stderrWatch) error {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-watch.kvmFailed:
			cmd.Process.Kill()
		case <-done:
		}
	}()
	return cmd.Wait()
}

// drainStatus waits for the report reader, which ends at EOF once QEMU,
// the other end's only holder, is gone; killGrace bounds the wait.
func drainStatus(host *os.File, reports <-chan shellStatus) shellStatus {
	select {
	case st := <-reports:
		return st
	case <-time.After(killGrace):
		host.Close()
		return <-reports
	}
}

// shellFailure explains a VM that ended without an exit status: nil when
// QEMU simply exited (Ctrl-A X, or the guest kernel died in view of the
// console).
func shellFailure(ctx context.Context, qemuErr error, watch *stderrWatch) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("shell vm: %w", ctx.Err())
	case watch.failed() != "":
		return fmt.Errorf("shell vm: kvm cannot run this guest (%s); use the tcg accelerator", watch.failed())
	case qemuErr != nil:
		last := strings.TrimSpace(tailLines(watch.String(), 1))
		if last == "" {
			return fmt.Errorf("shell vm: qemu: %w", qemuErr)
		}
		return fmt.Errorf("shell vm: qemu: %w: %s", qemuErr, last)
	}
	return nil
}
