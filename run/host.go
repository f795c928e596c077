package run

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// Host is what this machine offers to VMs: the planner sizes the plan
// by it and the runner shares it among the VMs running at once.
type Host struct {
	CPUs      int // usable CPUs (the scheduler affinity mask)
	MemoryMiB int // MemTotal
}

// GatherHost reads the host's CPU count and memory (/proc/meminfo).
func GatherHost() (Host, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return Host{}, fmt.Errorf("host memory: %w", err)
	}
	defer f.Close()
	mem, err := parseMemTotal(f)
	if err != nil {
		return Host{}, fmt.Errorf("host memory: /proc/meminfo: %w", err)
	}
	return Host{CPUs: runtime.NumCPU(), MemoryMiB: mem}, nil
}

// parseMemTotal returns MemTotal from /proc/meminfo text, in MiB.
func parseMemTotal(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "MemTotal:" && f[2] == "kB" {
			kb, err := strconv.Atoi(f[1])
			if err != nil || kb <= 0 {
				return 0, fmt.Errorf("bad MemTotal line %q", sc.Text())
			}
			return kb / 1024, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no MemTotal line")
}

// planAccel turns the asked accelerator into the one the plan's
// estimates use, with a note saying why. Planning never boots a VM, so
// "auto" means TCG unless probe finds KVM usable.
func planAccel(asked spec.Accel, probe func() error) (accel spec.Accel, note string) {
	if asked == spec.AccelKVM || asked == spec.AccelTCG {
		return asked, "as asked"
	}
	if err := probe(); err != nil {
		return spec.AccelTCG, fmt.Sprintf("auto: KVM not usable (%v)", err)
	}
	return spec.AccelKVM, "auto: /dev/kvm is usable"
}
