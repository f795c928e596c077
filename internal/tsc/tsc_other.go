//go:build !amd64

package tsc

// rdtsc is not available off amd64: [Measure] reports the rate unknown.
func rdtsc() uint64 { return 0 }

const supported = false
