package vm

import "github.com/gauntlet-sched/gauntlet/spec"

// accelArgs returns the QEMU arguments selecting a (kvm or tcg); single
// asks TCG to run all vCPUs on one host thread, which is slower but free of
// multi-threaded TCG's races.
func accelArgs(a spec.Accel, single bool) []string {
	switch {
	case a == spec.AccelKVM:
		return []string{"-accel", "kvm", "-cpu", "host"}
	case single:
		return []string{"-accel", "tcg,thread=single", "-cpu", "max"}
	}
	return []string{"-accel", "tcg,thread=multi", "-cpu", "max"}
}
