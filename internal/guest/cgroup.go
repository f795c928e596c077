package guest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// cgroupRoot is where the guest init mounts cgroup2.
const cgroupRoot = "/sys/fs/cgroup"

// controllers are what scenario cgroups need from their parents.
var controllers = []string{"cpuset", "cpu"}

// writeCgroupFile writes value to the control file name in dir.
func writeCgroupFile(dir, name, value string) error {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(value), 0); err != nil {
		return fmt.Errorf("write %q to %s: %w", value, path, err)
	}
	return nil
}

// readCgroupFile returns the trimmed content of the control file name.
func readCgroupFile(dir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", fmt.Errorf("read cgroup file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// checkControllers returns an error naming the controllers dir does not
// offer to its children.
func checkControllers(dir string) error {
	have, err := readCgroupFile(dir, "cgroup.controllers")
	if err != nil {
		return fmt.Errorf("cgroup2 is not mounted at %s: %w", cgroupRoot, err)
	}
	avail := strings.Fields(have)
	for _, c := range controllers {
		if !contains(avail, c) {
			return fmt.Errorf("cgroup %s offers controllers %q, not %s: boot a kernel with CONFIG_CPUSETS and CONFIG_CGROUP_SCHED", dir, have, c)
		}
	}
	return nil
}

// enableControllers turns the scenario controllers on for dir's children.
func enableControllers(dir string) error {
	var b strings.Builder
	for _, c := range controllers {
		b.WriteString(" +" + c)
	}
	return writeCgroupFile(dir, "cgroup.subtree_control", strings.TrimSpace(b.String()))
}

// writeCpus sets dir's cpuset.cpus; the empty set clears it (the cgroup
// then uses its parent's CPUs).
func writeCpus(dir string, s topo.CPUSet) error {
	return writeCgroupFile(dir, "cpuset.cpus", s.String())
}

// effectiveCpus reads dir's cpuset.cpus.effective.
func effectiveCpus(dir string) (topo.CPUSet, error) {
	v, err := readCgroupFile(dir, "cpuset.cpus.effective")
	if err != nil {
		return topo.CPUSet{}, err
	}
	return topo.ParseCPUSet(v)
}

// cgroupProcs lists the processes in dir (not its children).
func cgroupProcs(dir string) ([]int, error) {
	v, err := readCgroupFile(dir, "cgroup.procs")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(v) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("cgroup.procs of %s: %q is not a pid", dir, f)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// moveProcess moves process pid (all its threads) into dir.
func moveProcess(dir string, pid int) error {
	return writeCgroupFile(dir, "cgroup.procs", strconv.Itoa(pid))
}

// openCgroupFD opens dir for clone3's CLONE_INTO_CGROUP.
func openCgroupFD(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open cgroup %s: %w", dir, err)
	}
	return fd, nil
}

// removeCgroup waits until dir holds no process (exited workers leave
// their cgroup asynchronously) and removes it.
func removeCgroup(dir string, timeout time.Duration) error {
	if err := waitUnpopulated(dir, timeout); err != nil {
		return err
	}
	if err := unix.Rmdir(dir); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove cgroup %s: %w", dir, err)
	}
	return nil
}

// waitUnpopulated waits for "populated 0" in dir's cgroup.events, using
// poll(2): the kernel signals POLLPRI when the file changes.
func waitUnpopulated(dir string, timeout time.Duration) error {
	path := filepath.Join(dir, "cgroup.events")
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("watch cgroup: %w", err)
	}
	defer f.Close()
	deadline := time.Now().Add(timeout)
	for {
		buf := make([]byte, 256)
		n, err := f.ReadAt(buf, 0)
		if n == 0 && err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if bytes.Contains(buf[:n], []byte("populated 0")) {
			return nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			pids, _ := cgroupProcs(dir)
			return fmt.Errorf("cgroup %s still holds processes %v after %v", dir, pids, timeout)
		}
		fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLPRI}}
		if _, err := unix.Poll(fds, int(min(left, time.Second)/time.Millisecond)+1); err != nil && err != unix.EINTR {
			return fmt.Errorf("poll %s: %w", path, err)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
