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

// MaxMultiTCGVCPUsPerCore and MaxSingleTCGVCPUsPerCore bound the band
// of vCPUs per host core in which a TCG guest runs all its vCPUs on one
// host thread ([SingleThreadedTCG]); outside it QEMU's multi-threaded TCG
// runs one host thread per vCPU.
//
// Measured on a 2-core host (vm's BenchmarkBootVCPUs, medians of 3:
// seconds from starting QEMU to the test binary's main in the guest; the
// guest's calibration of TestSteady, how many CPUs its vCPUs "ran like";
// and the example's test times, boot excluded):
//
//	vCPUs  boot, Debian 6.12    boot, gauntlet's      ran like             test time
//	       cloud kernel         sched_ext kernel
//	       multi   single       multi   single        multi     single     multi     single
//	    2    2.7     2.9          2.2     2.0         1.8       1.2        2.8-3.2   -
//	    4      -       -            -       -         1.7       1.0-1.1    3.0-4.0   -
//	    8    5.5     4.2          5.6     2.5         1.5-1.8   1.9-2.1    3.2-3.8   3.3-5.2
//	   14   10.8     6.0         12.9     3.3         1.5-2.4   1.5        4.3       3.5-7.3
//	   32   32.4     7.7         92.3     5.7         2.7-2.8   2.1-3.9    4.1-7.4   4.2-92.6
//
// With many more vCPU threads than host cores, multi-threaded TCG spends
// the boot with every core busy (32 vCPUs: 58 CPU-seconds in 32 s) while
// the kernel brings secondary CPUs up one at a time; one thread does the
// same work 1.3 to 16 times faster. From 8 vCPUs on 2 cores the guest
// also calibrates as fast single-threaded, and it leaves the host's other
// cores to other VMs: the planner weighs it as one core. At 4 vCPUs on 2
// cores multi-threaded TCG runs the scenario faster, hence the lower
// bound. The upper bound: single-threaded TCG runs each busy vCPU in turn
// for up to 100 ms, so whatever needs all CPUs (a Go runtime's stop of
// the world, a barrier) waits a round of every busy vCPU; at 32 vCPUs,
// TestSteady's 62 spinning workers took 27-93 s instead of 7 s.
const (
	MaxMultiTCGVCPUsPerCore  = 2
	MaxSingleTCGVCPUsPerCore = 8
)

// SingleThreadedTCG reports whether a TCG guest with vcpus vCPUs on a host
// with hostCPUs cores runs single-threaded by default: more than
// [MaxMultiTCGVCPUsPerCore] and at most [MaxSingleTCGVCPUsPerCore] vCPUs
// per core. The VM runner and the planner both ask it, so the plan weighs
// a VM as it will run.
func SingleThreadedTCG(vcpus, hostCPUs int) bool {
	h := max(hostCPUs, 1)
	return vcpus > MaxMultiTCGVCPUsPerCore*h && vcpus <= MaxSingleTCGVCPUsPerCore*h
}
