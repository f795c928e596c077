package vm

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	golden_ "github.com/gauntlet-sched/gauntlet/internal/golden"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	golden_.CheckString(t, filepath.Join("testdata", name), got)
}

func testMachine(t topo.Topology) machine {
	return machine{
		qemu: "qemu-system-x86_64", name: "gauntlet-1-1", topology: t, memoryMiB: topo.GuestMemoryMiB(t, 0),
		accel: spec.AccelTCG, kernel: "/boot/vmlinuz", initrd: "/cache/initramfs/k.cpio",
		consoleLog: "/tmp/vm,1/console.log", channelFD: 3,
	}
}

// TestQEMUArgsPresets pins the QEMU command line of every preset.
// Regenerate testdata/qemu-args.golden with:
//
//	go test ./vm -run TestQEMUArgsPresets -update
func TestQEMUArgsPresets(t *testing.T) {
	var b strings.Builder
	b.WriteString("# QEMU argv per preset (TCG). Regenerate: go test ./vm -run TestQEMUArgsPresets -update\n")
	presets := topo.Presets()
	if len(presets) != 28 {
		t.Fatalf("%d presets, want 28", len(presets))
	}
	for _, p := range presets {
		fmt.Fprintf(&b, "\n%s (%s, %d vCPUs):\n%s\n", p.Name, p.Topology, p.Topology.CPUs(), QuoteArgs(testMachine(p.Topology).argv()))
	}
	golden(t, "qemu-args.golden", b.String())
}

func TestQEMUArgsShape(t *testing.T) {
	tp := topo.Topology{NUMA: 2, LLCs: 4, CoresPerLLC: 2, ThreadsPerCore: 2}
	a := testMachine(tp).argv()
	want := [][]string{
		{"-smp", "16,sockets=4,cores=2,threads=2"},
		{"-m", "1024"},
		{"-object", "memory-backend-ram,id=mem0,size=512M"},
		{"-numa", "node,nodeid=0,memdev=mem0,cpus=0-7"},
		{"-numa", "node,nodeid=1,memdev=mem1,cpus=8-15"},
		{"-accel", "tcg,thread=multi"},
		{"-chardev", "file,id=console,path=/tmp/vm,,1/console.log"},
		{"-chardev", "socket,id=channel,fd=3"},
		{"-device", "virtserialport,bus=vser0.0,chardev=channel,name=gauntlet.0"},
		{"-append", "console=ttyS0 panic=-1 oops=panic rdinit=/init tsc=reliable no_timer_check"},
	}
	for _, w := range want {
		if !containsPair(a, w[0], w[1]) {
			t.Errorf("argv lacks %s %s:\n%s", w[0], w[1], QuoteArgs(a))
		}
	}
	for _, flag := range []string{"-nodefaults", "-no-reboot", "-no-user-config"} {
		if !slices.Contains(a, flag) {
			t.Errorf("argv lacks %s", flag)
		}
	}
	kvm := testMachine(tp)
	kvm.accel, kvm.kernelArgs = spec.AccelKVM, []string{"quiet"}
	ka := kvm.argv()
	if !containsPair(ka, "-accel", "kvm") || !containsPair(ka, "-cpu", "host") || !containsPair(ka, "-append", "console=ttyS0 panic=-1 oops=panic rdinit=/init quiet") {
		t.Errorf("kvm argv: %s", QuoteArgs(ka))
	}
}

// TestQEMUArgsLPJ: lpj= goes on the command line under TCG only, after
// the TCG arguments, and not when the caller sets lpj= itself; -kernel is
// the machine's image (a vmlinux for a PVH boot).
func TestQEMUArgsLPJ(t *testing.T) {
	tp := topo.Topology{NUMA: 1, LLCs: 7, CoresPerLLC: 2, ThreadsPerCore: 1}
	m := testMachine(tp)
	m.lpj, m.kernel, m.kernelArgs = 10384600, "/cache/vmlinux/0123.vmlinux", []string{"quiet"}
	a := m.argv()
	if want := "console=ttyS0 panic=-1 oops=panic rdinit=/init tsc=reliable no_timer_check lpj=10384600 quiet"; !containsPair(a, "-append", want) {
		t.Errorf("tcg with lpj: argv lacks -append %q:\n%s", want, QuoteArgs(a))
	}
	if !containsPair(a, "-kernel", "/cache/vmlinux/0123.vmlinux") {
		t.Errorf("argv lacks the vmlinux as -kernel:\n%s", QuoteArgs(a))
	}
	m.kernelArgs = []string{"lpj=4000000"}
	if got, want := m.cmdline(), "console=ttyS0 panic=-1 oops=panic rdinit=/init tsc=reliable no_timer_check lpj=4000000"; got != want {
		t.Errorf("the caller's lpj=: cmdline %q, want %q", got, want)
	}
	m.kernelArgs, m.accel = nil, spec.AccelKVM
	if got, want := m.cmdline(), "console=ttyS0 panic=-1 oops=panic rdinit=/init"; got != want {
		t.Errorf("kvm: cmdline %q, want %q (no lpj=)", got, want)
	}
	m.accel, m.lpj = spec.AccelTCG, 0
	if got, want := m.cmdline(), "console=ttyS0 panic=-1 oops=panic rdinit=/init tsc=reliable no_timer_check"; got != want {
		t.Errorf("tcg, lpj unknown: cmdline %q, want %q", got, want)
	}
}

// TestQEMUArgsOptions: offline CPUs are present to QEMU and kept offline
// by the kernel's maxcpus=, each node lists its online and offline CPUs,
// memory-only nodes get a backend without CPUs, distances one option per
// pair.
func TestQEMUArgsOptions(t *testing.T) {
	tp, err := topo.Parse("2n4l2c1t-possible16-memnodes1-dist21.24.34")
	if err != nil {
		t.Fatal(err)
	}
	a := testMachine(tp).argv()
	want := [][]string{
		{"-smp", "16,sockets=8,cores=2,threads=1"},
		{"-m", "768"},
		{"-object", "memory-backend-ram,id=mem0,size=256M"},
		{"-numa", "node,nodeid=0,memdev=mem0,cpus=0-3,cpus=8-11"},
		{"-numa", "node,nodeid=1,memdev=mem1,cpus=4-7,cpus=12-15"},
		{"-object", "memory-backend-ram,id=mem2,size=256M"},
		{"-numa", "node,nodeid=2,memdev=mem2"},
		{"-numa", "dist,src=0,dst=1,val=21"},
		{"-numa", "dist,src=0,dst=2,val=24"},
		{"-numa", "dist,src=1,dst=2,val=34"},
		{"-append", "console=ttyS0 panic=-1 oops=panic rdinit=/init tsc=reliable no_timer_check maxcpus=8"},
	}
	for _, w := range want {
		if !containsPair(a, w[0], w[1]) {
			t.Errorf("argv lacks %s %s:\n%s", w[0], w[1], QuoteArgs(a))
		}
	}
	single, _ := topo.Parse("1n1l2c1t-possible4")
	sa := testMachine(single).argv()
	if !containsPair(sa, "-smp", "4,sockets=2,cores=2,threads=1") || !containsPair(sa, "-m", "512") || slices.Contains(sa, "-numa") {
		t.Errorf("one node with offline CPUs: %s", QuoteArgs(sa))
	}
	mem, _ := topo.Parse("1n1l2c1t-memnodes1")
	ma := testMachine(mem).argv()
	if !containsPair(ma, "-numa", "node,nodeid=0,memdev=mem0,cpus=0-1") || !containsPair(ma, "-numa", "node,nodeid=1,memdev=mem1") ||
		!containsPair(ma, "-m", "1024") || slices.Contains(ma, "dist,src=0,dst=1,val=20") {
		t.Errorf("one CPU node and a memory-only node: %s", QuoteArgs(ma))
	}
}

func containsPair(a []string, k, v string) bool {
	for i := 0; i+1 < len(a); i++ {
		if a[i] == k && a[i+1] == v {
			return true
		}
	}
	return false
}

func TestQuoteArgs(t *testing.T) {
	got := QuoteArgs([]string{"qemu", "-append", "console=ttyS0 panic=-1", "it's", ""})
	want := `qemu -append 'console=ttyS0 panic=-1' 'it'\''s' ''`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
