package main

import (
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// plantChecks are the power benchmark's planted failures
// (internal/cmd/power/testdata/power) with the cgroup that must fail and
// the checks (failure prefixes) that may catch it.
var plantChecks = map[string]struct {
	cgroup string
	checks []string
}{
	"TestPlantFIFO":   {"victim", []string{"stuck ", "unfair: ", "starved: "}},
	"TestPlantEscape": {"escape", []string{"isolation: "}},
	"TestPlantStop":   {"stop", []string{"stuck "}},
	"TestPlantNice":   {"nice", []string{"unfair: "}},
}

// TestPlantedFailuresFailTheirChecks runs the planted failures at 2
// vCPUs with the default limits in real VMs: each must fail with its
// check, naming its cgroup. Under TCG a 2-vCPU guest on a host with at
// least 2 CPUs applies the bare-metal limits (spec.TCGDedicated), so a
// plant that passes there means the checks lost their power. Only a
// guest that found its host too slow to apply them (a calibration stall,
// fewer host CPUs than vCPUs) may report a plant inconclusive, never a
// pass.
func TestPlantedFailuresFailTheirChecks(t *testing.T) {
	needVMs(t)
	// exit 1 as the plants fail; 0 only if every one was inconclusive.
	_, _, _, suites := runInVMsExit(t, []int{exitFail, exitPass}, "--topology", "1n1l2c1t", "--run", "^TestPlant[A-Za-z]+/", "../../internal/cmd/power/testdata/power")
	seen := map[string]bool{}
	for _, cs := range report.CasesFromJUnit(suites) {
		want, ok := plantChecks[cs.Test]
		if !ok {
			continue
		}
		seen[cs.Test] = true
		switch cs.Outcome {
		case spec.OutcomeFail:
			if !caughtBy(string(cs.Output)+"\n"+cs.Message, want.cgroup, want.checks) {
				t.Errorf("%s failed, but not by %q naming %s: %s\n%s", cs.Variant, want.checks, want.cgroup, cs.Message, cs.Output)
			}
		case spec.OutcomeInconclusive:
			t.Logf("%s: inconclusive on this host (%s)", cs.Variant, cs.Message)
		default:
			t.Errorf("%s: outcome %s (%s), want a failure of %q", cs.Variant, cs.Outcome, cs.Message, want.checks)
		}
	}
	for name := range plantChecks {
		if !seen[name] {
			t.Errorf("%s did not run", name)
		}
	}
}

// caughtBy reports whether some line of out is a failure starting with
// one of checks that names cgroup.
func caughtBy(out, cgroup string, checks []string) bool {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		for _, k := range checks {
			if strings.HasPrefix(line, k) && strings.Contains(line, cgroup) {
				return true
			}
		}
	}
	return false
}
