package topo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Layout is the CPU layout a machine actually has, as lists of logical CPU
// numbers: the online and the possible CPUs, and the groups of online CPUs
// sharing a core (SMT siblings), a last-level cache and a NUMA node.
// Groups are sorted by their lowest CPU, CPUs inside a group ascending.
// NUMA describes every online node, memory-only ones too.
//
// [ReadSysfs] reads it from a running system; [ExpectedLayout] computes
// what a VM booted with a [Topology] must show.
type Layout struct {
	CPUs     []int   `json:"cpus"`
	Possible []int   `json:"possible,omitempty"`
	Cores    [][]int `json:"cores"`
	LLCs     [][]int `json:"llcs"`
	// Nodes are the online CPUs of each NUMA node that has some, so
	// node index i is NUMA node i when memory-only nodes come last.
	Nodes [][]int `json:"nodes"`
	NUMA  []Node  `json:"numa,omitempty"`
	// MemoryMiB is the RAM the firmware's memory map reports (its
	// "System RAM" entries), to the nearest MiB; zero when unknown.
	MemoryMiB int `json:"memory_mib,omitempty"`
}

// Node is one online NUMA node.
type Node struct {
	ID int `json:"id"`
	// CPUs are the node's online CPUs, none for a memory-only node.
	CPUs []int `json:"cpus"`
	// MemoryMiB is the node's MemTotal: its RAM less what the kernel
	// reserved; zero when unknown.
	MemoryMiB int `json:"memory_mib,omitempty"`
	// Distances are the node's distances to every node, in node order.
	Distances []int `json:"distances"`
}

// ReadSysfs reads the layout of the running system from the sysfs tree
// mounted at root (normally "/sys"; tests pass a fake tree):
//
//   - online and possible CPUs from devices/system/cpu/{online,possible};
//   - SMT siblings from cpuN/topology/core_cpus_list, else
//     thread_siblings_list;
//   - LLC groups from cpuN/cache/index3/shared_cpu_list, else the highest
//     cache level listed under cpuN/cache, else the CPU's package;
//   - NUMA nodes from devices/system/node/nodeN/{cpulist,meminfo,distance};
//     Nodes keeps those with online CPUs; with no node directory (a
//     kernel without NUMA) all online CPUs form one node of unknown size;
//   - RAM from firmware/memmap/N/{start,end,type}, when the kernel has it
//     and NUMA.
func ReadSysfs(root string) (Layout, error) {
	l, err := readCPUs(filepath.Join(root, "devices/system/cpu"))
	if err != nil {
		return Layout{}, fmt.Errorf("read sysfs topology: %w", err)
	}
	if l.NUMA, err = readNUMA(filepath.Join(root, "devices/system/node"), l.CPUs); err != nil {
		return Layout{}, fmt.Errorf("read sysfs topology: %w", err)
	}
	for _, n := range l.NUMA {
		if len(n.CPUs) > 0 {
			l.Nodes = append(l.Nodes, n.CPUs)
		}
	}
	if l.NUMA[0].MemoryMiB > 0 { // node sizes are known: compare them with the RAM
		if l.MemoryMiB, err = readFirmwareRAM(filepath.Join(root, "firmware/memmap")); err != nil {
			return Layout{}, fmt.Errorf("read sysfs topology: %w", err)
		}
	}
	l.sort()
	return l, nil
}

// readCPUs reads the online and possible CPUs under cpuDir and groups the
// online ones by core and LLC.
func readCPUs(cpuDir string) (Layout, error) {
	online, err := readCPUListFile(filepath.Join(cpuDir, "online"))
	if err != nil {
		return Layout{}, err
	}
	possible, err := readCPUListFile(filepath.Join(cpuDir, "possible"))
	if err != nil {
		return Layout{}, err
	}
	l := Layout{CPUs: online, Possible: possible}
	for _, cpu := range online {
		dir := filepath.Join(cpuDir, "cpu"+strconv.Itoa(cpu))
		core, err := readFirstList(dir, "topology/core_cpus_list", "topology/thread_siblings_list")
		if err != nil {
			return Layout{}, fmt.Errorf("cpu%d siblings: %w", cpu, err)
		}
		llc, err := readLLC(dir)
		if err != nil {
			return Layout{}, fmt.Errorf("cpu%d last-level cache: %w", cpu, err)
		}
		l.Cores = addGroup(l.Cores, keepOnline(core, online))
		l.LLCs = addGroup(l.LLCs, keepOnline(llc, online))
	}
	return l, nil
}

// readFirstList reads the first of names (relative to dir) that exists.
func readFirstList(dir string, names ...string) ([]int, error) {
	for _, n := range names {
		l, err := readCPUListFile(filepath.Join(dir, n))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return l, err
	}
	return nil, fmt.Errorf("none of %s in %s: %w", strings.Join(names, ", "), dir, fs.ErrNotExist)
}

// readLLC returns the CPUs sharing the last-level cache of the CPU whose
// sysfs directory is dir.
func readLLC(dir string) ([]int, error) {
	l, err := readCPUListFile(filepath.Join(dir, "cache/index3/shared_cpu_list"))
	if !errors.Is(err, fs.ErrNotExist) {
		return l, err
	}
	if idx, ok := highestCacheIndex(filepath.Join(dir, "cache")); ok {
		return readCPUListFile(filepath.Join(idx, "shared_cpu_list"))
	}
	return readFirstList(dir, "topology/package_cpus_list", "topology/core_siblings_list")
}

// highestCacheIndex returns the cache/indexN directory with the highest
// level, preferring unified caches at equal level.
func highestCacheIndex(cacheDir string) (string, bool) {
	dirs, _ := filepath.Glob(filepath.Join(cacheDir, "index[0-9]*"))
	best, bestRank := "", -1
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "level"))
		if err != nil {
			continue
		}
		level, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			continue
		}
		rank := level * 2
		if t, _ := os.ReadFile(filepath.Join(d, "type")); strings.TrimSpace(string(t)) == "Unified" {
			rank++
		}
		if rank > bestRank {
			best, bestRank = d, rank
		}
	}
	return best, bestRank >= 0
}

// addGroup appends g to groups unless an equal group is already there.
func addGroup(groups [][]int, g []int) [][]int {
	for _, have := range groups {
		if equalInts(have, g) {
			return groups
		}
	}
	return append(groups, g)
}

// keepOnline returns the members of cpus that are in online.
func keepOnline(cpus, online []int) []int {
	on := make(map[int]bool, len(online))
	for _, c := range online {
		on[c] = true
	}
	out := make([]int, 0, len(cpus))
	for _, c := range cpus {
		if on[c] {
			out = append(out, c)
		}
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sort puts l in canonical order: CPUs ascending inside groups, groups by
// their first CPU.
func (l *Layout) sort() {
	sort.Ints(l.CPUs)
	for _, gs := range [][][]int{l.Cores, l.LLCs} {
		for _, g := range gs {
			sort.Ints(g)
		}
		sort.Slice(gs, func(i, j int) bool { return firstCPU(gs[i]) < firstCPU(gs[j]) })
	}
	for _, g := range l.Nodes {
		sort.Ints(g)
	}
	sort.Ints(l.Possible)
}

func firstCPU(g []int) int {
	if len(g) == 0 {
		return -1
	}
	return g[0]
}

func readCPUListFile(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l, err := ParseCPUList(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}
