package tsc

import (
	"runtime"
	"testing"
	"time"
)

func TestRate(t *testing.T) {
	for _, tt := range []struct {
		c0, c1  uint64
		elapsed time.Duration
		want    uint64
		ok      bool
	}{
		{1000, 1000 + 240_000_000, 100 * time.Millisecond, 2_400_000_000, true},
		{0, 3_000_000, time.Millisecond, 3_000_000_000, true},
		{5, 5, time.Second, 0, false},                 // stopped
		{10, 5, time.Second, 0, false},                // went back
		{0, 1_000_000, time.Second, 1_000_000, false}, // 1 MHz: not a TSC
		{0, 30_000_000_000, time.Second, 30e9, false}, // 30 GHz
		{0, 1000, 0, 0, false},                        // no time
	} {
		got, ok := Rate(tt.c0, tt.c1, tt.elapsed)
		if ok != tt.ok || tt.ok && got != tt.want {
			t.Errorf("Rate(%d, %d, %v) = %d, %v; want %d, %v", tt.c0, tt.c1, tt.elapsed, got, ok, tt.want, tt.ok)
		}
	}
}

func TestConstant(t *testing.T) {
	for _, tt := range []struct {
		cpuinfo string
		want    bool
	}{
		{"processor\t: 0\nflags\t\t: fpu tsc constant_tsc nonstop_tsc\n\nprocessor\t: 1\nflags\t\t: fpu tsc constant_tsc\n", true},
		{"processor\t: 0\nflags\t\t: fpu tsc constant_tsc\nprocessor\t: 1\nflags\t\t: fpu tsc\n", false},
		{"flags\t\t: fpu tsc constant_tsc_x\n", false},
		{"processor\t: 0\nFeatures\t: fp asimd\n", false}, // arm64: no flags line
		{"", false},
	} {
		if got := Constant([]byte(tt.cpuinfo)); got != tt.want {
			t.Errorf("Constant(%q) = %v, want %v", tt.cpuinfo, got, tt.want)
		}
	}
}

// TestMeasure: two measurements of the host agree to 0.1 % on amd64;
// elsewhere the rate is unknown.
func TestMeasure(t *testing.T) {
	a, okA := Measure(50 * time.Millisecond)
	b, okB := Measure(50 * time.Millisecond)
	if runtime.GOARCH != "amd64" {
		if okA || okB {
			t.Errorf("Measure off amd64 = %d, %v; want unknown", a, okA)
		}
		return
	}
	if !okA || !okB {
		t.Fatalf("Measure = %d (%v), %d (%v); want a plausible rate", a, okA, b, okB)
	}
	if d := float64(a) - float64(b); d > 1e-3*float64(a) || -d > 1e-3*float64(a) {
		t.Errorf("two measurements %d and %d Hz differ by more than 0.1 %%", a, b)
	}
	t.Logf("TSC %d Hz, %d Hz", a, b)
}
