package scenarios_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/scenarios"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// onlineWatch samples /sys/devices/system/cpu/online (and, when set, a
// file each sample also reads) while a scenario runs and keeps each
// distinct value in the order seen.
type onlineWatch struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	seen []string
}

// watchOnline starts sampling; extra is a glob of files read along (their
// contents joined to the sample after " | ").
func watchOnline(extra string) *onlineWatch {
	w := &onlineWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			w.sample(extra)
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *onlineWatch) sample(extra string) {
	b, _ := os.ReadFile("/sys/devices/system/cpu/online")
	v := strings.TrimSpace(string(b))
	if extra != "" {
		files, _ := filepath.Glob(extra)
		for _, f := range files {
			e, _ := os.ReadFile(f)
			v += " | " + strings.TrimSpace(string(e))
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if n := len(w.seen); n == 0 || w.seen[n-1] != v {
		w.seen = append(w.seen, v)
	}
}

// end stops sampling and returns the values seen.
func (w *onlineWatch) end() []string {
	close(w.stop)
	<-w.done
	return w.seen
}

// onlineNow reads the online CPUs.
func onlineNow() string {
	b, _ := os.ReadFile("/sys/devices/system/cpu/online")
	return strings.TrimSpace(string(b))
}

// stalled makes the stall work block once per worker process.
var stalled atomic.Bool

// stallFor is how long the stall work blocks: beyond the test's gap
// limit even after the hotplug ops meanwhile are excused (under TCG an
// op took about 200ms).
const stallFor = 4 * time.Second

// stall is a worker that blocks once for stallFor (a sleep it does not
// declare, so the stuck check counts it), then spins.
var stall = gauntlet.Custom("stall-once", func() error {
	if !stalled.Swap(true) {
		time.Sleep(stallFor)
	}
	return nil
})

// TestHotplug drives CPU hotplug under EEVDF on two CPUs, in one boot:
// the canned churn passes while sysfs shows cpu 1 going offline and back
// as the hold says; a step's ops take cpu 1 offline and bring it back,
// with a cgroup confined to it falling back to its parent's CPUs
// meanwhile; a worker that really stalls while the CPU churns still
// fails the stuck check; and an op on cpu 0, which x86 cannot take
// offline, fails naming it.
func TestHotplug(t *testing.T) {
	s := gauntlet.Spec{Topology: "1n1l2c1t", Duration: 2 * time.Second, Checks: gauntlet.Checks{MaxGap: 2 * time.Second},
		Constraints: topo.Constraints{MinCPUs: 2, MaxCPUs: 2}} // the checks name CPUs 0 and 1
	gauntlet.Run(t, s, func(c *gauntlet.Ctx) error {
		return errors.Join(churnShowsInSysfs(c), stepOps(c), stallStillFails(c), cpu0Refused(c))
	})
}

// churnShowsInSysfs runs the canned churn and checks sysfs saw cpu 1 go
// and come back, and all CPUs online at the end.
func churnShowsInSysfs(c *gauntlet.Ctx) error {
	w := watchOnline("")
	err := scenarios.HotplugChurn(c)
	seen := w.end()
	c.Logf("churn: %v; online seen %q", err, seen)
	if err != nil {
		return fmt.Errorf("hotplug_churn: %w", err)
	}
	if !inOrder(seen, []string{"0-1", "0", "0-1"}) || seen[0] != "0-1" || seen[len(seen)-1] != "0-1" {
		return fmt.Errorf("online CPUs seen during the churn %q: want 0-1, then 0 and 0-1 in turn", seen)
	}
	if now := onlineNow(); now != "0-1" {
		return fmt.Errorf("online after the churn %q, want 0-1", now)
	}
	return nil
}

// stepOps takes cpu 1 offline in one step and brings it back in the
// next: cg_1, confined to cpu 1, runs on its parent's CPUs meanwhile.
func stepOps(c *gauntlet.Ctx) error {
	w := watchOnline("/sys/fs/cgroup/gauntlet-*/cg_1/cpuset.cpus.effective")
	err := c.ExecuteSteps(
		gauntlet.Step{Defs: []gauntlet.CgroupDef{
			gauntlet.Cgroup("cg_0").Workers(2),
			gauntlet.Cgroup("cg_1").Workers(1).Cpuset(gauntlet.CpusetExact(1)),
		}, Hold: gauntlet.HoldFraction(0.25)},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.OfflineCPU(1)}, Hold: gauntlet.HoldFraction(0.25)},
		gauntlet.Step{Ops: []gauntlet.Op{gauntlet.OfflineCPU(1), gauntlet.OnlineCPU(1)}, Hold: gauntlet.HoldFraction(0.25)},
	)
	seen := w.end()
	c.Logf("step ops: %v; online | cg_1 effective seen %q", err, seen)
	if err != nil {
		return fmt.Errorf("offline/online ops: %w", err)
	}
	if want := []string{"0-1 | 1", "0 | 0", "0-1 | 1"}; !inOrder(seen, want) {
		return fmt.Errorf("online | cg_1's effective CPUs seen %q, want %q in this order", seen, want)
	}
	return nil
}

// inOrder reports whether seen holds want's values in want's order
// (with others between them: the kernel updates the online mask before
// the cpusets, and a cgroup has its parent's CPUs before its own).
func inOrder(seen, want []string) bool {
	i := 0
	for _, v := range seen {
		if i < len(want) && v == want[i] {
			i++
		}
	}
	return i == len(want)
}

// stallStillFails: a worker blocking for longer than the gap limit while
// cpu 1 churns fails the stuck check; its spinning neighbours pass.
func stallStillFails(c *gauntlet.Ctx) error {
	err := c.ExecuteSteps(gauntlet.Step{
		Defs: []gauntlet.CgroupDef{gauntlet.Cgroup("stall").Workers(1).WorkType(stall), gauntlet.Cgroup("spin").Workers(2)},
		Hold: gauntlet.HoldFor(stallFor+time.Second).ToggleCPU(1, time.Second),
	})
	c.Logf("stall under churn: %v", err)
	var ce *gauntlet.CheckError
	if errors.As(err, &ce) && len(ce.Failures) > 1 {
		return fmt.Errorf("want only the stalled worker to fail, got:\n%v", err)
	}
	return expectFailure(err, "stall worker", "stuck ")
}

// cpu0Refused: x86 has no online file for cpu 0; the op fails naming it.
func cpu0Refused(c *gauntlet.Ctx) error {
	err := c.ExecuteSteps(gauntlet.Step{Defs: []gauntlet.CgroupDef{gauntlet.Cgroup("cg_0").Workers(1)},
		Ops: []gauntlet.Op{gauntlet.OfflineCPU(0)}, Hold: gauntlet.HoldFor(100 * time.Millisecond)})
	if err == nil || !strings.Contains(err.Error(), "cpu 0 cannot be hotplugged") {
		return fmt.Errorf("offline cpu 0: %v; want an error naming cpu 0", err)
	}
	return nil
}

// TestHotplugPossible brings up the two possible CPUs a 4-CPU guest
// boots without and takes one down again: sysfs shows them online, a
// cgroup without a cpuset of its own gets them, and at the end the guest
// is back to its 4 CPUs. A CPU that is not possible, and the harness's
// own CPU, are refused naming them.
func TestHotplugPossible(t *testing.T) {
	s := gauntlet.Spec{Topology: "1n1l4c1t-possible8", Duration: time.Second,
		Constraints: topo.Constraints{MinCPUs: 4, MaxCPUs: 4, MinOfflineCPUs: 4, MaxOfflineCPUs: 4}} // the checks name CPUs 0-7
	gauntlet.Run(t, s, func(c *gauntlet.Ctx) error {
		w := watchOnline("/sys/fs/cgroup/gauntlet-*/cg_0/cpuset.cpus.effective")
		err := c.ExecuteSteps(
			gauntlet.Step{Defs: []gauntlet.CgroupDef{gauntlet.Cgroup("cg_0").Workers(3)},
				Ops: []gauntlet.Op{gauntlet.OnlineCPU(4), gauntlet.OnlineCPU(5)}, Hold: gauntlet.HoldFraction(0.5)},
			gauntlet.Step{Ops: []gauntlet.Op{gauntlet.OfflineCPU(5)}, Hold: gauntlet.HoldFraction(0.5)},
		)
		seen := w.end()
		c.Logf("online | cg_0 effective seen %q", seen)
		var errs []error
		if err != nil {
			errs = append(errs, err)
		}
		if want := []string{"0-3 | 0-2", "0-5 | 0-2,4-5", "0-4 | 0-2,4"}; !inOrder(seen, want) {
			errs = append(errs, fmt.Errorf("online | cg_0's effective CPUs seen %q, want %q in this order", seen, want))
		}
		if now := onlineNow(); now != "0-3" {
			errs = append(errs, fmt.Errorf("online after the scenario %q, want 0-3", now))
		}
		for cpu, msg := range map[int]string{9: "cpu 9 is not a possible CPU", 3: "cpu 3 runs the harness"} {
			err := c.ExecuteSteps(gauntlet.Step{Defs: []gauntlet.CgroupDef{gauntlet.Cgroup("cg_0").Workers(1)},
				Ops: []gauntlet.Op{gauntlet.ToggleCPU(cpu)}, Hold: gauntlet.HoldFor(100 * time.Millisecond)})
			if err == nil || !strings.Contains(err.Error(), msg) {
				errs = append(errs, fmt.Errorf("toggle cpu %d: %v; want %q", cpu, err, msg))
			}
		}
		return errors.Join(errs...)
	})
}
