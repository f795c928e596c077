// Package tsc measures the host's time-stamp counter rate, for a guest
// whose TSC is the host's (QEMU's TCG reads the host TSC for the guest's
// RDTSC). Only amd64 has it; elsewhere the rate is unknown.
package tsc

import (
	"bytes"
	"time"
)

// Plausible TSC rates: a counter outside them is not a clock to trust.
const (
	minHz = 100_000_000
	maxHz = 20_000_000_000
)

// maxBracket bounds the monotonic-clock interval around one TSC read; a
// read the scheduler interrupted is taken again.
const maxBracket = 20 * time.Microsecond

// Measure counts TSC ticks against the monotonic clock over window
// (50-100 ms gives a few parts per million) and returns the rate in Hz;
// ok is false off amd64 or when the count is implausible. It sleeps for
// window.
func Measure(window time.Duration) (hz uint64, ok bool) {
	if !supported {
		return 0, false
	}
	t0, c0 := sample()
	time.Sleep(window)
	t1, c1 := sample()
	return Rate(c0, c1, t1.Sub(t0))
}

// sample reads the TSC and the monotonic clock as close together as it
// can: the TSC between two clock reads at most maxBracket apart, with
// the clock's midpoint.
func sample() (time.Time, uint64) {
	var best time.Duration = 1<<63 - 1
	var at time.Time
	var c uint64
	for i := 0; i < 10; i++ {
		a := time.Now()
		x := rdtsc()
		b := time.Now()
		if d := b.Sub(a); d < best {
			best, at, c = d, a.Add(d/2), x
		}
		if best <= maxBracket {
			break
		}
	}
	return at, c
}

// Rate is the TSC rate in Hz from counts c0 and c1 taken elapsed apart;
// ok is false when the counter did not advance or the rate is outside
// 100 MHz-20 GHz.
func Rate(c0, c1 uint64, elapsed time.Duration) (hz uint64, ok bool) {
	if elapsed <= 0 || c1 <= c0 {
		return 0, false
	}
	hz = uint64(float64(c1-c0) / elapsed.Seconds())
	return hz, hz >= minHz && hz <= maxHz
}

// Constant reports whether /proc/cpuinfo's text says the TSC ticks at a
// constant rate, whatever the CPU's frequency (the constant_tsc flag on
// every processor's flags line): without it a measured rate means
// nothing later.
func Constant(cpuinfo []byte) bool {
	seen := false
	for line := range bytes.Lines(cpuinfo) {
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok || string(bytes.TrimSpace(key)) != "flags" {
			continue
		}
		seen = true
		found := false
		for _, f := range bytes.Fields(val) {
			if string(f) == "constant_tsc" {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return seen
}
