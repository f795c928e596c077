package guest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// A guest may run another test after one that passed only when it is as
// clean as after its boot (see [vmchan.Status.Reusable]). baseline is
// what the init saw before the first test; dirt compares the guest with
// it after each.
type baseline struct {
	taint  string // /proc/sys/kernel/tainted
	online string // /sys/devices/system/cpu/online
	// klog is the kernel log's descriptor, opened non-blocking at its
	// end before the first test (-1 when it could not be opened: then no
	// guest is clean, for want of evidence). It is read with unix.Read:
	// an *os.File would park a read on the poller instead of failing
	// with EAGAIN.
	klog   int
	klogEr error
}

// schedExtSettle bounds the wait for sched_ext to reach "disabled" after
// a test: the kernel disables a scheduler from a work item, so the state
// may read "disabling" for a moment after the loader exited.
const schedExtSettle = time.Second

// snapshot records the baseline.
func (p *pid1) snapshot() baseline {
	b := baseline{taint: p.readTrim("/proc/sys/kernel/tainted"), online: p.readTrim("/sys/devices/system/cpu/online")}
	fd, err := unix.Open(p.path("/dev/kmsg"), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err == nil {
		if _, err = unix.Seek(fd, 0, io.SeekEnd); err != nil {
			unix.Close(fd)
			fd = -1
		}
	} else {
		fd = -1
	}
	b.klog, b.klogEr = fd, err
	return b
}

func (p *pid1) readTrim(path string) string {
	b, err := os.ReadFile(p.path(path))
	if err != nil {
		return "unreadable: " + err.Error()
	}
	return strings.TrimSpace(string(b))
}

// dirt returns what keeps the guest from running another test, or ""
// when it is as clean as b: no sched_ext scheduler loaded, no process
// but the init and kernel threads, no cgroup below the root, taint and
// online CPUs as at boot, no kernel error or warning logged since. The
// caller has killed and reaped every other process.
func (p *pid1) dirt(b *baseline) string {
	if s := p.schedExtState(); s != "" && s != "disabled" {
		return "sched_ext is " + s + ", not disabled"
	}
	if procs := p.userProcesses(); len(procs) > 0 {
		return "processes left: " + strings.Join(procs, ", ")
	}
	if cg := p.cgroupsLeft(); len(cg) > 0 {
		return "cgroups left: " + strings.Join(cg, ", ")
	}
	if t := p.readTrim("/proc/sys/kernel/tainted"); t != b.taint {
		return fmt.Sprintf("kernel taint %s, %s at boot", t, b.taint)
	}
	if o := p.readTrim("/sys/devices/system/cpu/online"); o != b.online {
		return fmt.Sprintf("online CPUs %s, %s at boot", o, b.online)
	}
	if b.klog < 0 {
		return fmt.Sprintf("kernel log unreadable (%v)", b.klogEr)
	}
	if msg, err := kernelComplaint(b.klog); err != nil {
		return fmt.Sprintf("kernel log unreadable (%v)", err)
	} else if msg != "" {
		return "kernel logged: " + msg
	}
	return ""
}

// schedExtState reads sched_ext's state, waiting up to schedExtSettle
// for a scheduler being disabled; "" when the kernel has no sched_ext.
func (p *pid1) schedExtState() string {
	deadline := time.Now().Add(schedExtSettle)
	for {
		b, err := os.ReadFile(p.path("/sys/kernel/sched_ext/state"))
		if err != nil {
			return ""
		}
		s := strings.TrimSpace(string(b))
		if s != "disabling" || time.Now().After(deadline) {
			return s
		}
		time.Sleep(10 * time.Millisecond) // the kernel's work item has no event to wait on
	}
}

// pfKthread is the kernel's PF_KTHREAD task flag (field 9 of
// /proc/PID/stat).
const pfKthread = 0x00200000

// userProcesses lists "PID (comm)" of every process but the init and
// kernel threads.
func (p *pid1) userProcesses() []string {
	ents, err := os.ReadDir(p.path("/proc"))
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var out []string
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == 1 || pid == self {
			continue
		}
		stat, err := os.ReadFile(p.path("/proc/" + e.Name() + "/stat"))
		if err != nil {
			continue // gone since the listing
		}
		comm, flags, ok := parseStat(stat)
		if !ok || flags&pfKthread != 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%d (%s)", pid, comm))
	}
	return out
}

// parseStat returns the command name and task flags of a /proc/PID/stat
// line: "PID (COMM) STATE PPID PGRP SESSION TTY TPGID FLAGS ...", where
// COMM may hold spaces and parentheses.
func parseStat(b []byte) (comm string, flags uint64, ok bool) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return "", 0, false
	}
	f := strings.Fields(string(b[end+1:]))
	if len(f) < 7 {
		return "", 0, false
	}
	flags, err := strconv.ParseUint(f[6], 10, 64)
	return string(b[open+1 : end]), flags, err == nil
}

// cgroupsLeft lists the cgroups below the root of the cgroup2 tree.
func (p *pid1) cgroupsLeft() []string {
	ents, err := os.ReadDir(p.path("/sys/fs/cgroup"))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// kernelComplaint reads the kernel log records written since the last
// call and returns the first at level err or worse, or that reports a
// WARNING or BUG; "" when there is none. fd is /dev/kmsg opened
// non-blocking (one record per read), or in tests a file of records.
func kernelComplaint(fd int) (string, error) {
	buf := make([]byte, 64<<10)
	found := ""
	for {
		n, err := unix.Read(fd, buf)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return found, nil
		case errors.Is(err, unix.EPIPE):
			continue // records were overwritten before they were read
		case err != nil:
			return found, fmt.Errorf("read kernel log: %w", err)
		case n == 0:
			return found, nil
		}
		for _, line := range bytes.Split(buf[:n], []byte("\n")) {
			r, ok := parseKmsgRecord(line)
			if !ok || found != "" {
				continue
			}
			if r.Level <= 3 || strings.Contains(r.Msg, "WARNING:") || strings.Contains(r.Msg, "BUG:") {
				found = firstLine(r.Msg)
			}
		}
	}
}
