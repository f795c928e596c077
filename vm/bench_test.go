package vm

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// bareInit is a busybox init that signals the host on the channel port as
// soon as it runs, then powers off.
const bareInit = `#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
echo -n R > /dev/vport0p1
/bin/busybox poweroff -f
`

// BenchmarkBootVsBare measures, under the accelerator auto mode picks, the
// time from Config.Start to the guest running this test binary (its Hello,
// sent first thing from the init) for a 2-vCPU VM, beside a bare QEMU boot
// of a busybox init with the same kernel and QEMU arguments (time from
// starting QEMU to the init's first byte on the same channel). Each
// iteration boots both, in alternating order, so host load affects them
// alike; the metrics are medians ("ratio" of the medians, "pair-ratio" the
// median of each iteration's ratio). Run:
//
//	CGO_ENABLED=0 go test ./vm -run '^$' -bench BootVsBare -benchtime 7x
func BenchmarkBootVsBare(b *testing.B) {
	cfg := vmConfig(b, "1n1l2c1t", "noop")
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		testutil.SkipNotPossible(b, "busybox not found; apt-get install busybox-static")
	}
	if CheckStaticBinary(busybox) != nil {
		testutil.SkipNotPossible(b, busybox+" is not static; apt-get install busybox-static")
	}
	cfg.CacheDir = b.TempDir() // the first boot builds the initramfs (cold)
	bare := bareMachine(b, cfg, busybox)
	var ours, oursTotal, setup, bareInit, bareTotal []time.Duration
	var ratios []float64
	for i := 0; i < b.N; i++ {
		var res Result
		var toInit, total time.Duration
		oursFirst := i%2 == 0 // alternate the order so a load trend hits both alike
		if !oursFirst {
			toInit, total = bareBoot(b, bare)
		}
		res, err := cfg.Run(b.Context())
		if err != nil || res.Outcome != spec.OutcomePass {
			b.Fatalf("boot: %v %s", err, explain(res))
		}
		if oursFirst {
			toInit, total = bareBoot(b, bare)
		}
		ours, oursTotal, setup = append(ours, res.BootTime), append(oursTotal, res.TotalTime), append(setup, res.SetupTime)
		bareInit, bareTotal = append(bareInit, toInit), append(bareTotal, total)
		ratios = append(ratios, res.BootTime.Seconds()/toInit.Seconds())
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "pair-ratio")
	b.Logf("gauntlet to main %v; total %v; setup %v (first is cold)", ours, oursTotal, setup)
	b.Logf("bare busybox to init %v; total %v", bareInit, bareTotal)
	b.ReportMetric(median(ours).Seconds(), "s-to-main")
	b.ReportMetric(median(bareInit).Seconds(), "s-bare-to-init")
	b.ReportMetric(median(ours).Seconds()/median(bareInit).Seconds(), "ratio")
	b.ReportMetric(median(oursTotal).Seconds(), "s-total")
	b.ReportMetric(median(bareTotal).Seconds(), "s-bare-total")
	b.ReportMetric(float64(setup[0].Microseconds())/1000, "ms-setup-cold")
	if len(setup) > 1 {
		b.ReportMetric(float64(median(setup[1:]).Microseconds())/1000, "ms-setup-warm")
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// bareMachine returns the machine cfg would boot, with a busybox
// initramfs instead of the test binary.
func bareMachine(b *testing.B, cfg Config, busybox string) machine {
	dir := b.TempDir()
	script := filepath.Join(dir, "init")
	if err := os.WriteFile(script, []byte(bareInit), 0o755); err != nil {
		b.Fatal(err)
	}
	entries, err := archiveEntries(script, []File{{Host: busybox, Guest: "/bin/busybox"}})
	if err != nil {
		b.Fatal(err)
	}
	initrd := filepath.Join(dir, "bare.cpio")
	if err := writeArchiveFile(b.Context(), initrd, entries); err != nil {
		b.Fatal(err)
	}
	r, err := cfg.resolve()
	if err != nil {
		b.Fatal(err)
	}
	ac := resolveAccel(r.Accel, r.CacheDir, r.qemu)
	return machine{qemu: r.qemu, name: "gauntlet-bare", topology: r.Topology, memoryMiB: r.MemoryMiB,
		accel: ac.accel, kernel: r.Kernel, initrd: initrd, consoleLog: filepath.Join(dir, "console.log"), channelFD: 3}
}

// bareBoot boots m and returns the time from starting QEMU to the init's
// first byte on the channel, and to QEMU's exit.
func bareBoot(b *testing.B, m machine) (toInit, total time.Duration) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	host, guest := os.NewFile(uintptr(fds[0]), "host"), os.NewFile(uintptr(fds[1]), "guest")
	defer host.Close()
	argv := m.argv()
	cmd := exec.CommandContext(b.Context(), argv[0], argv[1:]...)
	cmd.ExtraFiles = []*os.File{guest}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	guest.Close()
	var one [1]byte
	if _, err := io.ReadFull(host, one[:]); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		tail, _ := consoleTail(m.consoleLog)
		b.Fatalf("bare boot: no byte from the init: %v\n%s", err, tail)
	}
	toInit = time.Since(start)
	if err := cmd.Wait(); err != nil {
		b.Fatalf("bare boot: qemu: %v", err)
	}
	return toInit, time.Since(start)
}

// BenchmarkBootVCPUs measures boots of this test binary as the guest's
// init (a test that does nothing) at growing vCPU counts, under the
// accelerator auto mode picks and, for TCG, with multi- and
// single-threaded TCG: "s-to-main" is Config.Start to the init's first
// message, "s-total" to the VM's end (medians). The kernel is
// $KTSTR_TEST_KERNEL (spec.EnvTestKernel) or the newest /boot/vmlinuz-*, so two runs compare
// two kernels. Run:
//
//	CGO_ENABLED=0 go test ./vm -run '^$' -bench BootVCPUs -benchtime 3x
func BenchmarkBootVCPUs(b *testing.B) {
	for _, tp := range []string{"1n1l2c1t", "1n2l4c1t", "1n7l2c1t", "1n4l8c1t"} {
		for _, mode := range []TCGThreads{TCGThreadsMulti, TCGThreadsSingle} {
			b.Run(tp+"/"+string(mode), func(b *testing.B) {
				cfg := vmConfig(b, tp, "noop")
				cfg.TCGThreads = mode
				var boot, total []time.Duration
				for b.Loop() {
					res, err := cfg.Run(b.Context())
					if err != nil || res.Outcome != spec.OutcomePass {
						b.Fatalf("boot: %v %s", err, explain(res))
					}
					boot, total = append(boot, res.BootTime), append(total, res.TotalTime)
				}
				b.ReportMetric(median(boot).Seconds(), "s-to-main")
				b.ReportMetric(median(total).Seconds(), "s-total")
			})
		}
	}
}

// bootModes are the ways BenchmarkBootPVH boots a kernel: as before the
// PVH boot and lpj= (the bzImage, lpj=0 makes every CPU calibrate), the
// bzImage with lpj=, and what Start does by default (the vmlinux by PVH
// when the kernel has the entry, with lpj=).
var bootModes = []struct {
	name  string
	noPVH bool
	args  []string
}{
	{"bzImage", true, []string{"lpj=0"}},
	{"bzImage+lpj", true, nil},
	{"default", false, nil},
}

// BenchmarkBootPVH measures boot-to-init (Config.Start to the guest
// init's first message, Result.BootTime) at 1, 2, 4, 8 and 14 vCPUs under
// the accelerator and TCG threads auto mode picks, for each of bootModes,
// in rotating order within an iteration so host load hits them alike;
// the metrics are medians per mode, and a table of them is printed at the end. The
// kernel is $KTSTR_TEST_KERNEL or the newest /boot/vmlinuz-*. Run:
//
//	CGO_ENABLED=0 nice go test ./vm -run '^$' -bench BootPVH -benchtime 3x -timeout 60m
func BenchmarkBootPVH(b *testing.B) {
	b.Setenv(EnvNoPVH, "") // restored after; toggled per boot below
	type row struct {
		vcpus   int
		tp      string
		medians []time.Duration // per mode
		note    string
	}
	var rows []row
	for _, tp := range []string{"1n1l1c1t", "1n1l2c1t", "1n2l2c1t", "1n2l4c1t", "1n7l2c1t"} {
		cfg := vmConfig(b, tp, "noop")
		r := row{vcpus: cfg.Topology.CPUs(), tp: tp}
		b.Run(fmt.Sprintf("%dvcpus", r.vcpus), func(b *testing.B) {
			times := make([][]time.Duration, len(bootModes))
			i := 0
			for b.Loop() {
				for j := range bootModes {
					k := (i + j) % len(bootModes)
					mode := bootModes[k]
					c := cfg
					c.KernelArgs = mode.args
					if mode.noPVH {
						os.Setenv(EnvNoPVH, "1")
					} else {
						os.Setenv(EnvNoPVH, "")
					}
					res, err := c.Run(b.Context())
					if err != nil || res.Outcome != spec.OutcomePass {
						b.Fatalf("%s: boot: %v %s", mode.name, err, explain(res))
					}
					times[k] = append(times[k], res.BootTime)
					if k == len(bootModes)-1 {
						r.note = res.KernelNote
					}
				}
				i++
			}
			r.medians = nil
			for k, mode := range bootModes {
				b.ReportMetric(median(times[k]).Seconds(), "s-"+mode.name)
				r.medians = append(r.medians, median(times[k]))
				b.Logf("%s: %v", mode.name, times[k])
			}
		})
		if r.medians != nil {
			rows = append(rows, r)
		}
	}
	var t strings.Builder
	fmt.Fprintf(&t, "boot to init, median of each mode (%s):\n| vCPUs | topology |", testKernel(b))
	for _, m := range bootModes {
		fmt.Fprintf(&t, " %s |", m.name)
	}
	t.WriteString(" saved |\n|---|---|" + strings.Repeat("---|", len(bootModes)+1) + "\n")
	for _, r := range rows {
		fmt.Fprintf(&t, "| %d | %s |", r.vcpus, r.tp)
		for _, d := range r.medians {
			fmt.Fprintf(&t, " %.2f s |", d.Seconds())
		}
		fmt.Fprintf(&t, " %.2f s |\n", (r.medians[0] - r.medians[len(r.medians)-1]).Seconds())
	}
	if len(rows) > 0 {
		fmt.Fprintf(&t, "default mode: %s\n", rows[len(rows)-1].note)
	}
	fmt.Print(t.String()) // a parent benchmark's b.Log is not shown
}

// tcgBootPoints are the topologies of spec.TCGBootTime's table: 1, 4, 8,
// 16, 32 and 64 vCPUs.
var tcgBootPoints = []string{"1n1l1c1t", "1n2l2c1t", "1n2l4c1t", "1n4l4c1t", "1n4l8c1t", "1n8l8c1t"}

// BenchmarkBootTable measures what spec.TCGBootTime's table holds:
// Config.Start to the guest init's first message (Result.BootTime, the
// boot the runner records as boot_s) at its vCPU counts, under
// multi-threaded TCG alone (such a guest holds every core of a 2-core
// host) and under single-threaded TCG two at once (the planner packs two
// of them on a 2-core host), median of each. Run it under TCG on an idle
// 2-core host, with the kernel the table is for (-bench
// 'BootTable/(1n1l1c1t|1n2l2c1t)/multi' picks points and modes):
//
//	CGO_ENABLED=0 go test ./vm -run '^$' -bench BootTable -benchtime 3x -timeout 60m
func BenchmarkBootTable(b *testing.B) {
	var t strings.Builder
	fmt.Fprintf(&t, "boot to init under TCG, median (%s):\n| vCPUs | multi-threaded, alone | single-threaded, two at once |\n|---|---|---|\n", testKernel(b))
	for _, tp := range tcgBootPoints {
		var medians []time.Duration
		for _, mode := range []TCGThreads{TCGThreadsMulti, TCGThreadsSingle} {
			cfg := vmConfig(b, tp, "noop")
			cfg.Accel, cfg.TCGThreads = spec.AccelTCG, mode
			if mode == TCGThreadsSingle && cfg.Topology.CPUs() < 8 {
				medians = append(medians, 0) // the planner runs no guest this small single-threaded
				continue
			}
			pair := 1
			if mode == TCGThreadsSingle {
				pair = 2
			}
			var boots []time.Duration
			b.Run(fmt.Sprintf("%s/%s", tp, mode), func(b *testing.B) {
				for b.Loop() {
					res := make([]Result, pair)
					errs := make([]error, pair)
					var wg sync.WaitGroup
					for i := range pair {
						wg.Go(func() { res[i], errs[i] = cfg.Run(b.Context()) })
					}
					wg.Wait()
					for i := range pair {
						if errs[i] != nil || res[i].Outcome != spec.OutcomePass {
							b.Fatalf("boot: %v %s", errs[i], explain(res[i]))
						}
						boots = append(boots, res[i].BootTime)
					}
				}
				b.ReportMetric(median(boots).Seconds(), "s-to-init")
			})
			if len(boots) == 0 { // -bench left this one out
				medians = append(medians, 0)
				continue
			}
			medians = append(medians, median(boots))
		}
		if medians[0] == 0 && medians[1] == 0 {
			continue
		}
		cell := func(d time.Duration) string {
			if d == 0 {
				return "-"
			}
			return fmt.Sprintf("%.1f s", d.Seconds())
		}
		fmt.Fprintf(&t, "| %d | %s | %s |\n", topoCPUs(b, tp), cell(medians[0]), cell(medians[1]))
	}
	fmt.Print(t.String())
}

func topoCPUs(b *testing.B, tp string) int {
	t, err := topo.Parse(tp)
	if err != nil {
		b.Fatal(err)
	}
	return t.CPUs()
}
