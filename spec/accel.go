package spec

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet/internal/nearest"
)

// Accel is the accelerator a VM runs on, the one accelerator vocabulary of
// gauntlet: the CLI's --accel, the VM runner's configuration and result,
// the planner's host and results.json use it. Its text is the name QEMU
// and the command line use.
type Accel string

// Accelerators. [AccelAuto] is a choice, not an accelerator a VM runs on:
// KVM where it really works on this host, else TCG (the VM runner decides,
// see vm.DetectAccel).
const (
	AccelAuto Accel = "auto"
	AccelKVM  Accel = "kvm"
	AccelTCG  Accel = "tcg"
)

// ParseAccel reads an accelerator name as typed on a command line or
// stored in a file: auto, kvm or tcg; empty means auto. The error names s
// and the valid names.
func ParseAccel(s string) (Accel, error) {
	switch a := Accel(s); a {
	case "":
		return AccelAuto, nil
	case AccelAuto, AccelKVM, AccelTCG:
		return a, nil
	}
	return "", fmt.Errorf("accelerator %q%s is not one of %s, %s, %s", s,
		nearest.Hint(s, []string{string(AccelAuto), string(AccelKVM), string(AccelTCG)}), AccelAuto, AccelKVM, AccelTCG)
}

// String returns the accelerator's name.
func (a Accel) String() string { return string(a) }

// MaxMultiTCGVCPUsPerCore is the most vCPUs per host core a TCG guest
// runs with one host thread per vCPU (QEMU's multi-threaded TCG); a guest
// with more runs all its vCPUs on one host thread ([SingleThreadedTCG]).
//
// Measured on a 2-core host (Debian 6.12 cloud kernel, busybox init that
// powers off at once, seconds from starting QEMU to power-off):
//
//	vCPUs   multi-threaded   single-threaded
//	    2        3.4              4.7
//	    8        5.3              4.7
//	   14       10.1              5.7
//	   32       31.9              8.0
//
// With many more vCPU threads than host cores, multi-threaded TCG spends
// the boot with both cores busy (32 vCPUs: 58 CPU-seconds in 32 s) while
// the kernel brings secondary CPUs up one at a time; one thread does the
// same work 4 times faster. In the scenario both modes give such guests
// the same calibrated speed (13 vCPUs "ran like" 1.5 CPUs either way, 31
// like 2.1-3.9 against 2.7-2.8), so their checks are as (in)conclusive
// as before, and a single-threaded guest leaves the host's other cores
// to other VMs: the planner weighs it as one core.
const MaxMultiTCGVCPUsPerCore = 4

// SingleThreadedTCG reports whether a TCG guest with vcpus vCPUs on a host
// with hostCPUs cores runs single-threaded by default: more than
// [MaxMultiTCGVCPUsPerCore] vCPUs per core. The VM runner and the planner
// both ask it, so the plan weighs a VM as it will run.
func SingleThreadedTCG(vcpus, hostCPUs int) bool {
	return vcpus > MaxMultiTCGVCPUsPerCore*max(hostCPUs, 1)
}
