package spec

import (
	"testing"
	"time"
)

func TestParseAccel(t *testing.T) {
	for in, want := range map[string]Accel{"": AccelAuto, "auto": AccelAuto, "kvm": AccelKVM, "tcg": AccelTCG} {
		if got, err := ParseAccel(in); got != want || err != nil {
			t.Errorf("ParseAccel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, hint := range map[string]string{"hvf": "", "KVM": "", " tcg": ` (did you mean "tcg"?)`, "kmv": ` (did you mean "kvm"?)`} {
		_, err := ParseAccel(in)
		if want := `accelerator "` + in + `"` + hint + ` is not one of auto, kvm, tcg`; err == nil || err.Error() != want {
			t.Errorf("ParseAccel(%q): %v; want %q", in, err, want)
		}
	}
}

func TestSingleThreadedTCG(t *testing.T) {
	for _, c := range []struct {
		vcpus, host int
		want        bool
	}{
		{2, 2, false}, {4, 2, false}, {5, 2, true}, {8, 2, true}, {16, 2, true}, {17, 2, false}, {32, 2, false},
		{16, 8, false}, {17, 8, true}, {64, 8, true}, {65, 8, false}, {2, 0, false}, {3, 0, true}, {9, 0, false},
	} {
		if got := SingleThreadedTCG(c.vcpus, c.host); got != c.want {
			t.Errorf("SingleThreadedTCG(%d, %d) = %v, want %v", c.vcpus, c.host, got, c.want)
		}
	}
}

func TestTCGBootTime(t *testing.T) {
	cases := []struct {
		x      float64
		single bool
		want   time.Duration
	}{
		{0.5, false, 5300 * time.Millisecond}, {1, false, 5300 * time.Millisecond}, {8, false, 8200 * time.Millisecond},
		{16, false, 15400 * time.Millisecond}, {32, false, 32600 * time.Millisecond}, {64, false, 105 * time.Second}, // measured points
		{2, false, 5400 * time.Millisecond}, {12, false, 11800 * time.Millisecond}, {48, false, 68800 * time.Millisecond}, // halfway between neighbours
		{96, false, 177400 * time.Millisecond}, // extrapolated along 32..64
		{16, true, 7000 * time.Millisecond}, {48, true, 15000 * time.Millisecond}, {128, true, 40000 * time.Millisecond},
	}
	for _, c := range cases {
		if got := TCGBootTime(c.x, c.single); got != c.want {
			t.Errorf("TCGBootTime(%v, %v) = %v, want %v", c.x, c.single, got, c.want)
		}
	}
}
