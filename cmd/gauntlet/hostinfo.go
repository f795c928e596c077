package main

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
	"github.com/gauntlet-sched/gauntlet/vm"
)

// hostInfo is what this machine offers to VMs, gathered once at the CLI
// edge and passed to the planner as data.
type hostInfo struct {
	CPUs      int // usable CPUs (the scheduler affinity mask)
	MemoryMiB int // MemTotal
}

// gatherHost reads the host's CPU count and memory.
func gatherHost() (hostInfo, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return hostInfo{}, fmt.Errorf("host memory: %w", err)
	}
	defer f.Close()
	mem, err := parseMemTotal(f)
	if err != nil {
		return hostInfo{}, fmt.Errorf("host memory: /proc/meminfo: %w", err)
	}
	return hostInfo{CPUs: runtime.NumCPU(), MemoryMiB: mem}, nil
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

// planAccel turns --accel into the accelerator the plan's estimates use,
// with a note saying why. Planning never boots a VM, so "auto" means TCG
// unless KVM is known usable, which here means /dev/kvm opens read-write
// and the host's KVM is not kvm_pvm (which cannot boot stock kernels):
// [vm.KVMUsable]. `gauntlet run` learns the real verdict from the VM runner.
func planAccel(flag spec.Accel, probe kvmProbe) (accel spec.Accel, note string) {
	if flag == spec.AccelKVM || flag == spec.AccelTCG {
		return flag, "as asked"
	}
	if err := probe(); err != nil {
		return spec.AccelTCG, fmt.Sprintf("auto: KVM not usable (%v)", err)
	}
	return spec.AccelKVM, "auto: /dev/kvm is usable"
}

// kvmProbe reports why KVM cannot be used; nil when it looks usable.
type kvmProbe func() error

// probeKVM is the host's [kvmProbe]: [vm.KVMUsable].
func probeKVM() error { return vm.KVMUsable() }
