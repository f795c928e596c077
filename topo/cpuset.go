package topo

import (
	"fmt"
	"math/bits"
)

// cpuSetWords is how many 64-bit words hold [MaxVCPUs] bits.
const cpuSetWords = (MaxVCPUs + 63) / 64

// CPUSet is a set of logical CPU numbers in [0, MaxVCPUs). The zero value
// is the empty set. A CPUSet is a plain comparable value: == compares
// members, and methods never modify their receiver.
//
// In JSON and text it is written in the kernel's CPU list format
// ("0-3,8"); see [ParseCPUSet].
type CPUSet struct {
	w [cpuSetWords]uint64
}

// NewCPUSet returns the set holding cpus. It panics when a CPU is negative
// or not below [MaxVCPUs]: CPU numbers from input must go through
// [ParseCPUSet] or [CPUSetOf], which return errors instead.
func NewCPUSet(cpus ...int) CPUSet {
	s, err := CPUSetOf(cpus)
	if err != nil {
		panic(err)
	}
	return s
}

// CPUSetOf returns the set holding cpus, or an error naming the first CPU
// that is negative or not below [MaxVCPUs].
func CPUSetOf(cpus []int) (CPUSet, error) {
	var s CPUSet
	for _, c := range cpus {
		if c < 0 || c >= MaxVCPUs {
			return CPUSet{}, fmt.Errorf("cpu %d out of range: CPU numbers run from 0 to %d", c, MaxVCPUs-1)
		}
		s.w[c/64] |= 1 << (c % 64)
	}
	return s, nil
}

// CPURange returns the set {lo, lo+1, ..., hi-1}; it is empty when hi <= lo.
// It panics like [NewCPUSet] on numbers out of range.
func CPURange(lo, hi int) CPUSet {
	var s CPUSet
	for c := lo; c < hi; c++ {
		s = s.Add(c)
	}
	return s
}

// ParseCPUSet reads the kernel's CPU list format ("0-3,8"), as found in
// sysfs and cpuset.cpus files.
func ParseCPUSet(list string) (CPUSet, error) {
	cpus, err := ParseCPUList(list)
	if err != nil {
		return CPUSet{}, err
	}
	s, err := CPUSetOf(cpus)
	if err != nil {
		return CPUSet{}, fmt.Errorf("cpu list %q: %w", list, err)
	}
	return s, nil
}

// Add returns s with cpu added. It panics like [NewCPUSet] on a number out
// of range.
func (s CPUSet) Add(cpu int) CPUSet {
	if cpu < 0 || cpu >= MaxVCPUs {
		panic(fmt.Sprintf("topo: cpu %d out of range 0-%d", cpu, MaxVCPUs-1))
	}
	s.w[cpu/64] |= 1 << (cpu % 64)
	return s
}

// Contains reports whether cpu is in s.
func (s CPUSet) Contains(cpu int) bool {
	if cpu < 0 || cpu >= MaxVCPUs {
		return false
	}
	return s.w[cpu/64]&(1<<(cpu%64)) != 0
}

// Len returns the number of CPUs in s.
func (s CPUSet) Len() int {
	n := 0
	for _, w := range s.w {
		n += bits.OnesCount64(w)
	}
	return n
}

// IsEmpty reports whether s holds no CPU.
func (s CPUSet) IsEmpty() bool { return s == CPUSet{} }

// CPUs returns the members of s in ascending order.
func (s CPUSet) CPUs() []int {
	out := make([]int, 0, s.Len())
	for i, w := range s.w {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, i*64+b)
			w &= w - 1
		}
	}
	return out
}

// Nth returns the n-th lowest CPU of s (from 0), or -1 when s has n or
// fewer CPUs.
func (s CPUSet) Nth(n int) int {
	if n < 0 {
		return -1
	}
	for i, w := range s.w {
		c := bits.OnesCount64(w)
		if n >= c {
			n -= c
			continue
		}
		for ; n > 0; n-- {
			w &= w - 1
		}
		return i*64 + bits.TrailingZeros64(w)
	}
	return -1
}

// First returns the lowest CPU of s, or -1 when s is empty.
func (s CPUSet) First() int { return s.Nth(0) }

// Last returns the highest CPU of s, or -1 when s is empty.
func (s CPUSet) Last() int {
	for i := len(s.w) - 1; i >= 0; i-- {
		if s.w[i] != 0 {
			return i*64 + 63 - bits.LeadingZeros64(s.w[i])
		}
	}
	return -1
}

// Union returns the CPUs in s or o.
func (s CPUSet) Union(o CPUSet) CPUSet {
	for i := range s.w {
		s.w[i] |= o.w[i]
	}
	return s
}

// Intersect returns the CPUs in both s and o.
func (s CPUSet) Intersect(o CPUSet) CPUSet {
	for i := range s.w {
		s.w[i] &= o.w[i]
	}
	return s
}

// Minus returns the CPUs in s but not in o.
func (s CPUSet) Minus(o CPUSet) CPUSet {
	for i := range s.w {
		s.w[i] &^= o.w[i]
	}
	return s
}

// SubsetOf reports whether every CPU of s is in o.
func (s CPUSet) SubsetOf(o CPUSet) bool { return s.Minus(o).IsEmpty() }

// String writes s in the kernel's CPU list format, e.g. "0-3,8"; the empty
// set is "".
func (s CPUSet) String() string { return FormatCPUList(s.CPUs()) }

// MarshalText implements encoding.TextMarshaler with the CPU list format.
func (s CPUSet) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; see [ParseCPUSet].
func (s *CPUSet) UnmarshalText(b []byte) error {
	p, err := ParseCPUSet(string(b))
	if err != nil {
		return err
	}
	*s = p
	return nil
}
