package budget

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// candidates100k returns 100,000 generated candidates for host scenario h:
// as many tests as it takes, each with its base variant and presets x 4
// profiles.
func candidates100k(h hostScenario) []Candidate {
	const n = 100_000
	presets := h.presets()
	tests := (n + 4*len(presets)) / (1 + 4*len(presets))
	return genSet{seed: 7, tests: tests, packages: 25, presets: presets}.generate()[:n]
}

// cpuTime returns the CPU time this process has used (user + system, all
// threads, the garbage collector's included): unlike ns/op it does not
// grow when other work on a shared machine takes the cores.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSelect100k plans 100,000 candidates: on this host (2 cores,
// TCG) for 20 minutes, on a 64-CPU KVM host for 2 hours and with no
// budget, and serially for 2 hours. Run with
//
//	go test ./budget -run '^$' -bench Select100k -benchmem
func BenchmarkSelect100k(b *testing.B) {
	cases := []struct {
		h      hostScenario
		budget time.Duration
		jobs   int
	}{
		{thisHost, 20 * time.Minute, 0},
		{bigHost, 2 * time.Hour, 0},
		{bigHost, 0, 0},
		{bigHost, 2 * time.Hour, 1},
	}
	for _, c := range cases {
		cs := candidates100k(c.h)
		name := fmt.Sprintf("%s/budget=%s/jobs=%d", c.h.name, c.budget, c.jobs)
		b.Run(name, func(b *testing.B) {
			benchSelect(b, cs, Options{Budget: c.budget, Jobs: c.jobs, Host: c.h.host})
		})
	}
}

// BenchmarkSelect100kShared plans the 100,000 candidates of
// [BenchmarkSelect100k] with boot sharing: a boot key per package and
// topology, and every eighth candidate packed with a payload file (it
// hosts the others of its key). Run with
//
//	go test ./budget -run '^$' -bench Select100kShared -benchmem
func BenchmarkSelect100kShared(b *testing.B) {
	for _, c := range []struct {
		h      hostScenario
		budget time.Duration
	}{{thisHost, 20 * time.Minute}, {bigHost, 2 * time.Hour}} {
		cs := candidates100k(c.h)
		for i := range cs {
			cs[i].BootKey = cs[i].Package + " " + cs[i].Topology.String()
			if i%8 == 0 {
				cs[i].BootFiles = []string{"stress-ng"}
			}
		}
		b.Run(fmt.Sprintf("%s/budget=%s", c.h.name, c.budget), func(b *testing.B) {
			p := benchSelect(b, cs, Options{Budget: c.budget, Host: c.h.host, ShareBoots: true})
			n, _ := p.SharedBoots()
			b.ReportMetric(float64(n), "shared")
		})
	}
}

// benchSelect selects cs with opts b.N times and reports CPU time per
// selection and how many it selected; the plan must keep to the budget.
func benchSelect(b *testing.B, cs []Candidate, opts Options) Plan {
	var p Plan
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		var err error
		if p, err = Select(cs, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(p.Selected)), "selected")
	if opts.Budget > 0 && p.EstWall > opts.Budget {
		b.Fatalf("predicted %s, over the %s budget", p.EstWall, opts.Budget)
	}
	return p
}
