package topo

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	golden_ "github.com/gauntlet-sched/gauntlet/internal/golden"
)

// Regenerate the golden file with:
//
//	go test ./topo -run TestCPUSetResolutionGolden -update

// presetLayouts returns the expected layout of every preset.
func presetLayouts(t *testing.T) map[string]Layout {
	t.Helper()
	ps := Presets()
	if len(ps) != 28 {
		t.Fatalf("want the 28 presets, got %d", len(ps))
	}
	out := map[string]Layout{}
	for _, p := range ps {
		out[p.Name] = ExpectedLayout(p.Topology)
	}
	return out
}

func TestUsableCPUsKeepsLastForHarness(t *testing.T) {
	if got := UsableCPUs(CPURange(0, 2)); got != CPURange(0, 2) || HarnessCPU(CPURange(0, 2)) != -1 {
		t.Errorf("2 CPUs: usable %s harness %d, want all usable", got, HarnessCPU(CPURange(0, 2)))
	}
	if got := UsableCPUs(NewCPUSet(0)); got != NewCPUSet(0) {
		t.Errorf("1 CPU: usable %s", got)
	}
	for name, l := range presetLayouts(t) {
		on := l.Online()
		u := UsableCPUs(on)
		h := HarnessCPU(on)
		if u.Len() != on.Len()-1 || h != on.Last() || u.Contains(h) || !u.SubsetOf(on) {
			t.Errorf("%s: online %s usable %s harness %d", name, on, u, h)
		}
	}
}

func TestLLCAndNodeSetsPartitionUsable(t *testing.T) {
	for name, l := range presetLayouts(t) {
		u := UsableCPUs(l.Online())
		for kind, get := range map[string]func(int, CPUSet) (CPUSet, error){"llc": l.LLCSet, "node": l.NodeSet} {
			n := len(l.LLCs)
			if kind == "node" {
				n = len(l.Nodes)
			}
			var parts []CPUSet
			for i := 0; i < n; i++ {
				s, err := get(i, u)
				if err != nil {
					t.Fatalf("%s %s %d: %v", name, kind, i, err)
				}
				parts = append(parts, s)
			}
			checkPartition(t, name+" "+kind, u, parts)
			if _, err := get(n, u); err == nil {
				t.Errorf("%s: %s %d out of range accepted", name, kind, n)
			}
		}
	}
}

func TestLLCSetOutsideUsable(t *testing.T) {
	l := ExpectedLayout(shape(1, 2, 1, 1))
	if _, err := l.LLCSet(1, NewCPUSet(0)); err == nil || !strings.Contains(err.Error(), "LLC 1") {
		t.Errorf("LLC with no usable CPU: err %v", err)
	}
	if got := l.LLCOf(1); got != 1 {
		t.Errorf("LLCOf(1) = %d", got)
	}
	if got := l.NodeOf(5); got != -1 {
		t.Errorf("NodeOf(5) = %d", got)
	}
}

// checkPartition asserts parts are non-empty, disjoint, cover all, and
// that each part's CPUs come after the previous part's.
func checkPartition(t *testing.T, what string, all CPUSet, parts []CPUSet) {
	t.Helper()
	var union CPUSet
	for i, p := range parts {
		if p.IsEmpty() {
			t.Errorf("%s: part %d empty", what, i)
		}
		if !p.Intersect(union).IsEmpty() {
			t.Errorf("%s: part %d (%s) overlaps earlier parts %s", what, i, p, union)
		}
		if i > 0 && p.First() < parts[i-1].Last() {
			t.Errorf("%s: part %d (%s) not after part %d (%s)", what, i, p, i-1, parts[i-1])
		}
		union = union.Union(p)
	}
	if union != all {
		t.Errorf("%s: parts cover %s, want %s", what, union, all)
	}
}

func TestSplitOverPresets(t *testing.T) {
	for name, l := range presetLayouts(t) {
		u := UsableCPUs(l.Online())
		for _, n := range []int{1, 2, 3, 4, 7, u.Len()} {
			if n > u.Len() {
				continue
			}
			parts, err := u.Split(n)
			if err != nil {
				t.Fatalf("%s split %d: %v", name, n, err)
			}
			checkPartition(t, fmt.Sprintf("%s split %d", name, n), u, parts)
			lo, hi := parts[n-1].Len(), parts[0].Len()
			if hi-lo > 1 {
				t.Errorf("%s split %d: sizes %d..%d differ by more than one", name, n, lo, hi)
			}
		}
		if _, err := u.Split(u.Len() + 1); err == nil {
			t.Errorf("%s: split into more parts than CPUs accepted", name)
		}
	}
}

func TestRangeOverPresets(t *testing.T) {
	for name, l := range presetLayouts(t) {
		u := UsableCPUs(l.Online())
		whole, err := u.Range(0, 1)
		if err != nil || whole != u {
			t.Fatalf("%s range 0-1 = %s, %v", name, whole, err)
		}
		for _, cut := range []float64{0.25, 0.5, 0.75} {
			a, _ := u.Range(0, cut)
			b, _ := u.Range(cut, 1)
			checkPartition(t, fmt.Sprintf("%s cut %.2f", name, cut), u, []CPUSet{a, b})
		}
		tiny, err := u.Range(0.999, 1)
		if err != nil || tiny.Len() != 1 || tiny.First() != u.Last() {
			t.Errorf("%s narrow range = %s, %v; want the last CPU", name, tiny, err)
		}
	}
	for _, bad := range [][2]float64{{0.5, 0.5}, {-0.1, 1}, {0, 1.5}} {
		if _, err := CPURange(0, 4).Range(bad[0], bad[1]); err == nil {
			t.Errorf("range %v accepted", bad)
		}
	}
	if _, err := (CPUSet{}).Range(0, 1); err == nil {
		t.Error("range of an empty set accepted")
	}
}

func TestOverlapOverPresets(t *testing.T) {
	for name, l := range presetLayouts(t) {
		u := UsableCPUs(l.Online())
		for _, n := range []int{1, 2, 3} {
			parts, _ := u.Split(n)
			var union CPUSet
			for i := 0; i < n; i++ {
				zero, err := u.Overlap(i, n, 0)
				if err != nil || zero != parts[i] {
					t.Fatalf("%s overlap %d/%d frac 0 = %s, %v; want the disjoint part %s", name, i, n, zero, err, parts[i])
				}
				w, _ := u.Overlap(i, n, 0.5)
				full, _ := u.Overlap(i, n, 1)
				next := parts[(i+1)%n]
				if !parts[i].SubsetOf(w) || !w.SubsetOf(u) || (n > 1 && w.Intersect(next).IsEmpty()) {
					t.Errorf("%s overlap %d/%d frac 0.5 = %s; part %s next %s", name, i, n, w, parts[i], next)
				}
				if full != parts[i].Union(next) {
					t.Errorf("%s overlap %d/%d frac 1 = %s, want %s", name, i, n, full, parts[i].Union(next))
				}
				union = union.Union(w)
			}
			if union != u {
				t.Errorf("%s overlap windows of %d cover %s, want %s", name, n, union, u)
			}
		}
	}
	if _, err := CPURange(0, 4).Overlap(0, 2, 1.5); err == nil {
		t.Error("overlap fraction 1.5 accepted")
	}
	if _, err := CPURange(0, 4).Overlap(2, 2, 0.5); err == nil {
		t.Error("overlap window 2 of 2 accepted")
	}
}

func TestExact(t *testing.T) {
	u := CPURange(0, 3)
	if s, err := Exact([]int{2, 0}, u); err != nil || s != NewCPUSet(0, 2) {
		t.Errorf("Exact = %s, %v", s, err)
	}
	for _, bad := range [][]int{{3}, {}, {-1}} {
		if _, err := Exact(bad, u); err == nil {
			t.Errorf("Exact(%v) accepted", bad)
		}
	}
}

// TestCPUSetResolutionGolden pins the exact sets every kind of cpuset
// resolves to on each preset.
func TestCPUSetResolutionGolden(t *testing.T) {
	var b strings.Builder
	for _, p := range Presets() {
		l := ExpectedLayout(p.Topology)
		u := UsableCPUs(l.Online())
		fmt.Fprintf(&b, "%s %s usable=%s harness=%d\n", p.Name, p.Topology, u, HarnessCPU(l.Online()))
		fmt.Fprintf(&b, "  llcs=%s\n", resolveAll(len(l.LLCs), func(i int) (CPUSet, error) { return l.LLCSet(i, u) }))
		fmt.Fprintf(&b, "  nodes=%s\n", resolveAll(len(l.Nodes), func(i int) (CPUSet, error) { return l.NodeSet(i, u) }))
		for _, n := range []int{2, 3} {
			fmt.Fprintf(&b, "  split%d=%s\n", n, resolveAll(n, func(i int) (CPUSet, error) { return u.Disjoint(i, n) }))
			fmt.Fprintf(&b, "  overlap%d@0.5=%s\n", n, resolveAll(n, func(i int) (CPUSet, error) { return u.Overlap(i, n, 0.5) }))
		}
		lo, _ := u.Range(0, 0.5)
		hi, _ := u.Range(0.5, 1)
		fmt.Fprintf(&b, "  range0-0.5=%s range0.5-1=%s\n", lo, hi)
	}
	golden(t, filepath.Join("testdata", "cpuset_resolution.golden"), b.String())
}

func resolveAll(n int, get func(int) (CPUSet, error)) string {
	parts := make([]string, n)
	for i := range parts {
		s, err := get(i)
		parts[i] = s.String()
		if err != nil {
			parts[i] = "error(" + err.Error() + ")"
		}
	}
	return strings.Join(parts, " | ")
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	golden_.CheckString(t, path, got)
}
