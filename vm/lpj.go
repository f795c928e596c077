package vm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/tsc"
)

// tscWindow is how long the host's TSC is counted against its clock.
const tscWindow = 80 * time.Millisecond

// hostTSCRate is the host's TSC rate in Hz, 0 when unknown (why says why).
type hostTSCRate struct {
	hz  uint64
	why string
}

var (
	tscOnce sync.Once
	tscRate hostTSCRate
)

// tscCache is the file the host's TSC rate is kept in, per host boot.
type tscCache struct {
	BootID string `json:"boot_id"`
	Hz     uint64 `json:"hz"`
}

// hostTSC returns the host's TSC rate, measured once per host boot (the
// value is kept in cacheDir, keyed by the kernel's boot_id) and once per
// process; 0 and why when it is unknown: off amd64, or a TSC whose rate
// is not constant.
func hostTSC(cacheDir string) (hz uint64, why string) {
	tscOnce.Do(func() { tscRate = measureHostTSC(cacheDir) })
	return tscRate.hz, tscRate.why
}

func measureHostTSC(cacheDir string) hostTSCRate {
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return hostTSCRate{why: fmt.Sprintf("cannot read /proc/cpuinfo: %v", err)}
	}
	if !tsc.Constant(cpuinfo) {
		return hostTSCRate{why: "the host's TSC is not constant_tsc (or this is not x86)"}
	}
	bootID := ""
	if b, err := os.ReadFile("/proc/sys/kernel/random/boot_id"); err == nil {
		bootID = strings.TrimSpace(string(b))
	}
	if cacheDir == "" {
		bootID = "" // nowhere to keep it
	}
	path := filepath.Join(cacheDir, "tsc.json")
	var c tscCache
	if b, err := os.ReadFile(path); bootID != "" && err == nil && json.Unmarshal(b, &c) == nil && c.BootID == bootID && c.Hz > 0 {
		return hostTSCRate{hz: c.Hz}
	}
	hz, ok := tsc.Measure(tscWindow)
	if !ok {
		return hostTSCRate{why: "the host's TSC rate measured implausible or is not readable here"}
	}
	if bootID != "" && os.MkdirAll(cacheDir, 0o755) == nil {
		js, _ := json.Marshal(tscCache{BootID: bootID, Hz: hz})
		writeFileAtomic(path, js) // best effort: the next process measures again
	}
	return hostTSCRate{hz: hz}
}

// lpjFor is the loops_per_jiffy a guest whose TSC ticks at tscHz with
// CONFIG_HZ=hz computes for itself (x86's delay loop counts TSC cycles:
// tsc_khz*1000/HZ, the boot CPU's lpj_fine); 0 when either is unknown.
func lpjFor(tscHz uint64, hz int) uint64 {
	if tscHz == 0 || hz <= 0 {
		return 0
	}
	return tscHz / uint64(hz)
}

// lpjNote says why a guest got lpj= or did not, for Result.KernelNote.
func lpjNote(lpj, tscHz uint64, hz int, tscWhy string) string {
	switch {
	case lpj > 0:
		return fmt.Sprintf("lpj=%d (host TSC %.2f MHz / CONFIG_HZ %d) skips the delay-loop calibration", lpj, float64(tscHz)/1e6, hz)
	case hz <= 0:
		return "no lpj=: the kernel's CONFIG_HZ is unknown (no config beside the image, none embedded)"
	}
	return "no lpj=: " + tscWhy
}

// hasKernelArg reports whether args sets the kernel parameter name
// (name=value or plain name).
func hasKernelArg(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}
