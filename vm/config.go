package vm

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/cachedir"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Config describes one VM run: what to boot, what to run inside and where
// its output goes. Zero fields take the defaults their comments give.
// A Config is not modified by [Config.Start] and may be reused.
type Config struct {
	// Kernel is the bzImage to boot (required); see [kernel.Find].
	Kernel string
	// Init is the host path of the static binary that becomes /init, the
	// guest's PID 1 (required). A gauntlet test binary is one: run as PID
	// 1 it becomes the guest init (see package internal/guest).
	Init string
	// Args and Env are the command line (after the program name) and the
	// extra environment of the test process the init starts: by default
	// the init binary itself again, e.g. Args = -test.run ^TestX$ -test.v.
	Args []string
	Env  []string
	// Variant, when set, is passed to the test process as JSON in
	// GAUNTLET_VARIANT, with GAUNTLET_GUEST=1; the runner fills in its
	// Topology (when zero), Accel and Kernel (when empty).
	Variant *spec.Variant
	// Files are extra host files put into the initramfs.
	Files []File
	// Topology is the guest's CPU layout; zero means a Spec's default
	// topology ([spec.DefaultTopology], see [spec.Spec.WithDefaults]). The
	// guest checks it against its sysfs before the test runs; a mismatch
	// fails the run.
	Topology topo.Topology
	// MemoryMiB is the guest memory; zero means [topo.GuestMemoryMiB](Topology, 0).
	MemoryMiB int
	// Accel picks the accelerator; empty means [spec.AccelAuto].
	Accel spec.Accel
	// TCGThreads picks how TCG runs the vCPUs; empty means
	// [TCGThreadsAuto]. KVM ignores it.
	TCGThreads TCGThreads
	// HostCPUs is the number of host cores VMs share, which
	// [TCGThreadsAuto] weighs the vCPUs against; zero means
	// runtime.NumCPU().
	HostCPUs int
	// Timeout bounds the run from Start until the guest reports; zero
	// derives it with [DefaultTimeout] from Topology, the accelerator and
	// Duration. On timeout QEMU is killed and the outcome is [spec.OutcomeTimeout].
	Timeout time.Duration
	// Duration is how long the test's scenario runs; it only feeds the
	// default Timeout.
	Duration time.Duration
	// Output receives the test's stdout and stderr live; nil discards it
	// (it is in [Result.Output] either way).
	Output io.Writer
	// ConsoleLog is the file the kernel console is written to; empty means
	// a temporary file removed after the run ([Result.ConsoleTail] keeps
	// its end).
	ConsoleLog string
	// KernelArgs are appended to the kernel command line.
	KernelArgs []string
	// QEMU is the emulator binary; empty means qemu-system-x86_64 from
	// PATH.
	QEMU string
	// CacheDir holds cached initramfs archives and the accelerator
	// verdict; empty means $XDG_CACHE_HOME/gauntlet (~/.cache/gauntlet).
	CacheDir string
	// Next, when set, lets the VM run more than one test in one boot. It
	// is called with the Result of every test the VM runs, in order, as
	// each ends: this Config's, then those of the Configs it returned
	// (each with its own Next). When that test passed and the guest
	// reported itself as clean as after its boot ([Result.Reusable]), a
	// Config it returns runs next in the same VM, with its own Args, Env,
	// Variant, Timeout, Duration and Output; otherwise, or when it returns
	// nil, the VM powers off. A returned Config must boot the same VM
	// ([Config.CanRun]); one that does not is not run, and Wait returns
	// an error wrapping [ErrBadConfig] once the VM is off. Next is called
	// from the VM's goroutine, one call at a time, and must not block.
	Next func(Result) *Config
}

// BootKey is a string that is equal for two Configs exactly when they
// boot the same VM but for their Files: callers group tests that may
// share a boot by it. A VM booted for c runs a test configured by o when
// their keys are equal and o's files are among c's ([Config.CanRun]).
func (c Config) BootKey() string {
	return fmt.Sprintf("%q %q %v %d %q %q %d %q %q %q", c.Kernel, c.Init, c.Topology, c.MemoryMiB,
		c.Accel, c.TCGThreads, c.HostCPUs, c.KernelArgs, c.QEMU, c.CacheDir)
}

// CanRun reports whether a test configured by o can run in a VM booted
// for c: the same kernel and its arguments, init, topology, memory,
// accelerator, TCG threads, host CPUs, QEMU and cache directory, and
// each of o's files packed for c too (same host and guest path; a VM
// booted with a test's payloads runs the tests that need none). When it
// cannot, the error names the first difference.
func (c Config) CanRun(o Config) error {
	diff := func(what string, a, b any) error {
		return fmt.Errorf("%w: next test's %s %v differs from the booted VM's %v", ErrBadConfig, what, b, a)
	}
	switch {
	case c.Kernel != o.Kernel:
		return diff("Kernel", c.Kernel, o.Kernel)
	case c.Init != o.Init:
		return diff("Init", c.Init, o.Init)
	case !FilesWithin(o.Files, c.Files):
		return fmt.Errorf("%w: next test's Files %v are not all among the booted VM's %v", ErrBadConfig, o.Files, c.Files)
	case c.Topology != o.Topology:
		return diff("Topology", c.Topology, o.Topology)
	case c.MemoryMiB != o.MemoryMiB:
		return diff("MemoryMiB", c.MemoryMiB, o.MemoryMiB)
	case c.Accel != o.Accel:
		return diff("Accel", c.Accel, o.Accel)
	case c.TCGThreads != o.TCGThreads:
		return diff("TCGThreads", c.TCGThreads, o.TCGThreads)
	case c.HostCPUs != o.HostCPUs:
		return diff("HostCPUs", c.HostCPUs, o.HostCPUs)
	case !slices.Equal(c.KernelArgs, o.KernelArgs):
		return diff("KernelArgs", c.KernelArgs, o.KernelArgs)
	case c.QEMU != o.QEMU:
		return diff("QEMU", c.QEMU, o.QEMU)
	case c.CacheDir != o.CacheDir:
		return diff("CacheDir", c.CacheDir, o.CacheDir)
	}
	return nil
}

// FilesWithin reports whether every file of fs is in of: what a VM
// packed with of needs to run a test that needs fs.
func FilesWithin(fs, of []File) bool {
	for _, f := range fs {
		if !slices.Contains(of, f) {
			return false
		}
	}
	return true
}

// resolved is a validated Config with defaults applied.
type resolved struct {
	Config
	qemu string
}

// resolve validates c, applies defaults and checks the files it names.
func (c Config) resolve() (resolved, error) {
	r := resolved{Config: c}
	if c.Kernel == "" {
		return r, fmt.Errorf("%w: Kernel is empty; set it to a bzImage (see kernel.Find)", ErrBadConfig)
	}
	if c.Init == "" {
		return r, fmt.Errorf("%w: Init is empty; set it to a static binary", ErrBadConfig)
	}
	if err := kernel.CheckImage(c.Kernel); err != nil {
		return r, err
	}
	if err := CheckStaticBinary(c.Init); err != nil {
		return r, err
	}
	return r, r.defaults()
}

func (r *resolved) defaults() error {
	if r.Topology == (topo.Topology{}) {
		r.Topology, _ = topo.Parse(spec.Spec{}.WithDefaults().Topology)
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
	a, err := spec.ParseAccel(string(r.Accel))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	r.Accel = a
	switch r.TCGThreads {
	case "":
		r.TCGThreads = TCGThreadsAuto
	case TCGThreadsAuto, TCGThreadsMulti, TCGThreadsSingle:
	default:
		return fmt.Errorf("%w: TCGThreads %q is not one of %s, %s, %s", ErrBadConfig, r.TCGThreads, TCGThreadsAuto, TCGThreadsMulti, TCGThreadsSingle)
	}
	if r.HostCPUs <= 0 {
		r.HostCPUs = runtime.NumCPU()
	}
	if r.CacheDir == "" {
		r.CacheDir = DefaultCacheDir()
	}
	r.qemu = r.QEMU
	if r.qemu == "" {
		if r.qemu, err = LookQEMU(); err != nil {
			return err
		}
	}
	return nil
}

// DefaultCacheDir is $XDG_CACHE_HOME/gauntlet, else ~/.cache/gauntlet,
// else a directory under the system's temporary directory.
func DefaultCacheDir() string {
	if base, err := cachedir.Base(nil); err == nil {
		return filepath.Join(base, "gauntlet")
	}
	return filepath.Join(os.TempDir(), "gauntlet-cache")
}

// timeout returns the run's bound for accelerator a.
func (r resolved) timeout(a spec.Accel) time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout(r.Topology, a, r.Duration)
}

// TCGThreads is how QEMU's TCG runs a guest's vCPUs.
type TCGThreads string

// TCG thread modes.
const (
	// TCGThreadsAuto runs a guest single-threaded when it has more than
	// [spec.MaxMultiTCGVCPUsPerCore] vCPUs per host core
	// ([spec.SingleThreadedTCG]), else multi-threaded.
	TCGThreadsAuto TCGThreads = "auto"
	// TCGThreadsMulti runs each vCPU on its own host thread.
	TCGThreadsMulti TCGThreads = "multi"
	// TCGThreadsSingle runs every vCPU on one host thread, in turn.
	TCGThreadsSingle TCGThreads = "single"
)

// tcgSingle reports whether the guest runs single-threaded under TCG by
// r's choice (a retry after an emulator race may force it as well).
func (r resolved) tcgSingle() bool {
	switch r.TCGThreads {
	case TCGThreadsSingle:
		return true
	case TCGThreadsMulti:
		return false
	}
	return spec.SingleThreadedTCG(r.Topology.CPUs(), r.HostCPUs)
}
