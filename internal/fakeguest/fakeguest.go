// Package fakeguest is a test helper: a stand-in for booting a VM
// ([run.Runner.BootVM]) that plays the guest's `go test -v` output, so
// the run and CLI tests exercise a whole run without QEMU.
//
// A fake VM runs more than one test when its config has a Next
// ([vm.Config.Next]), as a real one does: a test that passed leaves the
// guest reusable (unless [Guests.Dirty] says otherwise), Next is called
// with every test's result, and each config it returns runs in the same
// fake VM, Shared, with no boot time.
package fakeguest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// Fake times: a boot takes BootTime, a test TestTime, so a booted
// test's TotalTime is their sum and a shared test's is TestTime.
const (
	BootTime = 5 * time.Second
	TestTime = 3 * time.Second
)

// Output is what test prints in the guest: a pass, or a failure with a
// stuck-check message.
func Output(test string, fail bool) []byte {
	if fail {
		return fmt.Appendf(nil, "=== RUN   %s\n    x_test.go:9: stuck 3500ms on cpu1 at +1200ms\n--- FAIL: %s (2.00s)\nFAIL\n", test, test)
	}
	return fmt.Appendf(nil, "=== RUN   %s\n--- PASS: %s (2.00s)\nPASS\n", test, test)
}

// FailOn boots fake guests whose test fails on variants whose name
// contains marker (none when marker is ""): 5 s boot, 8 s in all, TCG.
func FailOn(marker string) func(context.Context, vm.Config) (vm.Result, error) {
	return Guests{Fail: marker}.Boot()
}

// FailFirst boots fake guests like [FailOn] whose test fails the first n
// runs of each variant whose name contains marker and passes from then
// on: a flaky test, deterministically. It counts the runs per variant,
// so it may be called from several goroutines.
func FailFirst(marker string, n int) func(context.Context, vm.Config) (vm.Result, error) {
	return Guests{Fail: marker, FailFirst: n}.Boot()
}

// Guests configures fake guests. The zero value passes every test.
type Guests struct {
	// Fail is a marker: the tests of variants whose name contains it
	// fail; empty means none.
	Fail string
	// FailFirst, when positive, fails only the first FailFirst runs of
	// each variant Fail marks.
	FailFirst int
	// Dirty is a marker: the tests of variants whose name contains it
	// pass but leave the guest dirty (not [vm.Result.Reusable]); empty
	// means none.
	Dirty string
	// Race is a marker: the tests of variants whose name contains it,
	// run in a VM booted for an earlier test, die of the emulator race
	// ([vm.Result.EmulatorRace], a kernel panic); in a VM of their own
	// they pass. Empty means none.
	Race string
}

var vmSeq atomic.Int64

// Boot returns the [run.Runner.BootVM] of g. It may be called from
// several goroutines.
func (g Guests) Boot() func(context.Context, vm.Config) (vm.Result, error) {
	var mu sync.Mutex
	runs := map[string]int{}
	fail := func(cfg vm.Config) bool {
		mu.Lock()
		defer mu.Unlock()
		runs[cfg.Variant.Name]++
		marked := g.Fail != "" && strings.Contains(cfg.Variant.Name, g.Fail)
		return marked && (g.FailFirst <= 0 || runs[cfg.Variant.Name] <= g.FailFirst)
	}
	return func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
		name := fmt.Sprintf("fake-vm-%d", vmSeq.Add(1))
		first := g.test(cfg, fail(cfg), name, false)
		res, c := first, cfg
		for c.Next != nil {
			nc := c.Next(res)
			if nc == nil {
				break
			}
			if err := cfg.CanRun(*nc); err != nil {
				return first, fmt.Errorf("fake vm %s: %w", name, err)
			}
			res, c = g.test(*nc, fail(*nc), name, true), *nc
		}
		return first, nil
	}
}

// test writes the fake test's output to cfg.Output and returns its
// result: in a VM of its own (5 s boot, 8 s in all) or, when shared, in
// the VM named name booted for an earlier test (3 s, no boot).
func (g Guests) test(cfg vm.Config, fail bool, name string, shared bool) vm.Result {
	test := strings.TrimSuffix(strings.TrimPrefix(cfg.Args[1], "^"), "$")
	out := Output(test, fail)
	if cfg.Output != nil {
		cfg.Output.Write(out)
	}
	res := vm.Result{Outcome: spec.OutcomePass, Output: out, Accel: spec.AccelTCG, BootTime: BootTime, TotalTime: BootTime + TestTime,
		Name: name, Shared: shared, Reusable: !fail}
	if shared {
		res.BootTime, res.TotalTime = 0, TestTime
	}
	if fail {
		res.Outcome, res.Reason = spec.OutcomeFail, "test failed"
	}
	if shared && g.Race != "" && strings.Contains(cfg.Variant.Name, g.Race) {
		res.Outcome, res.Reason, res.Reusable, res.EmulatorRace = spec.OutcomeKernelPanic, "Oops: int3: 0000 [#1] PREEMPT SMP NOPTI", false, true
		return res
	}
	if !fail && g.Dirty != "" && strings.Contains(cfg.Variant.Name, g.Dirty) {
		res.Reusable, res.Dirty = false, "fake: a cgroup left behind"
	}
	return res
}
