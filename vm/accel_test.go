package vm

import (
	"errors"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestResolveAccel(t *testing.T) {
	dir := t.TempDir()
	qemu := "/nonexistent/qemu" // qemuVersion falls back to "unknown"
	defer func(f func() error) { kvmCheck = f }(kvmCheck)

	kvmCheck = func() error { return errors.New("no /dev/kvm") }
	if c := resolveAccel(spec.AccelAuto, dir, qemu); c.accel != spec.AccelTCG || c.trial || !strings.Contains(c.note, "no /dev/kvm") {
		t.Errorf("without kvm: %+v", c)
	}
	if c := resolveAccel(spec.AccelKVM, dir, qemu); c.accel != spec.AccelKVM || c.trial {
		t.Errorf("forced kvm: %+v", c)
	}
	kvmCheck = func() error { return nil }
	if c := resolveAccel(spec.AccelAuto, dir, qemu); c.accel != spec.AccelKVM || !c.trial {
		t.Errorf("kvm, no verdict: %+v, want a trial", c)
	}
	saveVerdict(dir, qemu, verdict{Accel: spec.AccelTCG, Reason: "kvm: emulation failure"})
	if c := resolveAccel(spec.AccelAuto, dir, qemu); c.accel != spec.AccelTCG || c.trial || !strings.Contains(c.note, "emulation failure") {
		t.Errorf("remembered verdict: %+v", c)
	}
	v, ok := loadVerdict(dir, qemu)
	if !ok || v.Host == "" || v.QEMU != "unknown" || v.At.IsZero() {
		t.Errorf("verdict %+v, %v", v, ok)
	}
}

func TestCheckTopologyAPIC(t *testing.T) {
	for _, p := range topo.Presets() {
		err := CheckTopology(p.Topology, spec.AccelTCG)
		tooBig := p.Name == "max-cpu" || p.Name == "max-cpu-nosmt"
		if (err != nil) != tooBig {
			t.Errorf("%s (max APIC ID %d): %v", p.Name, MaxAPICID(p.Topology), err)
		}
		if err != nil && !errors.Is(err, spec.ErrNotSupported) {
			t.Errorf("%s: %v does not wrap ErrNotSupported", p.Name, err)
		}
		if err := CheckTopology(p.Topology, spec.AccelKVM); err != nil {
			t.Errorf("%s under kvm: %v", p.Name, err)
		}
	}
	if got := MaxAPICID(topo.Topology{NUMA: 1, LLCs: 14, CoresPerLLC: 9, ThreadsPerCore: 2}); got != 13<<5|8<<1|1 {
		t.Errorf("MaxAPICID(1n14l9c2t) = %d", got)
	}
}
