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
