package guest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These run on plain files: the cgroup2 behaviour itself is exercised by
// the VM tests (package scenarios and testdata/example).

func TestWaitUnpopulated(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "cgroup.events")
	os.WriteFile(events, []byte("populated 0\nfrozen 0\n"), 0o644)
	if err := waitUnpopulated(dir, time.Second); err != nil {
		t.Errorf("empty cgroup: %v", err)
	}
	os.WriteFile(events, []byte("populated 1\nfrozen 0\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte("12\n34\n"), 0o644)
	err := waitUnpopulated(dir, 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "[12 34]") {
		t.Errorf("populated cgroup: %v; want a timeout naming the pids", err)
	}
}

func TestCgroupFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cgroup.controllers"), []byte("cpuset io memory\n"), 0o644)
	if err := checkControllers(dir); err == nil || !strings.Contains(err.Error(), "not cpu") {
		t.Errorf("missing cpu controller: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "cpuset.cpus.effective"), []byte("0-2,5\n"), 0o644)
	if s, err := effectiveCpus(dir); err != nil || s.String() != "0-2,5" {
		t.Errorf("effective %s, %v", s, err)
	}
	os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte("7\nx\n"), 0o644)
	if _, err := cgroupProcs(dir); err == nil {
		t.Error("bad pid accepted")
	}
	left, err := childDirs(dir)
	if err != nil || len(left) != 0 {
		t.Errorf("childDirs %v %v", left, err)
	}
}
