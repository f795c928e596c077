package vm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Integration tests: they boot real QEMU VMs with this test binary as the
// guest init (see TestMain) and skip, via testutil, when QEMU, a kernel or
// a static test binary is missing. CI runs them with
// GAUNTLET_REQUIRE_VM=1, CGO_ENABLED=0 and Debian's 6.12 cloud kernel.

// envHelper tells TestGuestHelper, inside a VM, what to do.
const envHelper = "GAUNTLET_VM_TEST_HELPER"

// TestGuestHelper is the guest side of the integration tests; on the host
// it skips.
func TestGuestHelper(t *testing.T) {
	mode := os.Getenv(envHelper)
	switch mode {
	case "":
		t.Skip("guest side of the vm integration tests; runs only inside their VMs")
	case "check":
		checkGuest(t)
	case "panic":
		panic("guest helper panics on purpose")
	case "noop":
		// boots for the benchmark: reach the test and end at once
	case "dump-sysfs":
		dumpSysfs(t)
	case "check-shape":
		checkGuest(t)
		printShapeSysfs(t)
		onlineFirstOffline(t)
	case "leave-process":
		// A process outside the test's process group, which the init's
		// kill of that group misses.
		cmd := exec.Command(os.Args[0], "-test.run", "^TestGuestHelper$")
		cmd.Env = append(os.Environ(), envHelper+"=hang")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		fmt.Println("guest helper: left process", cmd.Process.Pid)
	case "leave-cgroup":
		if err := os.Mkdir("/sys/fs/cgroup/leftover", 0o755); err != nil {
			t.Fatal(err)
		}
	case "hang":
		fmt.Println("guest helper: hanging")
		time.Sleep(24 * time.Hour) // a test that never returns
	default:
		t.Fatalf("unknown %s=%q", envHelper, mode)
	}
}

// checkGuest verifies, inside the VM, what the init promises a test: its
// filesystems, cgroup controllers, environment and topology.
func checkGuest(t *testing.T) {
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{" /proc proc ", " /sys sysfs ", " /dev devtmpfs ", " /tmp tmpfs ", " /run tmpfs ",
		" /dev/shm tmpfs ", " /sys/fs/cgroup cgroup2 ", " /sys/fs/bpf bpf ", " /sys/kernel/debug debugfs ", " /sys/kernel/tracing tracefs "} {
		if !bytes.Contains(mounts, []byte(want)) {
			t.Errorf("no mount %q in /proc/self/mounts:\n%s", want, mounts)
		}
	}
	ctl, err := os.ReadFile("/sys/fs/cgroup/cgroup.subtree_control")
	if err != nil || !strings.Contains(string(ctl), "cpuset") || !strings.Contains(string(ctl), "cpu ") && !strings.HasSuffix(strings.TrimSpace(string(ctl)), "cpu") {
		t.Errorf("cgroup.subtree_control = %q, %v; want cpuset and cpu", ctl, err)
	}
	if os.Getpid() == 1 || os.Getenv(spec.EnvGuest) != "1" {
		t.Errorf("pid %d, %s=%q: want a child of the init with %s=1", os.Getpid(), spec.EnvGuest, os.Getenv(spec.EnvGuest), spec.EnvGuest)
	}
	var v spec.Variant
	if err := json.Unmarshal([]byte(os.Getenv(spec.EnvVariant)), &v); err != nil {
		t.Fatalf("%s: %v", spec.EnvVariant, err)
	}
	l, err := topo.ReadSysfs("/sys")
	if err != nil {
		t.Fatal(err)
	}
	if err := topo.CheckLayout(v.Topology, l); err != nil {
		t.Error(err)
	}
	fmt.Printf("guest check: variant %s topology %s accel %s layout %s\n", v.Name, v.Topology, v.Accel, l)
}

// printShapeSysfs prints the guest's CPU masks and, per NUMA node, its
// CPU list, distances and MemTotal, as "guest sysfs:" lines.
func printShapeSysfs(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	cpu := "/sys/devices/system/cpu/"
	fmt.Printf("guest sysfs: possible %s present %s online %s offline %s\n",
		read(cpu+"possible"), read(cpu+"present"), read(cpu+"online"), read(cpu+"offline"))
	nodes, _ := filepath.Glob("/sys/devices/system/node/node[0-9]*")
	for _, n := range nodes {
		mem, _, _ := strings.Cut(read(n+"/meminfo"), "\n") // "Node 0 MemTotal: 256308 kB"
		fmt.Printf("guest sysfs: %s cpulist %s distance %s (%s)\n", filepath.Base(n), read(n+"/cpulist"), read(n+"/distance"), strings.Join(strings.Fields(mem), " "))
	}
}

// onlineFirstOffline brings the variant's first offline CPU online,
// checks that it joins the NUMA node and LLC its topology puts it in, and
// takes it offline again.
func onlineFirstOffline(t *testing.T) {
	var v spec.Variant
	if err := json.Unmarshal([]byte(os.Getenv(spec.EnvVariant)), &v); err != nil {
		t.Fatal(err)
	}
	tp := v.Topology
	if tp.Offline() == 0 {
		return
	}
	cpu, node := tp.CPUs(), -1
	for n := 0; n < tp.NUMA; n++ {
		if slices.Contains(tp.NodeCPUs(n), cpu) {
			node = n
		}
	}
	setOnline(t, cpu, "1")
	l, err := topo.ReadSysfs("/sys")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(l.CPUs, cpu) || !slices.Contains(l.NUMA[node].CPUs, cpu) || !slices.ContainsFunc(l.LLCs, func(g []int) bool { return slices.Equal(g, []int{cpu}) }) {
		t.Errorf("cpu%d online: layout %s; want it online in node %d, alone in its LLC", cpu, l, node)
	}
	setOnline(t, cpu, "0")
	if l, err := topo.ReadSysfs("/sys"); err != nil || topo.CheckLayout(tp, l) != nil {
		t.Errorf("after cpu%d went offline again: %v, %v", cpu, err, topo.CheckLayout(tp, l))
	}
	fmt.Printf("guest hotplug: cpu%d came online in node %d, alone in its LLC; offline again\n", cpu, node)
}

func setOnline(t *testing.T, cpu int, state string) {
	p := fmt.Sprintf("/sys/devices/system/cpu/cpu%d/online", cpu)
	if err := os.WriteFile(p, []byte(state), 0o644); err != nil {
		t.Fatalf("write %s to %s: %v", state, p, err)
	}
}

// sysfsFixtureFiles are the sysfs files topo.ReadSysfs may read.
var sysfsFixtureFiles = []string{
	"devices/system/cpu/online",
	"devices/system/cpu/possible",
	"devices/system/cpu/cpu*/topology/core_cpus_list",
	"devices/system/cpu/cpu*/topology/thread_siblings_list",
	"devices/system/cpu/cpu*/topology/package_cpus_list",
	"devices/system/cpu/cpu*/cache/index*/level",
	"devices/system/cpu/cpu*/cache/index*/type",
	"devices/system/cpu/cpu*/cache/index*/shared_cpu_list",
	"devices/system/node/online",
	"devices/system/node/node*/cpulist",
	"devices/system/node/node*/meminfo",
	"devices/system/node/node*/distance",
	"firmware/memmap/*/start",
	"firmware/memmap/*/end",
	"firmware/memmap/*/type",
}

// dumpSysfs prints the guest's topology files as a fixture (see
// topo/testdata/sysfs), between marker lines.
func dumpSysfs(t *testing.T) {
	fmt.Println("sysfs fixture begin")
	for _, g := range sysfsFixtureFiles {
		files, _ := filepath.Glob("/sys/" + g)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("-- %s --\n%s", strings.TrimPrefix(f, "/sys/"), b)
		}
	}
	fmt.Println("sysfs fixture end")
}

// recordSysfs, when set, makes TestRecordSysfs write guest sysfs fixtures
// for package topo.
var recordSysfs = flag.Bool("record-sysfs", false, "boot VMs and record topo/testdata/sysfs fixtures")

// TestRecordSysfs records real guest sysfs trees as topo's test fixtures:
//
//	CGO_ENABLED=0 go test ./vm -run TestRecordSysfs -record-sysfs
func TestRecordSysfs(t *testing.T) {
	if !*recordSysfs {
		t.Skip("run with -record-sysfs to record topo/testdata/sysfs")
	}
	for _, tp := range []string{"1n2l2c2t", "2n2l2c1t", "1n2l2c1t-possible8", "2n2l2c1t-memnodes1-dist20.28.36"} {
		res := run(t, vmConfig(t, tp, "dump-sysfs"))
		out := string(res.Output)
		i, j := strings.Index(out, "sysfs fixture begin\n"), strings.Index(out, "sysfs fixture end")
		if res.Outcome != spec.OutcomePass || i < 0 || j < i {
			t.Fatalf("no fixture from %s: %s", tp, explain(res))
		}
		head := "# Recorded from a real guest booted at " + tp + " (QEMU q35, TCG, Debian 6.12 cloud kernel) by:\n" +
			"#   CGO_ENABLED=0 go test ./vm -run TestRecordSysfs -record-sysfs\n"
		p := filepath.Join("..", "topo", "testdata", "sysfs", tp+".txt")
		if err := os.WriteFile(p, []byte(head+out[i+len("sysfs fixture begin\n"):j]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testKernel returns KTSTR_TEST_KERNEL, else the newest /boot/vmlinuz-*.
func testKernel(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(spec.EnvTestKernel); p != "" {
		return p
	}
	imgs, _ := filepath.Glob("/boot/vmlinuz-*")
	sort.Slice(imgs, func(i, j int) bool { return modTime(imgs[i]).After(modTime(imgs[j])) })
	if len(imgs) == 0 {
		testutil.SkipNotPossible(t, "no kernel image: set "+spec.EnvTestKernel+" or install one (apt-get install linux-image-cloud-amd64)")
	}
	return imgs[0]
}

func modTime(p string) time.Time {
	info, err := os.Stat(p)
	if err != nil {
		return time.Time{}
	}
	return info.ModTime()
}

// vmConfig returns a Config booting this test binary to run
// TestGuestHelper in mode, or skips when the host cannot.
func vmConfig(t testing.TB, topology, mode string) Config {
	t.Helper()
	if _, err := LookQEMU(); err != nil {
		testutil.SkipIfNotSupported(t, err)
	}
	k := testKernel(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckStaticBinary(exe); errors.Is(err, ErrNotStatic) {
		testutil.SkipNotPossible(t, "the vm test binary is dynamically linked and cannot be a VM's init; run the tests with CGO_ENABLED=0")
	}
	tp, err := topo.Parse(topology)
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		Kernel: k, Init: exe, Topology: tp,
		Args:    []string{"-test.run", "^TestGuestHelper$", "-test.v"},
		Env:     []string{envHelper + "=" + mode},
		Variant: &spec.Variant{Name: "TestGuestHelper", Preset: topology},
	}
}

func run(t *testing.T, cfg Config) Result {
	t.Helper()
	res, err := cfg.Run(t.Context())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Logf("%s in %v (boot %v, guest uptime at init %v, %s)", res.Outcome, res.TotalTime.Round(time.Millisecond),
		res.BootTime.Round(time.Millisecond), res.GuestUptime.Round(time.Millisecond), res.Accel)
	return res
}

// explain formats a result's evidence for a failure message.
func explain(res Result) string {
	return fmt.Sprintf("outcome %s: %s\noutput:\n%s\nconsole tail:\n%s\nqemu: %s", res.Outcome, res.Reason, res.Output, res.ConsoleTail, res.QEMUArgs)
}

func TestBootRunsNextTestInSameVM(t *testing.T) {
	// A process left behind is killed and reaped (the guest stays clean);
	// a cgroup left behind makes the guest dirty: the chain ends there.
	modes := []string{"check", "leave-process", "leave-cgroup", "check"}
	cfgs := make([]Config, len(modes))
	var got []Result
	for i, mode := range modes {
		cfgs[i] = vmConfig(t, "1n1l2c1t", mode)
		cfgs[i].Next = func(r Result) *Config {
			got = append(got, r)
			if i+1 < len(cfgs) {
				return &cfgs[i+1]
			}
			return nil
		}
	}
	run(t, cfgs[0])
	if len(got) != 3 {
		t.Fatalf("%d results, want 3 (the fourth test must not run in a dirty guest)", len(got))
	}
	for i, r := range got {
		t.Logf("test %d (%s): %s in %v, shared %v, reusable %v, dirty %q", i+1, modes[i], r.Outcome, r.TotalTime.Round(time.Millisecond), r.Shared, r.Reusable, r.Dirty)
		if r.Outcome != spec.OutcomePass || r.Name != got[0].Name || r.Shared != (i > 0) {
			t.Errorf("test %d: %s (VM %s, shared %v)", i+1, explain(r), r.Name, r.Shared)
		}
	}
	if !got[0].Reusable || !got[1].Reusable {
		t.Errorf("clean guests not reusable: dirty %q, %q", got[0].Dirty, got[1].Dirty)
	}
	if got[2].Reusable || got[2].Dirty != "cgroups left: leftover" {
		t.Errorf("after a cgroup was left: reusable %v, dirty %q; want cgroups left: leftover", got[2].Reusable, got[2].Dirty)
	}
	if !bytes.Contains(got[1].Output, []byte("guest helper: left process")) || !bytes.Contains(got[0].Output, []byte("guest check: variant")) {
		t.Errorf("outputs:\n%s\n%s", got[0].Output, got[1].Output)
	}
}

func TestBootTopologyFidelity(t *testing.T) {
	for _, tp := range []string{"1n1l2c1t", "1n2l2c2t", "2n2l2c1t"} {
		t.Run(tp, func(t *testing.T) {
			t.Parallel()
			cfg := vmConfig(t, tp, "check")
			res := run(t, cfg)
			if res.Outcome != spec.OutcomePass || res.ExitCode != 0 {
				t.Fatalf("want passed with exit 0, got %s", explain(res))
			}
			want := topo.ExpectedLayout(cfg.Topology)
			if res.Observed == nil || !res.Observed.Equal(want) {
				t.Errorf("observed layout %v, want %v", res.Observed, want)
			}
			if !bytes.Contains(res.Output, []byte("guest check: variant TestGuestHelper topology "+tp)) {
				t.Errorf("output lacks the guest check line:\n%s", res.Output)
			}
			if len(res.Warnings) > 0 {
				t.Errorf("init warnings: %q", res.Warnings)
			}
			if res.BootTime <= 0 || res.GuestUptime <= 0 || res.TotalTime < res.BootTime {
				t.Errorf("boot %v, uptime %v, total %v: want 0 < boot <= total and uptime > 0", res.BootTime, res.GuestUptime, res.TotalTime)
			}
		})
	}
}

// TestBootTopologyShapes boots a topology with offline CPUs and one with
// a memory-only node and explicit distances; the guest checks both
// (possible and online CPUs, node CPUs, memory and distances), prints its
// sysfs lines, and brings the first offline CPU online and back.
func TestBootTopologyShapes(t *testing.T) {
	for _, tc := range []struct {
		topology string
		want     []string
	}{
		{"2n2l2c1t-possible8", []string{"guest sysfs: possible 0-7 present 0-7 online 0-3 offline 4-7",
			"guest hotplug: cpu4 came online in node 0, alone in its LLC; offline again"}},
		{"2n2l2c1t-memnodes1-dist20.28.36", []string{"guest sysfs: possible 0-3 present 0-3 online 0-3 offline \n",
			"guest sysfs: node0 cpulist 0-1 distance 10 20 28", "guest sysfs: node1 cpulist 2-3 distance 20 10 36",
			"guest sysfs: node2 cpulist  distance 28 36 10"}},
	} {
		t.Run(tc.topology, func(t *testing.T) {
			t.Parallel()
			cfg := vmConfig(t, tc.topology, "check-shape")
			res := run(t, cfg)
			if res.Outcome != spec.OutcomePass || res.ExitCode != 0 {
				t.Fatalf("want passed with exit 0, got %s", explain(res))
			}
			if want := topo.ExpectedLayout(cfg.Topology); res.Observed == nil || !res.Observed.Equal(want) {
				t.Errorf("observed layout %v, want %v", res.Observed, want)
			}
			for _, w := range tc.want {
				if !bytes.Contains(res.Output, []byte(w)) {
					t.Errorf("output lacks %q:\n%s", w, res.Output)
				}
			}
			for _, line := range strings.Split(string(res.Output), "\n") {
				if strings.HasPrefix(line, "guest ") {
					t.Log(line)
				}
			}
		})
	}
}

func TestBootPanicIsCrash(t *testing.T) {
	t.Parallel()
	res := run(t, vmConfig(t, "1n1l2c1t", "panic"))
	if res.Outcome != spec.OutcomeCrash || !strings.Contains(res.Reason, "panic: guest helper panics on purpose") {
		t.Fatalf("want crashed with the panic text, got %s", explain(res))
	}
	if !strings.Contains(res.Reason, "goroutine") {
		t.Errorf("reason lacks the panic's stack:\n%s", res.Reason)
	}
}

func TestBootHangTimesOut(t *testing.T) {
	t.Parallel()
	cfg := vmConfig(t, "1n1l2c1t", "hang")
	cfg.Timeout = 30 * time.Second
	start := time.Now()
	res := run(t, cfg)
	took := time.Since(start)
	if res.Outcome != spec.OutcomeTimeout {
		t.Fatalf("want timed out, got %s", explain(res))
	}
	if took > cfg.Timeout+10*time.Second {
		t.Errorf("timed out after %v, want within timeout %v + 10s", took, cfg.Timeout)
	}
	if pids := processesNamed(t, res.Name); len(pids) > 0 {
		t.Errorf("qemu %s still running as pids %v after the timeout", res.Name, pids)
	}
	if res.BootTime > 0 && !bytes.Contains(res.Output, []byte("guest helper: hanging")) {
		t.Errorf("output of the hung test lost:\n%s", res.Output)
	}
}

// processesNamed lists processes whose command line holds "-name name".
func processesNamed(t *testing.T, name string) []string {
	t.Helper()
	if name == "" {
		t.Fatal("result has no VM name")
	}
	var pids []string
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, c := range cmdlines {
		b, err := os.ReadFile(c)
		if err == nil && bytes.Contains(b, []byte("\x00-name\x00"+name+"\x00")) {
			pids = append(pids, filepath.Base(filepath.Dir(c)))
		}
	}
	return pids
}

// TestBootInitExitIsKernelPanic: an init that exits panics the kernel, and
// the console excerpt keeps the init's last words and the panic whatever
// follows. panic_print=0x20 makes the kernel replay its whole log after
// the panic, so what follows is always far longer than the excerpt: the
// case where a tail-only excerpt lost the init's words (it did so whenever
// the call trace happened to be long).
func TestBootInitExitIsKernelPanic(t *testing.T) {
	t.Parallel()
	cfg := vmConfig(t, "1n1l2c1t", "")
	cfg.Init = buildExitInit(t)
	cfg.Timeout = 2 * time.Minute
	cfg.KernelArgs = append(cfg.KernelArgs, "panic_print=0x20")
	res := run(t, cfg)
	if res.Outcome != spec.OutcomeKernelPanic || !strings.Contains(res.Reason, "Attempted to kill init") {
		t.Fatalf("want kernel panic (attempted to kill init), got %s", explain(res))
	}
	words, panic := strings.Index(res.ConsoleTail, "exitinit: exiting"), strings.Index(res.ConsoleTail, "Kernel panic")
	if words < 0 || panic < words || !strings.Contains(res.ConsoleTail, " lines elided ...]") {
		t.Errorf("console excerpt lacks the init's last words, then the panic, then an elided trace:\n%s", res.ConsoleTail)
	}
}

// buildExitInit builds testdata/exitinit as a static binary.
func buildExitInit(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testutil.SkipNotPossible(t, "the go command is needed to build testdata/exitinit; put it on PATH")
	}
	out := filepath.Join(t.TempDir(), "exitinit")
	cmd := exec.CommandContext(t.Context(), goBin, "build", "-o", out, "./testdata/exitinit")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build exitinit: %v\n%s", err, b)
	}
	return out
}

func TestBootRejectsBadKernel(t *testing.T) {
	exe, _ := os.Executable()
	junk := filepath.Join(t.TempDir(), "not-a-kernel")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("junk"), 1024), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing-bzImage")
	for _, tc := range []struct {
		kernel string
		is     error
	}{{junk, kernel.ErrNotImage}, {missing, fs.ErrNotExist}} {
		_, err := Config{Kernel: tc.kernel, Init: exe}.Start(context.Background())
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.kernel) {
			t.Errorf("kernel %s: got %v, want an error wrapping %v that names the file", tc.kernel, err, tc.is)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
	}
}

// TestBootPVHAndLPJ boots the test kernel and checks what Start chose for
// it against the console: by the PVH entry when its config has
// CONFIG_PVH=y (no SeaBIOS, no decompressor), and under TCG with lpj= of
// the host's TSC rate, which the kernel takes instead of calibrating.
func TestBootPVHAndLPJ(t *testing.T) {
	t.Parallel()
	cfg := vmConfig(t, "1n1l2c1t", "noop")
	cfg.ConsoleLog = filepath.Join(t.TempDir(), "console.log")
	res := run(t, cfg)
	if res.Outcome != spec.OutcomePass {
		t.Fatalf("boot: %s", explain(res))
	}
	console, err := os.ReadFile(cfg.ConsoleLog)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kernel: %s", res.KernelNote)
	kcfg := kernel.ConfigBeside(cfg.Kernel)
	if kcfg != nil && kernel.ParseConfig(kcfg)["PVH"] == "y" {
		if !strings.HasPrefix(res.KernelNote, "booted its vmlinux by the PVH entry") || !strings.Contains(res.QEMUArgs, ".vmlinux") {
			t.Errorf("CONFIG_PVH=y, yet the VM booted %q (%s)", res.KernelNote, res.QEMUArgs)
		}
	}
	if res.Accel != spec.AccelTCG {
		return
	}
	hz, _ := hostTSC(cfg.CacheDir)
	if kcfg == nil || hz == 0 {
		t.Skipf("lpj= not checked: %s", res.KernelNote)
	}
	want := fmt.Sprintf("lpj=%d", hz/uint64(kernel.ConfigHZ(kcfg)))
	if !strings.Contains(res.QEMUArgs, want) || !bytes.Contains(console, []byte("Calibrating delay loop (skipped) preset value")) {
		t.Errorf("want %s on the command line and the calibration skipped:\n%s", want, consoleLines(console, "Calibrating delay loop", "Command line"))
	}
	// The guest's own TSC calibration agrees with the host's rate.
	if m := regexp.MustCompile(`tsc: Detected ([0-9.]+) MHz`).FindSubmatch(console); m != nil {
		mhz, _ := strconv.ParseFloat(string(m[1]), 64)
		t.Logf("guest TSC %.3f MHz, host %.3f MHz; %s", mhz, float64(hz)/1e6, consoleLines(console, "Calibrating delay loop"))
		if d := mhz/(float64(hz)/1e6) - 1; d > 0.01 || d < -0.01 {
			t.Errorf("guest TSC %.3f MHz, host %.3f MHz: lpj= would be wrong", mhz, float64(hz)/1e6)
		}
	}
}

// consoleLines returns the console's lines that contain any of subs.
func consoleLines(console []byte, subs ...string) string {
	var out []string
	for line := range strings.Lines(string(console)) {
		for _, s := range subs {
			if strings.Contains(line, s) {
				out = append(out, strings.TrimSpace(line))
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
