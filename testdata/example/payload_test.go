package example

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// payloadSpec runs Debian's stress-ng and rt-tests (cyclictest,
// hackbench) as payloads; their binaries are packed into the guest. Without
// them the test skips, naming the package to install (and fails under
// GAUNTLET_REQUIRE_VM=1). Two of its bounds are ones a healthy run meets
// (some work done, a latency below 10 s); the third is planted to fail:
// hackbench takes time.
var payloadSpec = gauntlet.Spec{
	Topology: "1n1l2c1t",
	Duration: time.Second,
	Payloads: []gauntlet.Payload{gauntlet.StressNG(), gauntlet.Cyclictest(), gauntlet.Hackbench()},
	MetricBounds: []gauntlet.MetricBound{
		gauntlet.MetricAtLeast("stress-ng.cpu.bogo-ops", 1),
		gauntlet.MetricAtMost("cyclictest.latency_max_us", 10e6),
		gauntlet.MetricAtMost("hackbench.time_s", 0),
	},
}

// TestPayloads runs cyclictest in the background while stress-ng loads
// the workers' cgroup and hackbench runs in a cgroup of its own, then
// checks the metrics parsed from their reports and that the planted
// bound fails the scenario with a message naming the metric, its value
// and the bound (and nothing else fails).
func TestPayloads(t *testing.T) {
	gauntlet.Run(t, payloadSpec, func(c *gauntlet.Ctx) error {
		err := c.ExecuteSteps(gauntlet.Step{
			Defs: []gauntlet.CgroupDef{gauntlet.Cgroup("cg_0").Workers(1)},
			Ops: []gauntlet.Op{
				gauntlet.RunPayload(gauntlet.PayloadRun{Payload: "cyclictest", Args: []string{"-q", "-D", "1", "-i", "1000", "-t", "1"}, Background: true}),
				gauntlet.RunPayload(gauntlet.PayloadRun{Payload: "stress-ng", Args: []string{"--cpu", "1", "--timeout", "1s"}, Cgroup: "cg_0"}),
				gauntlet.RunPayload(gauntlet.PayloadRun{Payload: "hackbench", Args: []string{"-l", "20", "-g", "1", "-f", "2"}}),
			},
			Hold: gauntlet.HoldFor(300 * time.Millisecond),
		})
		if err := plantedBound(err); err != nil {
			return err
		}
		if err := wantMetrics(c.Metrics(), "stress-ng.cpu.bogo-ops", "stress-ng.cpu.bogo-ops-per-second-real-time",
			"cyclictest.latency_max_us", "cyclictest.cycles", "cyclictest.t0.latency_avg_us", "hackbench.time_s"); err != nil {
			return err
		}
		if err := failingPayloads(c); err != nil {
			return err
		}
		if err := c.CheckMetrics(gauntlet.MetricAtMost("no.such.metric", 1)); err == nil || !strings.Contains(err.Error(), "never measured") {
			return fmt.Errorf("bound on an unmeasured metric: %v, want never measured", err)
		}
		return nil
	})
}

// wantMetrics checks every name was measured with a value above zero.
func wantMetrics(ms []spec.Metric, names ...string) error {
	for _, n := range names {
		i := slices.IndexFunc(ms, func(m spec.Metric) bool { return m.Name == n })
		if i < 0 || !(ms[i].Value > 0) {
			return fmt.Errorf("metric %s missing or not above 0 in %v", n, ms)
		}
	}
	return nil
}

// failingPayloads runs a payload that exits with an error and one that
// outlives its timeout: each fails the scenario with a line naming it.
func failingPayloads(c *gauntlet.Ctx) error {
	err := c.ExecuteSteps(gauntlet.Step{
		Ops: []gauntlet.Op{
			gauntlet.RunPayload(gauntlet.PayloadRun{Payload: "stress-ng", Args: []string{"--no-such-option"}, Label: "bad"}),
			gauntlet.RunPayload(gauntlet.PayloadRun{Payload: "cyclictest", Args: []string{"-q", "-D", "60"}, Timeout: 300 * time.Millisecond, Label: "slow"}),
		},
		Hold: gauntlet.HoldFor(10 * time.Millisecond),
	})
	var ce *gauntlet.CheckError
	if !errors.As(err, &ce) || len(ce.Failures) != 2 {
		return fmt.Errorf("failing payloads: %v, want a *CheckError with two failures", err)
	}
	if !strings.HasPrefix(ce.Failures[0], "payload bad exit status ") || ce.Failures[1] != "payload slow still running after its timeout 300ms; stopped" {
		return fmt.Errorf("failing payloads failed with %q", ce.Failures)
	}
	return nil
}

// plantedBound checks the scenario's error is the planted bound's
// failure alone.
func plantedBound(err error) error {
	var ce *gauntlet.CheckError
	if !errors.As(err, &ce) {
		return fmt.Errorf("planted bound hackbench.time_s <= 0: scenario returned %v, want a *CheckError", err)
	}
	want := regexp.MustCompile(`^metric hackbench\.time_s = [0-9.]+ s, above its bound 0 s$`)
	if len(ce.Failures) != 1 || !want.MatchString(ce.Failures[0]) {
		return fmt.Errorf("planted bound failed with %q, want one line matching %s", ce.Failures, want)
	}
	return nil
}
