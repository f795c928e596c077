package vm

import "fmt"

// Accel is a QEMU accelerator choice.
type Accel string

// Accelerators. [AccelAuto] picks KVM when it really works on this host
// and TCG otherwise; see [DetectAccel].
const (
	AccelAuto Accel = "auto"
	AccelKVM  Accel = "kvm"
	AccelTCG  Accel = "tcg"
)

// ParseAccel reads an accelerator name as typed on a command line: kvm,
// tcg or auto; empty means auto.
func ParseAccel(s string) (Accel, error) {
	switch a := Accel(s); a {
	case "", AccelAuto:
		return AccelAuto, nil
	case AccelKVM, AccelTCG:
		return a, nil
	}
	return "", fmt.Errorf("accelerator %q: want kvm, tcg or auto", s)
}

// args returns the QEMU arguments selecting a (kvm or tcg, with one host
// thread per vCPU).
func (a Accel) args() []string { return a.argsThreads(false) }

// argsThreads is [Accel.args]; single asks TCG to run all vCPUs on one
// host thread, which is slower but free of multi-threaded TCG's races.
func (a Accel) argsThreads(single bool) []string {
	switch {
	case a == AccelKVM:
		return []string{"-accel", "kvm", "-cpu", "host"}
	case single:
		return []string{"-accel", "tcg,thread=single", "-cpu", "max"}
	}
	return []string{"-accel", "tcg,thread=multi", "-cpu", "max"}
}
