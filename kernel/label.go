package kernel

import (
	"path/filepath"
	"regexp"
	"strconv"
)

var (
	// labelVersionRE is the version a label starts with.
	labelVersionRE = regexp.MustCompile(`[0-9]+\.[0-9]+(\.[0-9]+)?`)
	labelWordRE    = regexp.MustCompile(`[A-Za-z0-9]+`)
)

// Labels names each of ks for variant names: short, unique, and the same
// in every run for the same kernels given in the same order. A kernel's
// label is the version its release starts with (6.12.117 from
// 6.12.117+deb12-cloud-amd64), else the version in its file name, else
// "kernel". Kernels that share a label add the first word after the
// version in their release, file name or cache key, the first that has
// one (6.12.117-deb12, and 6.12.117-scx for bzImage-6.12-scx); a label
// still shared ends in the kernel's position instead (6.12.117-k2).
func Labels(ks []Kernel) []string {
	labels := make([]string, len(ks))
	for i, k := range ks {
		labels[i] = baseLabel(k)
	}
	for _, i := range shared(labels) {
		if w := labelWord(ks[i]); w != "" {
			labels[i] += "-" + w
		}
	}
	for _, i := range shared(labels) {
		labels[i] = baseLabel(ks[i]) + "-k" + strconv.Itoa(i+1)
	}
	return labels
}

// shared returns the indexes of the labels that occur more than once.
func shared(labels []string) []int {
	n := map[string]int{}
	for _, l := range labels {
		n[l]++
	}
	var out []int
	for i, l := range labels {
		if n[l] > 1 {
			out = append(out, i)
		}
	}
	return out
}

func baseLabel(k Kernel) string {
	for _, s := range []string{k.Release, filepath.Base(k.Path)} {
		if v := labelVersionRE.FindString(s); v != "" {
			return v
		}
	}
	return "kernel"
}

// labelWord is the first word after a version in k's release, file name
// or cache key.
func labelWord(k Kernel) string {
	for _, s := range []string{k.Release, filepath.Base(k.Path), k.CacheKey} {
		loc := labelVersionRE.FindStringIndex(s)
		if loc == nil {
			continue
		}
		if w := labelWordRE.FindString(s[loc[1]:]); w != "" {
			return w
		}
	}
	return ""
}
