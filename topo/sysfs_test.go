package topo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadSysfs expands a fixture from testdata/sysfs into a fake sysfs tree
// and returns its root. A fixture is "-- path --" headers each followed by
// the file's content; '#' lines before the first header are comments.
// The recorded ones come from real guests (see vm.TestRecordSysfs).
func loadSysfs(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sysfs", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var path string
	var content strings.Builder
	flush := func() {
		if path == "" {
			return
		}
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if h, ok := strings.CutPrefix(strings.TrimSpace(line), "-- "); ok && strings.HasSuffix(h, " --") {
			flush()
			path = strings.TrimSuffix(h, " --")
			content.Reset()
			continue
		}
		if path != "" {
			content.WriteString(line)
		}
	}
	flush()
	return root
}

func TestReadSysfsRecordedGuests(t *testing.T) {
	for _, name := range []string{"1n2l2c2t", "2n2l2c1t", "1n2l2c1t-possible8", "2n2l2c1t-memnodes1-dist20.28.36"} {
		t.Run(name, func(t *testing.T) {
			want, err := Parse(name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadSysfs(loadSysfs(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckLayout(want, got); err != nil {
				t.Error(err)
			}
			if tp, ok := got.Topology(); !ok || tp != want {
				t.Errorf("Topology() = %v, %v; want %v", tp, ok, want)
			}
		})
	}
}

func TestReadSysfsFallbacks(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		want    string
	}{
		// L2 as the LLC, thread_siblings_list, one node without a node dir.
		{"no-l3-old-kernel", "cpus 0-3; cores 0-1 2-3; llcs 0-1 2-3; nodes 0-3"},
		// Offline CPU 3 possible but in no group; LLC from the package;
		// node 1 memory-only, so not in nodes.
		{"offline-cpu", "cpus 0-2; cores 0 1 2; llcs 0-2; nodes 0-2; possible 0-3; memory-only nodes 1; node MiB 214 244 of 511"},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			got, err := ReadSysfs(loadSysfs(t, tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestReadSysfsErrors(t *testing.T) {
	_, err := ReadSysfs(loadSysfs(t, "bad-list"))
	if err == nil || !strings.Contains(err.Error(), "core_cpus_list") || !strings.Contains(err.Error(), `"x" is not a CPU number`) {
		t.Errorf("corrupt list: got %v, want an error naming the file and the bad entry", err)
	}
	if _, err := ReadSysfs(t.TempDir()); err == nil || !strings.Contains(err.Error(), "online") {
		t.Errorf("empty tree: got %v, want an error naming the online file", err)
	}
}

func TestExpectedLayoutAllPresets(t *testing.T) {
	for _, p := range Presets() {
		l := ExpectedLayout(p.Topology)
		tp := p.Topology
		if len(l.CPUs) != tp.CPUs() || len(l.Cores) != tp.CPUs()/tp.ThreadsPerCore ||
			len(l.LLCs) != tp.LLCs || len(l.Nodes) != tp.NUMA {
			t.Errorf("%s: %d cpus, %d cores, %d llcs, %d nodes", p.Name, len(l.CPUs), len(l.Cores), len(l.LLCs), len(l.Nodes))
		}
		if back, ok := l.Topology(); !ok || back != tp {
			t.Errorf("%s: Topology() = %v, %v", p.Name, back, ok)
		}
		if err := CheckLayout(tp, l); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
}

func TestCheckLayoutMismatch(t *testing.T) {
	want, _ := Parse("1n2l2c2t")
	got := ExpectedLayout(shape(1, 1, 4, 1))
	err := CheckLayout(want, got)
	if err == nil {
		t.Fatal("no error for a mismatch")
	}
	msg := err.Error()
	for _, s := range []string{"requested 1n2l2c2t", "guest has 1n1l4c1t", "online cpus: want 0-7, got 0-3",
		"smt siblings: want 0-1 2-3 4-5 6-7, got 0 1 2 3", "llc groups: want 0-3 4-7, got 0-3"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q:\n%s", s, msg)
		}
	}
	irregular := Layout{CPUs: []int{0, 1, 2}, Cores: [][]int{{0}, {1}, {2}}, LLCs: [][]int{{0, 1}, {2}}, Nodes: [][]int{{0, 1, 2}}}
	if _, ok := irregular.Topology(); ok {
		t.Error("an irregular layout claims a topology")
	}
	if err := CheckLayout(want, irregular); err == nil || !strings.Contains(err.Error(), "an irregular layout") {
		t.Errorf("irregular: %v", err)
	}
}

func TestCPUList(t *testing.T) {
	for _, tc := range []struct {
		in, out string
	}{
		{"0-3,8,10-11\n", "0-3,8,10-11"},
		{"5,1,2,3", "1-3,5"},
		{" 0 ", "0"},
		{"", ""},
		{"2-2,2", "2"},
	} {
		l, err := ParseCPUList(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := FormatCPUList(l); got != tc.out {
			t.Errorf("%q: formatted %q, want %q", tc.in, got, tc.out)
		}
	}
	for _, bad := range []string{"a", "3-1", "1,,2", "-1", "0-99999999"} {
		if _, err := ParseCPUList(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"0-3,8", "1", "", "3-1", "0-65536"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseCPUList(s)
		if err != nil {
			return
		}
		back, err := ParseCPUList(FormatCPUList(l))
		if err != nil || !equalInts(back, l) {
			t.Fatalf("%q: round trip gave %v, %v; want %v", s, back, err, l)
		}
	})
}

func TestCheckLayoutPossibleNodesDistances(t *testing.T) {
	for _, tc := range []struct {
		want, got string
		diffs     []string
	}{
		{"1n2l2c1t-possible8", "1n2l2c1t", []string{"guest has 1n2l2c1t (", "possible cpus: want 0-7, got 0-3"}},
		{"1n2l2c1t", "1n2l2c1t-possible8", []string{"guest has 1n2l2c1t-possible8 (", "possible cpus: want 0-3, got 0-7"}},
		{"2n2l2c1t-memnodes1-dist20.28.36", "2n2l2c1t", []string{"numa nodes: want 0:0-1 1:2-3 2:-, got 0:0-1 1:2-3",
			"numa distances: want 10,20,28 20,10,36 28,36,10, got 10,20 20,10"}},
		{"2n2l2c1t-memnodes1-dist20.28.36", "2n2l2c1t-memnodes1", []string{"guest has 2n2l2c1t-memnodes1 (",
			"numa distances: want 10,20,28 20,10,36 28,36,10, got 10,20,20 20,10,20 20,20,10"}},
	} {
		err := CheckLayout(mustParse(t, tc.want), ExpectedLayout(mustParse(t, tc.got)))
		for _, d := range tc.diffs {
			if err == nil || !strings.Contains(err.Error(), d) {
				t.Errorf("want %s, got %s: error %v lacks %q", tc.want, tc.got, err, d)
			}
		}
	}
}

func TestCheckLayoutNodeMemory(t *testing.T) {
	want := mustParse(t, "2n2l2c1t-memnodes1-dist20.28.36")
	l, err := ReadSysfs(loadSysfs(t, want.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := l.String(); !strings.Contains(got, "; memory-only nodes 2; node MiB 250 214 250 of 767; distances 10,20,28 20,10,36 28,36,10") {
		t.Errorf("String() = %s", got)
	}
	for _, tc := range []struct {
		node, mib int
		want      string
	}{
		{2, 0, "node memory: want 112 to 257 MiB per node (767 MiB RAM / 3 nodes, less the kernel's reservations), got node 2 0 MiB"},
		{0, 511, "got node 0 511 MiB"},
		{1, 100, "got node 1 100 MiB"},
	} {
		bad := l
		bad.NUMA = append([]Node(nil), l.NUMA...)
		bad.NUMA[tc.node].MemoryMiB = tc.mib
		if err := CheckLayout(want, bad); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("node %d with %d MiB: %v, want %q", tc.node, tc.mib, err, tc.want)
		}
	}
	unknown := l
	unknown.MemoryMiB = 0
	unknown.NUMA = append([]Node(nil), l.NUMA...)
	unknown.NUMA[2].MemoryMiB = 0
	if err := CheckLayout(want, unknown); err != nil {
		t.Errorf("memory check without the RAM size: %v", err)
	}
}

func TestReadSysfsNodeErrors(t *testing.T) {
	for _, tc := range []struct{ file, content, want string }{
		{"devices/system/node/node1/meminfo", "Node 1 MemFree: 5 kB\n", "no MemTotal line"},
		{"devices/system/node/node1/meminfo", "Node 1 MemTotal: lots kB\n", `MemTotal "lots kB" is not a size in kB`},
		{"devices/system/node/node2/distance", "28 x 10\n", `"x" is not a number`},
		{"firmware/memmap/0/end", "0xzz\n", `firmware memory map entry 0: end "0xzz" is not an address`},
	} {
		root := loadSysfs(t, "2n2l2c1t-memnodes1-dist20.28.36")
		if err := os.WriteFile(filepath.Join(root, tc.file), []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSysfs(root); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s = %q: %v, want %q", tc.file, tc.content, err, tc.want)
		}
	}
	root := loadSysfs(t, "1n2l2c2t")
	if err := os.Remove(filepath.Join(root, "devices/system/cpu/possible")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSysfs(root); err == nil || !strings.Contains(err.Error(), "possible") {
		t.Errorf("no possible file: %v", err)
	}
}
