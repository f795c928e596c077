package vm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// verdict is the remembered answer to "does KVM work on this host", kept
// per host kernel release and QEMU version.
type verdict struct {
	Accel  spec.Accel `json:"accel"`
	Reason string     `json:"reason"`
	Host   string     `json:"host_kernel"`
	QEMU   string     `json:"qemu_version"`
	At     time.Time  `json:"at"`
}

// accelChoice is the accelerator a run starts with.
type accelChoice struct {
	accel spec.Accel
	note  string // why auto mode chose it
	trial bool   // a KVM trial whose outcome is to be remembered
}

// kvmCheck is kvmUsable; tests replace it.
var kvmCheck = KVMUsable

// resolveAccel picks the accelerator for want: as asked for kvm or tcg;
// for auto, TCG without a usable /dev/kvm, else the remembered verdict,
// else a KVM trial.
func resolveAccel(want spec.Accel, cacheDir, qemu string) accelChoice {
	if want != spec.AccelAuto {
		return accelChoice{accel: want}
	}
	if err := kvmCheck(); err != nil {
		return accelChoice{accel: spec.AccelTCG, note: fmt.Sprintf("no kvm (%v); using tcg", err)}
	}
	if v, ok := loadVerdict(cacheDir, qemu); ok {
		return accelChoice{accel: v.Accel, note: fmt.Sprintf("remembered for this host: %s (%s)", v.Accel, v.Reason)}
	}
	return accelChoice{accel: spec.AccelKVM, trial: true}
}

// KVMUsable is the one check of whether KVM may be tried on this host: nil
// when /dev/kvm opens read-write and the host's KVM is not kvm_pvm (a
// paravirtualised KVM that fails or hangs on stock kernels); else why not.
// Auto mode boots under TCG when it fails, and the planner estimates TCG.
func KVMUsable() error {
	if _, err := os.Stat("/sys/module/kvm_pvm"); err == nil {
		return errors.New("the host's KVM is kvm_pvm, which cannot boot stock kernels")
	}
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

func verdictPath(cacheDir, qemu string) string {
	h := sha256.Sum256([]byte(accelHostRelease() + "\x00" + qemuVersion(qemu)))
	return filepath.Join(cacheDir, "accel-"+hex.EncodeToString(h[:8])+".json")
}

func loadVerdict(cacheDir, qemu string) (verdict, bool) {
	b, err := os.ReadFile(verdictPath(cacheDir, qemu))
	if err != nil {
		return verdict{}, false
	}
	var v verdict
	if json.Unmarshal(b, &v) != nil || (v.Accel != spec.AccelKVM && v.Accel != spec.AccelTCG) {
		return verdict{}, false
	}
	return v, true
}

// saveVerdict records v; failing to write the cache only costs a trial
// boot next time, so errors are ignored.
func saveVerdict(cacheDir, qemu string, v verdict) {
	v.Host, v.QEMU, v.At = accelHostRelease(), qemuVersion(qemu), time.Now().UTC()
	b, _ := json.MarshalIndent(v, "", "  ")
	if os.MkdirAll(cacheDir, 0o755) != nil {
		return
	}
	p := verdictPath(cacheDir, qemu)
	tmp := p + fmt.Sprintf(".tmp%d", os.Getpid())
	if os.WriteFile(tmp, b, 0o644) == nil {
		os.Rename(tmp, p)
	}
}

func accelHostRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}

var qemuVersions sync.Map // binary path -> version line

// qemuVersion returns the first line of `qemu --version`, cached.
func qemuVersion(qemu string) string {
	if v, ok := qemuVersions.Load(qemu); ok {
		return v.(string)
	}
	out, err := exec.Command(qemu, "--version").Output()
	v := "unknown"
	if err == nil {
		v, _, _ = strings.Cut(string(out), "\n")
	}
	qemuVersions.Store(qemu, v)
	return v
}

// kvmProbeTimeout bounds the KVM trial boot of [DetectAccel].
const kvmProbeTimeout = 60 * time.Second

// DetectAccel returns the accelerator auto mode uses on this host and why:
// TCG when /dev/kvm is missing or cannot be opened; else the verdict
// remembered under cacheDir (empty: [DefaultCacheDir]) for this host
// kernel and QEMU version; else it boots kernel once under KVM without an
// initramfs (the kernel runs until it panics for want of a root file
// system, which proves KVM works) and remembers the answer. A KVM failure
// such as "emulation failure" is seen on QEMU's stderr within seconds.
func DetectAccel(ctx context.Context, kernel, cacheDir string) (spec.Accel, string, error) {
	if cacheDir == "" {
		cacheDir = DefaultCacheDir()
	}
	qemu, err := LookQEMU()
	if err != nil {
		return "", "", err
	}
	return detectAccel(ctx, qemu, kernel, cacheDir)
}

func detectAccel(ctx context.Context, qemu, image, cacheDir string) (spec.Accel, string, error) {
	if ac := resolveAccel(spec.AccelAuto, cacheDir, qemu); !ac.trial {
		return ac.accel, ac.note, nil
	}
	if err := kernel.CheckImage(image); err != nil {
		return "", "", fmt.Errorf("detect accelerator: %w", err)
	}
	v, err := probeKVM(ctx, qemu, image)
	if err != nil {
		return "", "", fmt.Errorf("detect accelerator: %w", err)
	}
	saveVerdict(cacheDir, qemu, v)
	return v.Accel, v.Reason, nil
}

// probeKVM boots kernel under KVM with no initramfs and watches for a KVM
// failure on stderr or the kernel's panic on the console.
func probeKVM(ctx context.Context, qemu, kernel string) (verdict, error) {
	dir, err := os.MkdirTemp("", "gauntlet-kvmprobe-*")
	if err != nil {
		return verdict{}, err
	}
	defer os.RemoveAll(dir)
	log := filepath.Join(dir, "console.log")
	args := append([]string{"-M", "q35", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"}, accelArgs(spec.AccelKVM, false)...)
	args = append(args, "-m", "256", "-smp", "1", "-kernel", kernel,
		"-chardev", "file,id=console,path="+escapeOpt(log), "-serial", "chardev:console",
		"-append", "console=ttyS0 panic=-1")
	cmd := exec.Command(qemu, args...)
	w := newStderrWatch()
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		return verdict{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	timer := time.NewTimer(kvmProbeTimeout)
	defer timer.Stop()
	select {
	case <-exited:
	case <-w.kvmFailed:
		cmd.Process.Kill()
		<-exited
		return verdict{Accel: spec.AccelTCG, Reason: "kvm: " + w.failed()}, nil
	case <-timer.C:
		cmd.Process.Kill()
		<-exited
		return verdict{Accel: spec.AccelTCG, Reason: fmt.Sprintf("kvm trial boot did not finish in %v", kvmProbeTimeout)}, nil
	case <-ctx.Done():
		cmd.Process.Kill()
		<-exited
		return verdict{}, ctx.Err()
	}
	if _, panic := consoleTail(log); panic != "" {
		return verdict{Accel: spec.AccelKVM, Reason: "a kernel booted under kvm"}, nil
	}
	return verdict{Accel: spec.AccelTCG, Reason: "kvm trial boot failed: " + strings.TrimSpace(tailLines(w.String(), 1))}, nil
}
