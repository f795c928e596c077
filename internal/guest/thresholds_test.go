package guest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestEffectiveThresholdsGolden(t *testing.T) {
	cases := []struct {
		name   string
		checks spec.Checks
		m      machine
	}{
		{"bare metal", spec.Checks{}, machine{VCPUs: 8, Parallelism: 8, Stall: time.Millisecond}},
		{"kvm overcommitted", spec.Checks{}, machine{Accel: "kvm", VCPUs: 8, Parallelism: 4}},
		{"tcg 2 vcpus", spec.Checks{}, machine{Accel: "tcg", VCPUs: 2, Parallelism: 1.6, Stall: 20 * time.Millisecond, Clocksource: "tsc"}},
		{"tcg 3 vcpus hpet", spec.Checks{}, machine{Accel: "tcg", VCPUs: 3, Parallelism: 0.5, Stall: 170 * time.Millisecond, Clocksource: "hpet"}},
		{"tcg big stall", spec.Checks{}, machine{Accel: "tcg", VCPUs: 2, Parallelism: 2, Stall: 900 * time.Millisecond}},
		{"tcg 2 vcpus on 2 host cpus", spec.Checks{}, machine{Accel: "tcg", VCPUs: 2, Threads: 2, HostCPUs: 2, Parallelism: 1.3, Stall: 400 * time.Millisecond, Clocksource: "tsc"}},
		{"tcg 2 vcpus on 2 host cpus, single-threaded", spec.Checks{}, machine{Accel: "tcg", VCPUs: 2, Threads: 2, HostCPUs: 2, TCGSingle: true, Parallelism: 1, Stall: 20 * time.Millisecond}},
		{"tcg 4 vcpus on 2 host cpus", spec.Checks{}, machine{Accel: "tcg", VCPUs: 3, Threads: 4, HostCPUs: 2, Parallelism: 1.5, Stall: 90 * time.Millisecond}},
		{"tcg 2 vcpus on 2 host cpus, stalled", spec.Checks{}, machine{Accel: "tcg", VCPUs: 2, Threads: 2, HostCPUs: 2, Parallelism: 1.3, Stall: 1200 * time.Millisecond}},
		{"kvm 2 vcpus on 2 host cpus", spec.Checks{}, machine{Accel: "kvm", VCPUs: 2, Threads: 2, HostCPUs: 2, Parallelism: 2}},
		{"test overrides", spec.Checks{MaxGap: 500 * time.Millisecond, MaxSpread: 10, MinWorkUnits: 100, DisableIsolation: true}, machine{Accel: "tcg", VCPUs: 3, Parallelism: 1}},
	}
	var b strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&b, "%s: %s\n", c.name, formatThresholds(effectiveThresholds(c.checks, c.m)))
	}
	golden(t, "thresholds.golden", b.String())
}

func TestThresholdsScaleOnlyDefaults(t *testing.T) {
	m := machine{Accel: "tcg", VCPUs: 8, Parallelism: 1}
	th := effectiveThresholds(spec.Checks{MaxGap: 300 * time.Millisecond}, m)
	if th.MaxGap != 300*time.Millisecond {
		t.Errorf("a gap set by the test was scaled to %v", th.MaxGap)
	}
	if th.MaxSpread != 100 {
		t.Errorf("spread under 8x oversubscribed tcg = %v, want the 100%% cap", th.MaxSpread)
	}
	bare := effectiveThresholds(spec.Checks{}, machine{VCPUs: 4, Parallelism: 4})
	if bare.MaxGap != defaultMaxGap || bare.MaxSpread != defaultMaxSpread || bare.Scale != 1 || !bare.Isolation {
		t.Errorf("unscaled defaults: %+v", bare)
	}
}

// TestDedicatedTCGTakesBareMetalLimits: a TCG guest with its own host
// CPU per vCPU gets the bare-metal gap and run delay and a 35 % spread,
// so none of its checks is relaxed; one more vCPU than host CPUs, a
// single host thread, or a calibration stall of a second, and it is
// scaled (and inconclusive) as before.
func TestDedicatedTCGTakesBareMetalLimits(t *testing.T) {
	ded := machine{Accel: "tcg", VCPUs: 2, Threads: 2, HostCPUs: 2, Parallelism: 1.2, Stall: 300 * time.Millisecond}
	th := effectiveThresholds(spec.Checks{}, ded)
	if th.MaxGap != defaultMaxGap || th.MaxRunDelay != defaultMaxRunDelay || th.MaxSpread != dedicatedMaxSpread || th.Scale != 1 {
		t.Errorf("dedicated tcg: %+v", th)
	}
	if r := th.Relaxed(true, true); len(r) != 0 {
		t.Errorf("dedicated tcg relaxed %v", r)
	}
	for name, m := range map[string]machine{
		"more vcpus than host cpus": {Accel: "tcg", VCPUs: 3, Threads: 4, HostCPUs: 2, Parallelism: 1.2},
		"single-threaded":           {Accel: "tcg", VCPUs: 2, Threads: 2, HostCPUs: 2, TCGSingle: true, Parallelism: 1},
		"host cpus unknown":         {Accel: "tcg", VCPUs: 2, Threads: 2, Parallelism: 1.2},
		"stalled a second":          {Accel: "tcg", VCPUs: 2, Threads: 2, HostCPUs: 2, Parallelism: 1.2, Stall: time.Second},
	} {
		th := effectiveThresholds(spec.Checks{}, m)
		if r := th.Relaxed(true, true); len(r) != 3 {
			t.Errorf("%s: relaxed %v, want gap, run delay and spread (%+v)", name, r, th)
		}
	}
}

func TestOversubscription(t *testing.T) {
	for _, c := range []struct {
		m    machine
		want float64
	}{{machine{VCPUs: 4, Parallelism: 2}, 2}, {machine{VCPUs: 4, Parallelism: 6}, 1}, {machine{VCPUs: 4}, 1}} {
		if got := c.m.oversubscription(); got != c.want {
			t.Errorf("%+v: %v, want %v", c.m, got, c.want)
		}
	}
}
