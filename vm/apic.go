package vm

import (
	"fmt"
	"math/bits"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// maxXAPICID is the largest APIC ID a CPU can have without x2APIC (255 is
// the broadcast ID).
const maxXAPICID = 254

// MaxAPICID returns the highest APIC ID QEMU gives a vCPU of topology t,
// counting its offline CPUs ([topo.Topology.Possible]), which QEMU creates
// too: QEMU packs thread, core and socket numbers into bit fields each
// rounded up to a power of two, so 9 cores per socket take 4 bits and
// sparse IDs can exceed the vCPU count by far.
func MaxAPICID(t topo.Topology) int {
	tb := fieldBits(t.ThreadsPerCore)
	cb := fieldBits(t.CoresPerLLC)
	return (t.PossibleLLCs()-1)<<(cb+tb) | (t.CoresPerLLC-1)<<tb | (t.ThreadsPerCore - 1)
}

func fieldBits(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

// CheckTopology reports whether QEMU can boot topology t with accelerator
// a. Under TCG, QEMU 7.2 has no x2APIC, so every APIC ID, those of
// offline CPUs included, must stay below 255; the presets max-cpu
// (1n14l9c2t) and max-cpu-nosmt (1n14l18c1t) break that, and so does
// 1n2l4c2t-possible256. The error wraps [spec.ErrNotSupported].
func CheckTopology(t topo.Topology, a spec.Accel) error {
	if a == spec.AccelKVM {
		return nil
	}
	if id := MaxAPICID(t); id > maxXAPICID {
		return fmt.Errorf("topology %s needs APIC IDs up to %d, but QEMU's TCG supports only xAPIC IDs up to %d: %w",
			t, id, maxXAPICID, spec.ErrNotSupported)
	}
	return nil
}

// x2apicArgs are the extra QEMU arguments a KVM guest needs for APIC IDs
// above 254: interrupt remapping with extended interrupt mode.
func x2apicArgs(t topo.Topology, a spec.Accel) []string {
	if a != spec.AccelKVM || MaxAPICID(t) <= maxXAPICID {
		return nil
	}
	return []string{"-M", "q35,kernel-irqchip=split", "-device", "intel-iommu,intremap=on,eim=on"}
}
