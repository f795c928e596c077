package topo

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// readNUMA reads every node under nodeDir, by node number, keeping its
// online CPUs. With no node directory it returns one node holding all
// online CPUs, of unknown size.
func readNUMA(nodeDir string, online []int) ([]Node, error) {
	dirs, _ := filepath.Glob(filepath.Join(nodeDir, "node[0-9]*"))
	if len(dirs) == 0 {
		return []Node{{ID: 0, CPUs: append([]int(nil), online...), Distances: []int{LocalDistance}}}, nil
	}
	sort.Slice(dirs, func(i, j int) bool { return nodeNumber(dirs[i]) < nodeNumber(dirs[j]) })
	nodes := make([]Node, len(dirs))
	for i, d := range dirs {
		n, err := readNode(d, online)
		if err != nil {
			return nil, fmt.Errorf("numa %s: %w", filepath.Base(d), err)
		}
		nodes[i] = n
	}
	return nodes, nil
}

func nodeNumber(dir string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(dir), "node"))
	return n
}

// readNode reads one nodeN directory.
func readNode(dir string, online []int) (Node, error) {
	n := Node{ID: nodeNumber(dir)}
	cpus, err := readCPUListFile(filepath.Join(dir, "cpulist"))
	if err != nil {
		return Node{}, err
	}
	n.CPUs = keepOnline(cpus, online)
	if n.MemoryMiB, err = readNodeMemTotal(filepath.Join(dir, "meminfo")); err != nil {
		return Node{}, err
	}
	n.Distances, err = readInts(filepath.Join(dir, "distance"))
	return n, err
}

// readNodeMemTotal returns the MemTotal line of a node's meminfo
// ("Node 0 MemTotal:  256308 kB") in MiB, rounded down.
func readNodeMemTotal(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		_, rest, ok := strings.Cut(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("%s: MemTotal %q is not a size in kB", path, strings.TrimSpace(rest))
		}
		return kb / 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no MemTotal line", path)
}

// readInts reads a file of space-separated decimal numbers.
func readInts(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fields := strings.Fields(string(b))
	out := make([]int, len(fields))
	for i, f := range fields {
		if out[i], err = strconv.Atoi(f); err != nil {
			return nil, fmt.Errorf("%s: %q is not a number", path, f)
		}
	}
	return out, nil
}

// readFirmwareRAM adds up the "System RAM" entries of the firmware memory
// map under dir, in MiB to the nearest; zero when the kernel has no such
// map (CONFIG_FIRMWARE_MEMMAP off).
func readFirmwareRAM(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, e := range entries {
		size, err := readMemmapEntry(filepath.Join(dir, e.Name()))
		if err != nil {
			return 0, fmt.Errorf("firmware memory map entry %s: %w", e.Name(), err)
		}
		total += size
	}
	return int((total + 1<<19) >> 20), nil
}

// readMemmapEntry returns the size of a memory map entry if it is System
// RAM, else zero.
func readMemmapEntry(dir string) (uint64, error) {
	typ, err := os.ReadFile(filepath.Join(dir, "type"))
	if err != nil || strings.TrimSpace(string(typ)) != "System RAM" {
		return 0, err
	}
	var bounds [2]uint64
	for i, name := range []string{"start", "end"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return 0, err
		}
		if bounds[i], err = strconv.ParseUint(strings.TrimSpace(string(b)), 0, 64); err != nil {
			return 0, fmt.Errorf("%s %q is not an address", name, strings.TrimSpace(string(b)))
		}
	}
	if bounds[1] < bounds[0] {
		return 0, fmt.Errorf("end %#x is before start %#x", bounds[1], bounds[0])
	}
	return bounds[1] - bounds[0] + 1, nil
}
