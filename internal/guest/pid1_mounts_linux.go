package guest

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// fsMount is one filesystem the init mounts.
type fsMount struct {
	source, target, fstype string
	flags                  uintptr
	data                   string
}

// earlyMounts are needed to find and open the channel to the host; any
// failure stops the init.
var earlyMounts = []fsMount{
	{"proc", "/proc", "proc", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"sysfs", "/sys", "sysfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"devtmpfs", "/dev", "devtmpfs", unix.MS_NOSUID, "mode=0755"},
}

// lateMounts are what tests and schedulers use; a failure (say, a kernel
// without tracefs) becomes a warning in the run's [vmchan.Status].
var lateMounts = []fsMount{
	{"tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=1777"},
	{"tmpfs", "/run", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=0755"},
	{"tmpfs", "/dev/shm", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=1777"},
	{"cgroup2", "/sys/fs/cgroup", "cgroup2", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"bpf", "/sys/fs/bpf", "bpf", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, "mode=0700"},
	{"debugfs", "/sys/kernel/debug", "debugfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"tracefs", "/sys/kernel/tracing", "tracefs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
}

// cgroupControllers are enabled for the children of the root cgroup.
const cgroupControllers = "+cpuset +cpu"

// mountAll mounts ms below the init's root, creating mount points first.
// It returns one error per mount that failed.
func (p *pid1) mountAll(ms []fsMount) []error {
	var errs []error
	for _, m := range ms {
		target := p.path(m.target)
		if err := os.MkdirAll(target, 0o755); err != nil {
			errs = append(errs, fmt.Errorf("mount %s on %s: %w", m.fstype, m.target, err))
			continue
		}
		if err := p.sys.Mount(m.source, target, m.fstype, m.flags, m.data); err != nil {
			errs = append(errs, fmt.Errorf("mount %s on %s: %w", m.fstype, m.target, err))
		}
	}
	return errs
}

// enableControllers turns on the cpuset and cpu controllers for the root
// cgroup's children, so tests can create cgroups that use them.
func (p *pid1) enableControllers() error {
	f := p.path("/sys/fs/cgroup/cgroup.subtree_control")
	if err := os.WriteFile(f, []byte(cgroupControllers), 0o644); err != nil {
		return fmt.Errorf("enable cgroup controllers %q: %w", cgroupControllers, err)
	}
	return nil
}

// path returns the host path of guest path g under the init's root.
func (p *pid1) path(g string) string {
	if p.root == "" {
		return g
	}
	return filepath.Join(p.root, g)
}
