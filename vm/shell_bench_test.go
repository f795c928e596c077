package vm

import (
	"slices"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// BenchmarkShellBoot boots a 2-vCPU shell VM that runs `true` and reports
// the medians of the time from starting QEMU to the init's "ready"
// (s-to-ready), the guest's uptime then (s-guest-uptime) and the whole
// run including power-off (s-total). Run:
//
//	go test ./vm -run '^$' -bench ShellBoot -benchtime 5x
func BenchmarkShellBoot(b *testing.B) {
	if _, err := LookQEMU(); err != nil {
		testutil.SkipIfNotSupported(b, err)
	}
	if CheckStaticBinary(DefaultBusybox) != nil {
		testutil.SkipNotPossible(b, "no static busybox at "+DefaultBusybox+": apt-get install busybox-static")
	}
	cfg := ShellConfig{Kernel: testKernel(b), Topology: topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}, Command: []string{"true"}}
	var ready, uptime, total []time.Duration
	for i := 0; i < b.N; i++ {
		res, err := cfg.Run(b.Context())
		if err != nil || res.ExitCode != 0 {
			b.Fatalf("run: exit %d, %v", res.ExitCode, err)
		}
		ready, uptime, total = append(ready, res.BootTime), append(uptime, res.GuestUptime), append(total, res.TotalTime)
	}
	b.Logf("to ready %v; guest uptime %v; total %v", ready, uptime, total)
	for _, m := range []struct {
		d    []time.Duration
		unit string
	}{{ready, "s-to-ready"}, {uptime, "s-guest-uptime"}, {total, "s-total"}} {
		b.ReportMetric(median(slices.Clone(m.d)).Seconds(), m.unit)
	}
}
