package tsc

// rdtsc reads the time-stamp counter (tsc_amd64.s), after an LFENCE so
// earlier instructions do not move past it.
func rdtsc() uint64

const supported = true
