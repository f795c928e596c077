package vm

import (
	"errors"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// TestMaxAPICIDCountsOfflineCPUs: QEMU creates the offline CPUs too, so
// their APIC IDs count toward TCG's xAPIC limit.
func TestMaxAPICIDCountsOfflineCPUs(t *testing.T) {
	for _, tc := range []struct {
		topology string
		id       int
		tcgOK    bool
	}{
		{"1n2l4c2t", 1<<3 | 3<<1 | 1, true},
		{"1n2l4c2t-possible32", 3<<3 | 3<<1 | 1, true},
		{"1n2l4c2t-possible248", 30<<3 | 3<<1 | 1, true},
		{"1n2l4c2t-possible256", 31<<3 | 3<<1 | 1, false},
		{"2n4l3c1t-possible48", 15<<2 | 2, true},
	} {
		tp, err := topo.Parse(tc.topology)
		if err != nil {
			t.Fatal(err)
		}
		if got := MaxAPICID(tp); got != tc.id {
			t.Errorf("MaxAPICID(%s) = %d, want %d", tp, got, tc.id)
		}
		err = CheckTopology(tp, spec.AccelTCG)
		if tc.tcgOK != (err == nil) || err != nil && !errors.Is(err, spec.ErrNotSupported) {
			t.Errorf("CheckTopology(%s, tcg) = %v, want ok %v", tp, err, tc.tcgOK)
		}
		if x := x2apicArgs(tp, spec.AccelKVM); (x != nil) == tc.tcgOK {
			t.Errorf("x2apicArgs(%s, kvm) = %q", tp, x)
		}
	}
}
