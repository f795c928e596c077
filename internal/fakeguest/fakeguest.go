// Package fakeguest is a test helper: a stand-in for booting a VM
// ([run.Runner.BootVM]) that plays the guest's `go test -v` output, so
// the run and CLI tests exercise a whole run without QEMU.
package fakeguest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
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
	return func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
		return boot(cfg, marker != "" && strings.Contains(cfg.Variant.Name, marker)), nil
	}
}

// FailFirst boots fake guests like [FailOn] whose test fails the first n
// boots of each variant whose name contains marker and passes from then
// on: a flaky test, deterministically. It counts the boots per variant,
// so it may be called from several goroutines.
func FailFirst(marker string, n int) func(context.Context, vm.Config) (vm.Result, error) {
	var mu sync.Mutex
	boots := map[string]int{}
	return func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
		mu.Lock()
		boots[cfg.Variant.Name]++
		k := boots[cfg.Variant.Name]
		mu.Unlock()
		return boot(cfg, strings.Contains(cfg.Variant.Name, marker) && k <= n), nil
	}
}

// boot writes the fake test's output to cfg.Output and returns its
// result.
func boot(cfg vm.Config, fail bool) vm.Result {
	test := strings.TrimSuffix(strings.TrimPrefix(cfg.Args[1], "^"), "$")
	out := Output(test, fail)
	cfg.Output.Write(out)
	res := vm.Result{Outcome: spec.OutcomePass, Output: out, Accel: spec.AccelTCG, BootTime: 5 * time.Second, TotalTime: 8 * time.Second}
	if fail {
		res.Outcome, res.Reason = spec.OutcomeFail, "test failed"
	}
	return res
}
