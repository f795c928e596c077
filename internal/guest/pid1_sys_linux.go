package guest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
)

// syscaller is the seam between the init and the machine: the calls a
// unit test on the host must not make for real.
type syscaller interface {
	Mount(source, target, fstype string, flags uintptr, data string) error
	// PowerOff syncs filesystems and powers the machine off; it returns
	// only on failure.
	PowerOff() error
	// Uptime is the time since boot.
	Uptime() time.Duration
	// Reap kills every process but the init (kernel threads ignore the
	// signal) and reaps them, waiting at most reapWait for the last.
	Reap()
}

// reapWait bounds how long Reap waits for killed processes to exit.
const reapWait = 2 * time.Second

// realSys is the syscaller of a real PID 1.
type realSys struct{}

func (realSys) Mount(source, target, fstype string, flags uintptr, data string) error {
	return unix.Mount(source, target, fstype, flags, data)
}

func (realSys) PowerOff() error {
	unix.Sync()
	if err := unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF); err != nil {
		return fmt.Errorf("power off: %w", err)
	}
	return nil
}

func (realSys) Reap() {
	_ = unix.Kill(-1, unix.SIGKILL)
	deadline := time.Now().Add(reapWait)
	for time.Now().Before(deadline) {
		pid, err := unix.Wait4(-1, nil, unix.WNOHANG, nil)
		switch {
		case errors.Is(err, unix.ECHILD):
			return // no child left
		case err == nil && pid == 0:
			time.Sleep(5 * time.Millisecond) // children exiting; wait4 cannot block with a deadline
		}
	}
}

func (realSys) Uptime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// portWait bounds how long the init waits for the port's device node.
const portWait = 10 * time.Second

// errNoPort means the virtio-serial port never showed up.
var errNoPort = errors.New("no virtio-serial port " + vmchan.PortName)

// findPort returns the device path of the virtio-serial port named
// [vmchan.PortName], polling until deadline: the node appears when the
// virtio driver has probed the device, which may trail the init's start.
func (p *pid1) findPort(deadline time.Time) (string, error) {
	for {
		dev, err := p.lookupPort()
		if err == nil {
			if _, err = os.Stat(dev); err == nil {
				return dev, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("find port: %w (is QEMU started with -device virtserialport,name=%s?)", errNoPort, vmchan.PortName)
		}
		time.Sleep(10 * time.Millisecond) // polling a device node; no event to wait on
	}
}

func (p *pid1) lookupPort() (string, error) {
	names, _ := filepath.Glob(p.path("/sys/class/virtio-ports/*/name"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err == nil && strings.TrimSpace(string(b)) == vmchan.PortName {
			return p.path("/dev/" + filepath.Base(filepath.Dir(n))), nil
		}
	}
	return "", errNoPort
}

// openPort opens the channel to the host.
func (p *pid1) openPort() (io.ReadWriteCloser, error) {
	dev, err := p.findPort(time.Now().Add(portWait))
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open port: %w", err)
	}
	return f, nil
}
