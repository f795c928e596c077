package vm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// machine holds everything the QEMU command line is built from.
type machine struct {
	qemu       string // binary
	name       string // -name, unique per VM so leftovers can be found
	topology   topo.Topology
	memoryMiB  int
	accel      spec.Accel // kvm or tcg
	tcgSingle  bool       // TCG with all vCPUs on one host thread
	kernel     string     // -kernel: a bzImage, or a vmlinux booted by PVH
	initrd     string
	consoleLog string   // file the serial console is written to
	channelFD  int      // QEMU's fd number of the channel socket
	kernelArgs []string // appended to the base kernel command line
	lpj        uint64   // lpj= under TCG, 0 for none (see lpjFor)
}

// baseKernelArgs go on every kernel command line: the console on the first
// serial port; panic and oops both reboot at once, which -no-reboot turns
// into QEMU exiting, so a kernel panic ends the VM instead of hanging it.
var baseKernelArgs = []string{"console=ttyS0", "panic=-1", "oops=panic", "rdinit=" + spec.InitPath}

// argv returns QEMU's full argument vector, program name first.
func (m machine) argv() []string {
	a := []string{m.qemu, "-name", m.name}
	if x := x2apicArgs(m.topology, m.accel); x != nil {
		a = append(a, x...)
	} else {
		a = append(a, "-M", "q35")
	}
	a = append(a, "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot")
	a = append(a, accelArgs(m.accel, m.tcgSingle)...)
	a = append(a, smpArgs(m.topology)...)
	a = append(a, memoryArgs(m.topology, m.memoryMiB)...)
	a = append(a,
		"-chardev", "file,id=console,path="+escapeOpt(m.consoleLog),
		"-serial", "chardev:console",
		"-chardev", "socket,id=channel,fd="+strconv.Itoa(m.channelFD),
		"-device", "virtio-serial-pci,id=vser0",
		"-device", "virtserialport,bus=vser0.0,chardev=channel,name="+vmchan.PortName,
		"-kernel", m.kernel,
		"-initrd", m.initrd,
		"-append", m.cmdline())
	return a
}

// tcgKernelArgs go on the kernel command line under TCG: QEMU's TSC is
// consistent across vCPUs, but the guest's sync check at CPU bring-up
// often declares it unstable, which moves timekeeping to the HPET (a
// trap per clock read) and flips static keys at run time; see
// emulatorRace. no_timer_check skips the boot-time check that the IO-APIC
// timer ticks within a few loops: on a busy host an emulated vCPU may not
// see the tick in time, and the kernel then panics with "IO-APIC + timer
// doesn't work!" (seen on this project's 2-core hosts with several VMs
// booting at once).
var tcgKernelArgs = []string{"tsc=reliable", "no_timer_check"}

// cmdline is the kernel command line: the base arguments, the
// accelerator's, the topology's, then the caller's. Under TCG, m.lpj
// goes after the accelerator's arguments as lpj= unless the caller sets
// lpj= itself: the guest sees no invariant TSC there, so without it every
// CPU it brings up calibrates its delay loop (about 1 s of a 14-vCPU
// boot; docs/boot.md).
func (m machine) cmdline() string {
	args := append([]string(nil), baseKernelArgs...)
	if m.accel != spec.AccelKVM {
		args = append(args, tcgKernelArgs...)
		if m.lpj > 0 && !hasKernelArg(m.kernelArgs, "lpj") {
			args = append(args, "lpj="+strconv.FormatUint(m.lpj, 10))
		}
	}
	args = append(args, topologyKernelArgs(m.topology)...)
	return strings.Join(append(args, m.kernelArgs...), " ")
}

// topologyKernelArgs boot only the online CPUs of a topology with offline
// ones. QEMU starts all possible CPUs present (see smpArgs) and the
// kernel's maxcpus= leaves the rest present but offline, ready for
// /sys/devices/system/cpu/cpuN/online. QEMU's own -smp maxcpus= would
// leave them absent for hot-add, but Linux 6.12 ignores the MADT's
// disabled CPUs unless it detects a hypervisor, which it does not under
// TCG, so they would not even be possible.
func topologyKernelArgs(t topo.Topology) []string {
	if t.Offline() == 0 {
		return nil
	}
	return []string{"maxcpus=" + strconv.Itoa(t.CPUs())}
}

// smpArgs gives one socket per LLC: QEMU reports an L3 cache per socket,
// which is how the guest sees separate LLCs (dies do not split the L3).
// Offline CPUs are extra sockets after those of the online ones.
func smpArgs(t topo.Topology) []string {
	return []string{"-smp", fmt.Sprintf("%d,sockets=%d,cores=%d,threads=%d",
		t.Possible(), t.PossibleLLCs(), t.CoresPerLLC, t.ThreadsPerCore)}
}

// memoryArgs sizes guest memory and, with several NUMA nodes, splits it
// evenly into one RAM backend per node, memory-only nodes included; each
// node with CPUs gets those of [topo.Topology.NodeCPUs]. Explicit
// distances become -numa dist options, one per pair (QEMU mirrors each).
func memoryArgs(t topo.Topology, mib int) []string {
	nodes := t.Nodes()
	if nodes <= 1 {
		return []string{"-m", strconv.Itoa(mib)}
	}
	per := mib / nodes
	a := []string{"-m", strconv.Itoa(per * nodes)}
	for n := 0; n < nodes; n++ {
		node := fmt.Sprintf("node,nodeid=%d,memdev=mem%d", n, n)
		if cpus := t.NodeCPUs(n); len(cpus) > 0 {
			node += ",cpus=" + strings.ReplaceAll(topo.FormatCPUList(cpus), ",", ",cpus=")
		}
		a = append(a, "-object", fmt.Sprintf("memory-backend-ram,id=mem%d,size=%dM", n, per), "-numa", node)
	}
	return append(a, distanceArgs(t)...)
}

// distanceArgs returns a -numa dist option for each pair of nodes when t
// has explicit distances.
func distanceArgs(t topo.Topology) []string {
	if !t.HasDistances() {
		return nil
	}
	var a []string
	for i := 0; i < t.Nodes(); i++ {
		for j := i + 1; j < t.Nodes(); j++ {
			a = append(a, "-numa", fmt.Sprintf("dist,src=%d,dst=%d,val=%d", i, j, t.Distance(i, j)))
		}
	}
	return a
}

// escapeOpt doubles commas, QEMU's escape inside option values.
func escapeOpt(s string) string { return strings.ReplaceAll(s, ",", ",,") }

// QuoteArgs renders argv as one shell-quoted line, for logs and failure
// messages.
func QuoteArgs(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=,:+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
