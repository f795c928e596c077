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
		{0.5, false, 3200 * time.Millisecond}, {1, false, 3200 * time.Millisecond}, {8, false, 3600 * time.Millisecond},
		{16, false, 5100 * time.Millisecond}, {32, false, 15 * time.Second}, {64, false, 105 * time.Second}, // measured points
		{2, false, 3200 * time.Millisecond}, {12, false, 4350 * time.Millisecond}, {48, false, 60 * time.Second}, // halfway between neighbours
		{96, false, 195 * time.Second},     // extrapolated along 32..64
		{4, true, 4100 * time.Millisecond}, // below the first point: the first point's
		{16, true, 5500 * time.Millisecond}, {48, true, 12700 * time.Millisecond}, {128, true, 37700 * time.Millisecond},
	}
	for _, c := range cases {
		if got := TCGBootTime(c.x, c.single); got != c.want {
			t.Errorf("TCGBootTime(%v, %v) = %v, want %v", c.x, c.single, got, c.want)
		}
	}
}
