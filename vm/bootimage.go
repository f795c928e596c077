package vm

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/filelock"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// EnvNoPVH, set to anything but "" or "0", makes the VM runner boot the
// bzImage it is given even when its vmlinux has a PVH entry: for a kernel
// that misbehaves when booted by PVH, and to measure the difference.
const EnvNoPVH = "GAUNTLET_NO_PVH"

// vmlinuxCacheVersion is part of every vmlinux cache key: bump it when
// what an entry holds changes.
const vmlinuxCacheVersion = "gauntlet-vmlinux-1"

// vmlinuxMaxAge is how long an unused cached vmlinux (57 MB for Debian's
// kernel) is kept; taking it out again costs well under a second.
const vmlinuxMaxAge = 7 * 24 * time.Hour

// bootImage is the image QEMU's -kernel gets for a bzImage, and what the
// VM runner knows of that kernel.
type bootImage struct {
	path string // what -kernel gets: the vmlinux or the bzImage
	pvh  bool   // path is the vmlinux, booted by its PVH entry
	hz   int    // the kernel's CONFIG_HZ; 0 when unknown
	note string // which image boots and why, for Result.KernelNote
}

// kernelInfo is what a look inside a bzImage found, cached as JSON beside
// the vmlinux it extracted.
type kernelInfo struct {
	Source      string `json:"source"`
	Compression string `json:"compression,omitempty"`
	// PVH is set when the vmlinux has a PVH entry; it is then cached as
	// the entry's .vmlinux file. Why says why not otherwise.
	PVH bool   `json:"pvh"`
	Why string `json:"why,omitempty"`
	// HZ is CONFIG_HZ from the kernel's embedded config (IKCONFIG); 0
	// when it has none.
	HZ int `json:"hz,omitempty"`
}

// noPVH reports whether [EnvNoPVH] turns the PVH boot off.
func noPVH() bool {
	v := os.Getenv(EnvNoPVH)
	return v != "" && v != "0"
}

// prepareKernel returns the image to boot for the bzImage bz: its
// vmlinux, taken out once and cached under cacheDir, when that has a PVH
// entry and [EnvNoPVH] is not set; else bz itself, with the reason in the
// note. The kernel's CONFIG_HZ comes from the config beside bz, else from
// the one it embeds. Nothing here is an error: the bzImage always boots.
func prepareKernel(cacheDir, bz string) bootImage {
	info, vmlinux, err := cachedKernelInfo(filepath.Join(cacheDir, "vmlinux"), bz)
	if err != nil {
		info = kernelInfo{Why: err.Error()}
	}
	return chooseImage(bz, vmlinux, info, besideHZ(bz), noPVH())
}

// besideHZs memoizes besideHZ per image path for the process.
var besideHZs sync.Map // image path -> int

// besideHZ is CONFIG_HZ from the config beside the image bz (0 when it
// has none), read once per process rather than at every VM start.
func besideHZ(bz string) int {
	if hz, ok := besideHZs.Load(bz); ok {
		return hz.(int)
	}
	hz := kernel.ConfigHZ(kernel.ConfigBeside(bz))
	besideHZs.Store(bz, hz)
	return hz
}

// chooseImage is prepareKernel's decision: the vmlinux when the look
// inside found a PVH entry and the user did not turn it off, else the
// bzImage; CONFIG_HZ from the config beside the image (besideHZ) when it
// has one, else the embedded one.
func chooseImage(bz, vmlinux string, info kernelInfo, besideHZ int, off bool) bootImage {
	b := bootImage{path: bz, hz: besideHZ}
	if b.hz == 0 {
		b.hz = info.HZ
	}
	switch {
	case info.PVH && off:
		b.note = "booted the bzImage: " + EnvNoPVH + " is set"
	case info.PVH:
		b.path, b.pvh = vmlinux, true
		b.note = "booted its vmlinux by the PVH entry (" + vmlinux + ")"
	default:
		b.note = "booted the bzImage: " + info.Why
	}
	return b
}

// vmlinuxLocks serializes a process's looks inside one bzImage; a file
// lock does the same across processes.
var vmlinuxLocks sync.Map // key -> *sync.Mutex

// cachedKernelInfo returns what is inside the bzImage bz, from the cache
// in dir when an entry for bz's path, size and modification time is
// there, else by a look inside that it caches (a temporary file renamed
// into place; the .json last, so an entry is whole once it exists); the
// path of its cached vmlinux when info.PVH. An error means the cache
// could not be used.
func cachedKernelInfo(dir, bz string) (info kernelInfo, vmlinux string, err error) {
	key, err := vmlinuxKey(bz)
	if err != nil {
		return info, "", err
	}
	base := filepath.Join(dir, key)
	vmlinux = base + ".vmlinux"
	if info, ok := loadKernelInfo(base); ok {
		return info, vmlinux, nil
	}
	mu, _ := vmlinuxLocks.LoadOrStore(key, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return info, "", fmt.Errorf("vmlinux cache: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return info, "", err
	}
	defer unlock()
	if info, ok := loadKernelInfo(base); ok {
		return info, vmlinux, nil
	}
	pruneVmlinux(dir, time.Now())
	info, err = inspectKernel(bz, vmlinux)
	if err != nil {
		return info, "", err
	}
	js, _ := json.Marshal(info)
	if err := writeFileAtomic(base+".json", js); err != nil {
		return info, "", err
	}
	return info, vmlinux, nil
}

// vmlinuxKey names bz's cache entry: a hash of its absolute path, size,
// modification time and inode, which a rebuilt or replaced image changes
// (hashing the contents would cost each VM start tens of milliseconds).
func vmlinuxKey(bz string) (string, error) {
	abs, err := filepath.Abs(bz)
	if err != nil {
		return "", fmt.Errorf("vmlinux cache: %w", err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("vmlinux cache: %w", err)
	}
	var ino uint64
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		ino = s.Ino
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%d\x00%d", vmlinuxCacheVersion, abs, st.Size(), st.ModTime().UnixNano(), ino))
	return hex.EncodeToString(h[:12]), nil
}

// loadKernelInfo reads a whole cache entry at base (its vmlinux present
// when it says PVH) and marks it used.
func loadKernelInfo(base string) (kernelInfo, bool) {
	var info kernelInfo
	b, err := os.ReadFile(base + ".json")
	if err != nil || json.Unmarshal(b, &info) != nil {
		return info, false
	}
	now := time.Now()
	if info.PVH && os.Chtimes(base+".vmlinux", now, now) != nil {
		return info, false
	}
	os.Chtimes(base+".json", now, now)
	return info, true
}

// inspectKernel takes the vmlinux out of the bzImage bz and, when it has
// a PVH entry, leaves it at vmlinux. What it finds is in info, the reason
// a PVH boot is not possible in info.Why; err is a failure to write the
// cache.
func inspectKernel(bz, vmlinux string) (info kernelInfo, err error) {
	info.Source = bz
	img, err := os.ReadFile(bz)
	if err != nil {
		return info, fmt.Errorf("vmlinux cache: %w", err)
	}
	payload := kernel.Payload(img)
	if payload == nil {
		info.Why = "no compressed kernel in its setup header (boot protocol 2.08 or newer has one)"
		return info, nil
	}
	info.Compression = kernel.PayloadCompression(payload)
	tmp, err := os.CreateTemp(filepath.Dir(vmlinux), ".tmp-*.vmlinux")
	if err != nil {
		return info, fmt.Errorf("vmlinux cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err := kernel.DecompressPayload(payload, w); err != nil {
		info.Why = "cannot take its vmlinux out: " + err.Error()
		return info, nil
	}
	if err := w.Flush(); err != nil {
		return info, fmt.Errorf("vmlinux cache: %w", err)
	}
	if cfg, err := kernel.FindIKConfig(bufio.NewReaderSize(io.NewSectionReader(tmp, 0, math.MaxInt64), 1<<20)); err == nil {
		info.HZ = kernel.ConfigHZ(cfg)
	}
	_, pvh, err := kernel.PVHEntry(tmp)
	switch {
	case err != nil:
		info.Why = "its vmlinux is not an ELF file to boot: " + err.Error()
		return info, nil
	case !pvh:
		info.Why = "its vmlinux has no PVH entry note (Xen ELF note 18; the kernel was built without CONFIG_PVH)"
		return info, nil
	}
	if err := tmp.Close(); err != nil {
		return info, fmt.Errorf("vmlinux cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), vmlinux); err != nil {
		return info, fmt.Errorf("vmlinux cache: %w", err)
	}
	info.PVH = true
	return info, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place.
func writeFileAtomic(path string, data []byte) error {
	err := writeAtomic(path, ".tmp-*", func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("vmlinux cache: %w", err)
	}
	return nil
}

// lockDir takes dir's exclusive file lock, held while a bzImage is looked
// inside so concurrent processes do it once.
func lockDir(dir string) (unlock func(), err error) {
	unlock, err = filelock.Lock(filepath.Join(dir, ".lock"))
	if err != nil {
		return nil, fmt.Errorf("vmlinux cache: %w", err)
	}
	return unlock, nil
}

// pruneVmlinux removes entries (and abandoned temporary files) not used
// for vmlinuxMaxAge.
func pruneVmlinux(dir string, now time.Time) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".vmlinux") && !strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, ".tmp-") {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > vmlinuxMaxAge {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// lpj returns the lpj= value a guest of this kernel gets on accelerator a
// (none under KVM, see [machine.cmdline]) and the image's note with why.
// The host's TSC rate is measured only when it is needed.
func (b bootImage) lpj(a spec.Accel, cacheDir string, userArgs []string) (uint64, string) {
	switch {
	case a == spec.AccelKVM:
		return 0, b.note
	case hasKernelArg(userArgs, "lpj"):
		return 0, b.note + "; lpj= as given"
	case b.hz <= 0:
		return 0, b.note + "; " + lpjNote(0, 0, 0, "")
	}
	tscHz, why := hostTSC(cacheDir)
	lpj := lpjFor(tscHz, b.hz)
	return lpj, b.note + "; " + lpjNote(lpj, tscHz, b.hz, why)
}
