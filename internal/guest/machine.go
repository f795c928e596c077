package guest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// pinProcess pins every thread of this process to cpu; threads created
// later inherit it. Workers are cloned into their cgroups, which resets
// their CPUs to the cgroup's, so only the harness stays on cpu.
func pinProcess(cpu int) error {
	tids, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return fmt.Errorf("pin harness: %w", err)
	}
	for _, e := range tids {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if err := setAffinity(tid, topo.NewCPUSet(cpu)); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("pin harness to cpu%d: %w", cpu, err)
		}
	}
	return nil
}

// setupHarnessCgroup creates this test's cgroup below the cgroup2 root,
// limited to the usable CPUs, with the controllers scenarios need on for
// its children. When the usable CPUs leave one for the harness, the
// cgroup becomes a cpuset partition root: the kernel then balances load
// over the usable CPUs in their own scheduling domain, instead of counting
// the harness CPU, which the workers may not use, as spare capacity (that
// skews EEVDF's placement and looks like unfairness). The returned note
// says when the partition could not be made.
func setupHarnessCgroup(usable topo.CPUSet, partition bool) (dir, note string, err error) {
	if err := checkControllers(cgroupRoot); err != nil {
		return "", "", err
	}
	if err := enableControllers(cgroupRoot); err != nil {
		return "", "", err
	}
	dir = filepath.Join(cgroupRoot, fmt.Sprintf("gauntlet-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("create harness cgroup: %w", err)
	}
	if err := writeCpus(dir, usable); err != nil {
		unix.Rmdir(dir)
		return "", "", err
	}
	if err := enableControllers(dir); err != nil {
		unix.Rmdir(dir)
		return "", "", err
	}
	if partition {
		note = makePartition(dir)
	}
	return dir, note, nil
}

// makePartition turns dir into a cpuset partition root; it returns why
// not when the kernel refuses (the scenario still runs, isolated by the
// cpuset alone).
func makePartition(dir string) string {
	if err := writeCgroupFile(dir, "cpuset.cpus.partition", "root"); err != nil {
		return fmt.Sprintf("no cpuset partition for the usable CPUs: %v", err)
	}
	if got, _ := readCgroupFile(dir, "cpuset.cpus.partition"); got != "root" {
		return fmt.Sprintf("no cpuset partition for the usable CPUs: kernel says %q", got)
	}
	return ""
}

// removeHarnessCgroup removes the harness cgroup, failing when scenario
// cgroups are left inside it.
func removeHarnessCgroup(dir string) error {
	left, err := childDirs(dir)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("cgroups left behind in %s: %v", dir, left)
	}
	return removeCgroup(dir, cgroupRemoveTimeout)
}

// detectAccel returns the accelerator: declared by the variant, else
// "kvm" when the kvm-clock clocksource exists, "tcg" when the CPU still
// reports a hypervisor (QEMU's emulation), "" on bare metal.
func detectAccel(declared string) string {
	if declared != "" {
		return declared
	}
	cs, _ := os.ReadFile("/sys/devices/system/clocksource/clocksource0/available_clocksource")
	if bytes.Contains(cs, []byte("kvm-clock")) {
		return "kvm"
	}
	info, _ := os.ReadFile("/proc/cpuinfo")
	if bytes.Contains(info, []byte(" hypervisor")) {
		return "tcg"
	}
	return ""
}

// kernelRelease returns uname -r.
func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}
