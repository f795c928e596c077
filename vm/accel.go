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

// args returns the QEMU arguments selecting a (kvm or tcg).
func (a Accel) args() []string {
	if a == AccelKVM {
		return []string{"-accel", "kvm", "-cpu", "host"}
	}
	return []string{"-accel", "tcg,thread=multi", "-cpu", "max"}
}
