package vm

import (
	"slices"
	"strconv"
)

// ShellPortName is the virtio-serial port on which a shell VM's init
// reports to the host (see [ShellConfig]): "ready UPTIME" once its mounts
// are done, "exit STATUS" when the shell or command has ended.
const ShellPortName = "gauntlet.shell"

// shellKernelArgs quiet the kernel's boot messages on the terminal;
// warnings, oopses and panics still show.
var shellKernelArgs = []string{"quiet"}

// shellArgv returns the QEMU argv of a shell VM: the platform part of
// [machine.argv] (machine type, accelerator, CPUs, memory and NUMA
// nodes), the serial console on QEMU's stdio multiplexed with the QEMU
// monitor (Ctrl-A X quits, Ctrl-A C switches to the monitor; in this
// "mon:stdio" form QEMU passes Ctrl-C to the guest rather than exiting),
// the virtio-serial status port on the socket at statusFD, and the
// kernel.
func shellArgv(m machine, statusFD int) []string {
	a := platformArgs(m.argv())
	return append(a,
		"-serial", "mon:stdio",
		"-chardev", "socket,id=status,fd="+strconv.Itoa(statusFD),
		"-device", "virtio-serial-pci,id=vser0",
		"-device", "virtserialport,bus=vser0.0,chardev=status,name="+ShellPortName,
		"-kernel", m.kernel,
		"-initrd", m.initrd,
		"-append", m.cmdline())
}

// platformArgs cuts a [machine.argv] before its first device, the console
// chardev, keeping what describes the machine itself; reusing it keeps a
// shell VM's machine identical to a test VM's.
func platformArgs(argv []string) []string {
	if i := slices.Index(argv, "-chardev"); i >= 0 {
		argv = argv[:i]
	}
	return slices.Clip(argv)
}
