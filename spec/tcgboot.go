package spec

import (
	"math"
	"time"
)

// TCGBootTableHostCPUs is the core count of the host the TCG boot tables
// of [TCGBootTime] were measured on.
const TCGBootTableHostCPUs = 2

// tcgBootMulti and tcgBootSingle are measured TCG boot times: from
// vm.Config.Start to the guest init's first message (what the runner
// records as a variant's boot), q35, Debian's 6.12 cloud kernel booted by
// its PVH entry with lpj= (docs/boot.md), the vm package's test binary as
// init, 64 MiB per vCPU and at least 512 MiB, on an idle 2-core host
// (vm's BenchmarkBootTable, medians of 3): vCPUs -> seconds of wall
// time, multi-threaded alone (such a guest holds every core) and
// single-threaded two at once, as the planner packs them. Two points are
// not medians of the benchmark:
//   - 32 vCPUs multi-threaded varies sevenfold (5.2-35 s in 16 boots:
//     the benchmark's median 7.9 s, an example run's 12 s); the table
//     takes 15 s, so a budget does not count on the lucky boots.
//   - 64 vCPUs multi-threaded is the measurement before the PVH boot and
//     lpj= (105 s, to power-off), an upper bound not measured again.
var (
	tcgBootMulti  = []struct{ vcpus, secs float64 }{{1, 3.2}, {4, 3.2}, {8, 3.6}, {16, 5.1}, {32, 15}, {64, 105}}
	tcgBootSingle = []struct{ vcpus, secs float64 }{{8, 4.1}, {16, 5.5}, {32, 7.7}, {64, 17.7}}
)

// TCGBootTime is the expected wall time from starting QEMU to the guest's
// init, for a guest of vcpus vCPUs
// under multi-threaded TCG on a [TCGBootTableHostCPUs]-core host, or
// under single-threaded TCG when single is set (which uses one core on
// any host). It interpolates the measured tables piecewise linearly and
// extrapolates along their last segment; below a table's first point it
// is that point's:
//
//	vCPUs            1    4    8    16    32    64
//	multi-threaded  3.2  3.2  3.6  5.1  15.0  105 s
//	single-threaded  -    -   4.1  5.5   7.7  17.7 s
func TCGBootTime(vcpus float64, single bool) time.Duration {
	t := tcgBootMulti
	if single {
		t = tcgBootSingle
	}
	s := t[0].secs
	if vcpus > t[0].vcpus {
		i := 1
		for i < len(t)-1 && vcpus > t[i].vcpus {
			i++
		}
		a, b := t[i-1], t[i]
		s = a.secs + (vcpus-a.vcpus)*(b.secs-a.secs)/(b.vcpus-a.vcpus)
	}
	return time.Duration(math.Round(s*1000)) * time.Millisecond
}
