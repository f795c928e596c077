package budget

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Capacity is what concurrently running VMs share. A set of VMs may run
// at the same time only when the sums of their [Weight]s stay within CPUs
// and MemoryMiB and there are at most Jobs of them.
//
// Why host cores and not vCPUs: a VM whose vCPUs are busy keeps up to
// min(vCPUs, host CPUs) host cores busy, under TCG as under KVM. Two VMs
// that together want more cores than the host has do not run as fast side
// by side as alone; each slows down in proportion. Packing them one after
// the other predicts the same makespan without pretending otherwise. On a
// 2-core host this means every VM with 2 or more vCPUs runs alone, and two
// 1-vCPU VMs may share the host. The exception is a TCG guest so large for
// the host that it runs single-threaded ([spec.SingleThreadedTCG]): one
// host thread keeps one core busy, so two such VMs share a 2-core host.
type Capacity struct {
	// CPUs is the number of host cores the VMs share.
	CPUs int
	// MemoryMiB is the memory the VMs share; zero means no limit.
	MemoryMiB int
	// Jobs is the most VMs that run at once.
	Jobs int
	// Accel is the accelerator the VMs run on; empty means TCG.
	Accel spec.Accel
}

// NewCapacity returns the capacity of host h with at most jobs VMs at
// once (zero means one per host CPU). Memory is topo.HostMemoryShare
// percent of the host's memory, the same share the topo capacity filter
// allows one guest; no limit when h.MemoryMiB is zero.
func NewCapacity(h Host, jobs int) Capacity {
	if jobs <= 0 {
		jobs = h.CPUs
	}
	c := Capacity{CPUs: max(h.CPUs, 1), Jobs: max(jobs, 1), Accel: h.accel()}
	if h.MemoryMiB > 0 {
		c.MemoryMiB = max(h.MemoryMiB*topo.HostMemoryShare/100, 1)
	}
	return c
}

// Weight is what one running VM holds of a [Capacity].
type Weight struct {
	// CPUs is the number of host cores the VM keeps busy.
	CPUs int
	// MemoryMiB is the VM's guest memory.
	MemoryMiB int
}

// Weigh returns the weight of a VM with topology t and memMiB of guest
// memory: min(vCPUs, c.CPUs) cores and its memory. A VM with more vCPUs
// than the host has cores still holds every core, no more; a TCG guest
// that runs single-threaded holds one.
func (c Capacity) Weigh(t topo.Topology, memMiB int) Weight {
	if c.Accel != spec.AccelKVM && spec.SingleThreadedTCG(t.CPUs(), c.CPUs) {
		return Weight{CPUs: 1, MemoryMiB: memMiB}
	}
	return Weight{CPUs: max(1, min(t.CPUs(), c.CPUs)), MemoryMiB: memMiB}
}

// fitsAlone reports whether a VM of weight w can run on an idle host, and
// if not, why.
func (c Capacity) fitsAlone(w Weight) error {
	if c.MemoryMiB > 0 && w.MemoryMiB > c.MemoryMiB {
		return fmt.Errorf("capacity: needs %d MiB of guest memory, more than the %d MiB the host gives VMs (%d%% of its memory)",
			w.MemoryMiB, c.MemoryMiB, topo.HostMemoryShare)
	}
	return nil
}

// usage is what the running VMs hold at some moment.
type usage struct {
	cpus, mem, jobs int
}

// fits reports whether adding w to u stays within c.
func (c Capacity) fits(u usage, w Weight) bool {
	if u.jobs+1 > c.Jobs || u.cpus+w.CPUs > c.CPUs {
		return false
	}
	return c.MemoryMiB == 0 || u.mem+w.MemoryMiB <= c.MemoryMiB
}

func (u usage) add(w Weight) usage { return usage{u.cpus + w.CPUs, u.mem + w.MemoryMiB, u.jobs + 1} }
func (u usage) sub(w Weight) usage { return usage{u.cpus - w.CPUs, u.mem - w.MemoryMiB, u.jobs - 1} }

// share returns the largest fraction of c that w holds: its cores, its
// memory or one job slot. Seconds x share is the part of the host's time
// a VM uses up, the cost the selection divides value by.
func (c Capacity) share(w Weight) float64 {
	s := max(float64(w.CPUs)/float64(c.CPUs), 1/float64(c.Jobs))
	if c.MemoryMiB > 0 {
		s = max(s, float64(w.MemoryMiB)/float64(c.MemoryMiB))
	}
	return s
}
