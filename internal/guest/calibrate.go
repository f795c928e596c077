package guest

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// calibrationTime is how long each calibration phase runs.
const calibrationTime = 200 * time.Millisecond

// calibration is what the harness measured about the vCPUs before the
// test: how much work the usable CPUs do together compared with one CPU
// alone, and the longest stall a spinning thread saw (time its vCPU did
// not run, i.e. the host ran something else).
type calibration struct {
	Parallelism float64
	Stall       time.Duration
}

// clocksourcePath names the kernel's current clocksource.
const clocksourcePath = "/sys/devices/system/clocksource/clocksource0/current_clocksource"

// clocksource returns the guest's current clocksource, "" when unknown.
func clocksource() string {
	b, _ := os.ReadFile(clocksourcePath)
	return strings.TrimSpace(string(b))
}

// calibrate spins on the first of cpus alone for d, then on all of them at
// once for d. Parallelism is the total rate of the parallel phase over the
// solo rate: about len(cpus) when every vCPU has a host core of its own,
// less when the host runs more vCPUs than it has free cores (as TCG on a
// small host does). It runs before the harness pins itself, and puts each
// thread's affinity back.
func calibrate(cpus topo.CPUSet, d time.Duration) calibration {
	solo := spinRates([]int{cpus.First()}, d)
	par := spinRates(cpus.CPUs(), d)
	c := calibration{Stall: max(solo.stall, par.stall)}
	if solo.total > 0 {
		c.Parallelism = par.total / solo.total
	}
	return c
}

// rates are spin iterations per second summed over threads, and the
// longest stall any thread saw.
type rates struct {
	total float64
	stall time.Duration
}

// spinRates runs one pinned spinning thread per CPU for d.
func spinRates(cpus []int, d time.Duration) rates {
	var mu sync.Mutex
	var r rates
	var wg sync.WaitGroup
	for _, cpu := range cpus {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rate, stall := spinOn(cpu, d)
			mu.Lock()
			r.total += rate
			r.stall = max(r.stall, stall)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return r
}

// spinOn pins the calling thread to cpu, spins for d and returns blocks
// per second and the longest gap between two clock reads.
func spinOn(cpu int, d time.Duration) (float64, time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, err := affinity(0)
	if err != nil || setAffinity(0, topo.NewCPUSet(cpu)) != nil {
		return 0, 0
	}
	defer setAffinity(0, old)
	start := time.Now()
	last, n := start, 0
	var stall time.Duration
	for now := start; now.Sub(start) < d; now = time.Now() {
		stall = max(stall, now.Sub(last))
		last = now
		spin(shortRounds)
		n++
	}
	return float64(n) / time.Since(start).Seconds(), stall
}
