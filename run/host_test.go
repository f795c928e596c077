package run

import (
	"errors"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestParseMemTotal(t *testing.T) {
	t.Parallel()
	mib, err := parseMemTotal(strings.NewReader("MemTotal:       24683620 kB\nMemFree:         1000 kB\n"))
	if err != nil || mib != 24105 {
		t.Fatalf("parseMemTotal = %d, %v", mib, err)
	}
	for _, in := range []string{"", "MemFree: 1 kB\n", "MemTotal: x kB\n", "MemTotal: -5 kB\n"} {
		if _, err := parseMemTotal(strings.NewReader(in)); err == nil {
			t.Errorf("parseMemTotal(%q) succeeded", in)
		}
	}
}

func TestGatherHost(t *testing.T) {
	t.Parallel()
	h, err := GatherHost()
	if err != nil {
		t.Fatal(err)
	}
	if h.CPUs < 1 || h.MemoryMiB < 64 {
		t.Fatalf("implausible host %+v", h)
	}
}

func TestPlanAccel(t *testing.T) {
	t.Parallel()
	works := func() error { return nil }
	broken := func() error { return errors.New("kvm_pvm cannot boot stock kernels") }
	tests := []struct {
		asked spec.Accel
		probe func() error
		want  spec.Accel
		note  string
	}{
		{spec.AccelAuto, works, spec.AccelKVM, "usable"},
		{spec.AccelAuto, broken, spec.AccelTCG, "kvm_pvm"},
		{"", broken, spec.AccelTCG, "kvm_pvm"},
		{spec.AccelKVM, broken, spec.AccelKVM, "as asked"},
		{spec.AccelTCG, works, spec.AccelTCG, "as asked"},
	}
	for _, tt := range tests {
		a, note := planAccel(tt.asked, tt.probe)
		if a != tt.want || !strings.Contains(note, tt.note) {
			t.Errorf("planAccel(%q) = %s (%s), want %s (%s)", tt.asked, a, note, tt.want, tt.note)
		}
	}
}
