package topo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ParseCPUList reads the kernel's CPU list format ("0-3,8,10-11", as in
// sysfs cpulist files and cpuset.cpus). Whitespace around the list is
// ignored; an empty list gives no CPUs. The result is ascending, without
// duplicates.
func ParseCPUList(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, err := parseCPURange(part)
		if err != nil {
			return nil, fmt.Errorf("cpu list %q: %w", s, err)
		}
		for c := lo; c <= hi; c++ {
			seen[c] = true
		}
	}
	out := make([]int, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Ints(out)
	return out, nil
}

// maxCPUNumber bounds list entries so a corrupt file cannot make
// ParseCPUList allocate without limit.
const maxCPUNumber = 1 << 16

func parseCPURange(part string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(strings.TrimSpace(part), "-")
	if lo, err = parseCPUNumber(a); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = parseCPUNumber(b); err != nil {
			return 0, 0, err
		}
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("range %q runs backwards", part)
	}
	return lo, hi, nil
}

func parseCPUNumber(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > maxCPUNumber {
		return 0, fmt.Errorf("%q is not a CPU number", s)
	}
	return n, nil
}

// FormatCPUList writes cpus in the kernel's CPU list format, merging
// consecutive numbers into ranges: [0 1 2 3 8] -> "0-3,8". cpus need not be
// sorted; duplicates are dropped.
func FormatCPUList(cpus []int) string {
	s := append([]int(nil), cpus...)
	sort.Ints(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] <= s[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(s[i]))
		if s[j] != s[i] {
			b.WriteString("-" + strconv.Itoa(s[j]))
		}
		i = j + 1
	}
	return b.String()
}
