package spec

import (
	"math"
	"time"
)

// TCGBootTableHostCPUs is the core count of the host the TCG boot tables
// of [TCGBootTime] were measured on.
const TCGBootTableHostCPUs = 2

// tcgBootMulti and tcgBootSingle are measured TCG boot times (q35, Debian
// 6.12 cloud kernel, a busybox init that powers off at once, 64 MiB per
// vCPU and at least 512 MiB, on a 2-core host): vCPUs -> seconds of wall
// time, multi- and single-threaded. The single-threaded times are those
// measured with a second such VM booting beside it, as the planner packs
// them (alone: 8 vCPUs 4.2 s, 16 4.5 s, 32 7.7 s, 64 16.6 s; beside
// another: 12-14 vCPUs 6.1-7.8 s).
var (
	tcgBootMulti  = []struct{ vcpus, secs float64 }{{1, 5.3}, {4, 5.6}, {8, 8.2}, {16, 15.4}, {32, 32.6}, {64, 105}}
	tcgBootSingle = []struct{ vcpus, secs float64 }{{1, 4.7}, {8, 4.8}, {16, 7.0}, {32, 10.0}, {64, 20.0}}
)

// TCGBootTime is the expected wall time from starting QEMU to the guest's
// power-off with an init that does nothing, for a guest of vcpus vCPUs
// under multi-threaded TCG on a [TCGBootTableHostCPUs]-core host, or
// under single-threaded TCG when single is set (which uses one core on
// any host). It interpolates the measured tables piecewise linearly and
// extrapolates along their last segment:
//
//	vCPUs            1    4    8    16    32     64
//	multi-threaded  5.3  5.6  8.2  15.4  32.6  105 s
//	single-threaded 4.7   -   4.8   7.0  10.0  20.0 s
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
