package vm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// The runner tests below start this test binary as a fake QEMU (see
// TestMain): it parses the QEMU arguments it is given and plays a guest
// on the channel socket, which makes kills, timeouts, cancellation and
// the KVM fallback testable in milliseconds, without QEMU or a kernel.

// envFakeQEMU selects the fake QEMU's behaviour.
const envFakeQEMU = "GAUNTLET_FAKE_QEMU"

// fakeQEMU is the fake emulator's main; it returns the exit code.
func fakeQEMU(mode string, args []string) int {
	accel, console := argAfter(args, "-accel"), ""
	for i, a := range args {
		if a == "-chardev" && strings.HasPrefix(args[i+1], "file,id=console,path=") {
			console = strings.ReplaceAll(strings.TrimPrefix(args[i+1], "file,id=console,path="), ",,", ",")
		}
	}
	os.WriteFile(console, []byte("fake console\n"), 0o644)
	if mode == "kvmfail" && accel == "kvm" {
		fmt.Fprint(os.Stderr, "KVM internal error. Suberror: 1\nemulation failure\n")
		hang() // a KVM guest stuck on the failure, until killed
	}
	switch mode {
	case "badargs":
		fmt.Fprintln(os.Stderr, "qemu-system-x86_64: -smp 999: invalid")
		return 1
	case "panic":
		os.WriteFile(console, []byte("[ 1.0] Kernel panic - not syncing: fake\n"), 0o644)
		return 0
	case "int3", "int3-once", "int3-mttcg":
		// The emulator race; "int3-once" races only on the first boot,
		// marked by a file beside the cache dir's archives; "int3-mttcg"
		// races whenever TCG runs multi-threaded.
		marker := filepath.Join(os.Getenv("TMPDIR"), "raced")
		_, err := os.Stat(marker)
		if mode == "int3" || mode == "int3-once" && err != nil || mode == "int3-mttcg" && slices.Contains(args, "tcg,thread=multi") {
			os.WriteFile(marker, nil, 0o644)
			os.WriteFile(console, []byte("[ 1.0] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\n[ 1.1] RIP: 0010:set_next_task_idle+0x12/0x210\n[ 1.2] Kernel panic - not syncing: Fatal exception in interrupt\n"), 0o644)
			return 0
		}
	}
	ch := os.NewFile(3, "channel")
	vmchan.WriteJSON(ch, vmchan.KindHello, vmchan.Hello{Uptime: time.Second})
	f, err := vmchan.Read(ch)
	if err != nil {
		return 3
	}
	var req vmchan.Request
	f.Decode(&req)
	if mode == "reuse" || mode == "reuse-dirty" {
		return fakeReuse(ch, console, mode, req)
	}
	if req.Topology != nil {
		vmchan.WriteJSON(ch, vmchan.KindLayout, topo.ExpectedLayout(*req.Topology))
	}
	out := vmchan.Writer{W: ch}
	switch mode {
	case "hang":
		fmt.Fprintln(out, "hanging")
		hang()
	case "skip":
		fmt.Fprint(out, "=== RUN   TestX\n--- SKIP: TestX (0.00s)\n    x_test.go:5: kernel lacks sched_ext\nPASS\n")
	default:
		fmt.Fprintf(out, "accel=%s args=%q env=%q\n", accel, req.Args, req.Env)
	}
	vmchan.WriteJSON(ch, vmchan.KindStatus, vmchan.Status{Exit: 0})
	vmchan.Read(ch) // the ack
	if mode == "nopoweroff" {
		hang()
	}
	return 0
}

// fakeReuse plays a guest that runs requests until told to power off:
// each test passes and reports itself reusable ("reuse-dirty": leaves a
// cgroup behind) unless its arguments hold "fail"; each appends a line to
// the console.
func fakeReuse(ch *os.File, console, mode string, req vmchan.Request) int {
	for n := 1; ; n++ {
		vmchan.WriteJSON(ch, vmchan.KindLayout, topo.ExpectedLayout(*req.Topology))
		fmt.Fprintf(vmchan.Writer{W: ch}, "test %d args=%q\n", n, req.Args)
		c, _ := os.OpenFile(console, os.O_APPEND|os.O_WRONLY, 0)
		fmt.Fprintf(c, "console of test %d\n", n)
		c.Close()
		st := vmchan.Status{Exit: 0, Reusable: true}
		if slices.ContainsFunc(req.Args, func(a string) bool { return strings.Contains(strings.ToLower(a), "fail") }) {
			st = vmchan.Status{Exit: 1}
		} else if mode == "reuse-dirty" {
			st = vmchan.Status{Exit: 0, Dirty: "cgroups left: x"}
		}
		vmchan.WriteJSON(ch, vmchan.KindStatus, st)
		f, err := vmchan.Read(ch)
		if err != nil || f.Kind != vmchan.KindRequest {
			return 0 // the ack: power off
		}
		req = vmchan.Request{}
		f.Decode(&req)
	}
}

// hang blocks until the process is killed. (A bare select{} would be
// reported as a deadlock by the runtime.)
func hang() { time.Sleep(24 * time.Hour) }

func argAfter(args []string, flag string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag {
			v, _, _ := strings.Cut(args[i+1], ",")
			return v
		}
	}
	return ""
}

// fakeConfig returns a Config whose QEMU is this binary in mode, with a
// fake kernel image and a fake static init.
func fakeConfig(t *testing.T, mode string) Config {
	t.Helper()
	t.Setenv(envFakeQEMU, mode)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // per-VM temporary directories land here
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	img := make([]byte, 0x300)
	copy(img[0x202:], "HdrS")
	kernel := filepath.Join(t.TempDir(), "bzImage")
	os.WriteFile(kernel, img, 0o644)
	return Config{
		Kernel: kernel, Init: fakeELF(t, "", 62), QEMU: exe, Accel: spec.AccelTCG,
		CacheDir: t.TempDir(), Args: []string{"-test.run", "^TestX$"},
	}
}

// assertClean checks that no fake QEMU of this process is left and that
// the per-VM temporary directories are gone.
func assertClean(t *testing.T) {
	t.Helper()
	prefix := fmt.Sprintf("\x00-name\x00gauntlet-%d-", os.Getpid())
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, c := range cmdlines {
		if b, err := os.ReadFile(c); err == nil && bytes.Contains(b, []byte(prefix)) && bytes.Contains(b, []byte("fake")) {
			t.Errorf("emulator left running: %s", c)
		}
	}
	left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "gauntlet-vm-*"))
	if len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

func TestRunFakePass(t *testing.T) {
	cfg := fakeConfig(t, "pass")
	cfg.Env = []string{"X=1"}
	var live bytes.Buffer
	cfg.Output = &live
	res, err := cfg.Run(t.Context())
	if err != nil || res.Outcome != spec.OutcomePass || res.ExitCode != 0 {
		t.Fatalf("%v: %s", err, explain(res))
	}
	out := string(res.Output)
	if !strings.Contains(out, `accel=tcg args=["-test.run" "^TestX$"] env=["X=1"]`) || live.String() != out {
		t.Errorf("output %q, live %q", out, live.String())
	}
	if res.Observed == nil || res.BootTime <= 0 || res.GuestUptime != time.Second || res.Accel != spec.AccelTCG ||
		!strings.Contains(res.QEMUArgs, "-smp 2,sockets=1,cores=2,threads=1") || res.ConsoleTail != "fake console" {
		t.Errorf("result %+v", res)
	}
	assertClean(t)
}

func TestRunFakeOutcomes(t *testing.T) {
	for _, tc := range []struct {
		mode   string
		want   spec.Outcome
		reason string
	}{
		{"skip", spec.OutcomeSkip, "kernel lacks sched_ext"},
		{"badargs", spec.OutcomeQEMUFailed, "-smp 999: invalid"},
		{"panic", spec.OutcomeKernelPanic, "Kernel panic - not syncing: fake"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			res, err := fakeConfig(t, tc.mode).Run(t.Context())
			if err != nil || res.Outcome != tc.want || !strings.Contains(res.Reason, tc.reason) {
				t.Errorf("%v: %s", err, explain(res))
			}
			assertClean(t)
		})
	}
}

func TestRunFakeEmulatorRaceRetried(t *testing.T) {
	res, err := fakeConfig(t, "int3-once").Run(t.Context())
	if err != nil || res.Outcome != spec.OutcomePass || !strings.Contains(res.Retried, "int3 oops") || !strings.Contains(res.Retried, "Fatal exception") {
		t.Errorf("%v: %s (retried %q)", err, explain(res), res.Retried)
	}
	// A race on every multi-threaded boot: the last retry runs TCG
	// single-threaded, where it cannot happen.
	res, err = fakeConfig(t, "int3-mttcg").Run(t.Context())
	if err != nil || res.Outcome != spec.OutcomePass || strings.Count(res.Retried, "booted again") != raceRetries || !strings.HasSuffix(res.Retried, "with single-threaded TCG") {
		t.Errorf("%v: %s (retried %q)", err, explain(res), res.Retried)
	}
	// A race on every boot is reported, not retried forever.
	res, err = fakeConfig(t, "int3").Run(t.Context())
	if err != nil || res.Outcome != spec.OutcomeKernelPanic || strings.Count(res.Retried, "booted again") != raceRetries {
		t.Errorf("%v: %s (retried %q)", err, explain(res), res.Retried)
	}
	// Under KVM the same oops would be a kernel bug: no retry.
	cfg := fakeConfig(t, "int3")
	cfg.Accel = spec.AccelKVM
	if res, _ := cfg.Run(t.Context()); res.Outcome != spec.OutcomeKernelPanic || res.Retried != "" {
		t.Errorf("kvm: %s (retried %q)", explain(res), res.Retried)
	}
	assertClean(t)
}

func TestRunFakeNoPowerOff(t *testing.T) {
	defer func(d time.Duration) { powerOffGrace = d }(powerOffGrace)
	powerOffGrace = 100 * time.Millisecond
	cfg := fakeConfig(t, "nopoweroff")
	cfg.Timeout = time.Hour
	res, err := cfg.Run(t.Context())
	if err != nil || res.Outcome != spec.OutcomePass {
		t.Fatalf("%v: %s", err, explain(res))
	}
	assertClean(t)
}

func TestRunFakeTimeout(t *testing.T) {
	cfg := fakeConfig(t, "hang")
	cfg.Timeout = 500 * time.Millisecond
	res, err := cfg.Run(t.Context())
	if err != nil || res.Outcome != spec.OutcomeTimeout || !strings.Contains(res.Reason, "the test did not finish") {
		t.Fatalf("%v: %s", err, explain(res))
	}
	if !bytes.Contains(res.Output, []byte("hanging")) {
		t.Errorf("output before the hang lost: %q", res.Output)
	}
	assertClean(t)
}

// cancelOn cancels a context when a write contains a marker.
type cancelOn struct {
	marker string
	cancel context.CancelFunc
}

func (c cancelOn) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(c.marker)) {
		c.cancel()
	}
	return len(p), nil
}

func TestRunFakeCancel(t *testing.T) {
	cfg := fakeConfig(t, "hang")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cfg.Output = cancelOn{"hanging", cancel}
	res, err := cfg.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v (%s), want context.Canceled", err, explain(res))
	}
	assertClean(t)
}

func TestRunFakeKVMFallback(t *testing.T) {
	defer func(f func() error) { kvmCheck = f }(kvmCheck)
	kvmCheck = func() error { return nil } // pretend /dev/kvm is there
	cfg := fakeConfig(t, "kvmfail")
	cfg.Accel = spec.AccelAuto
	res, err := cfg.Run(t.Context())
	if err != nil || res.Outcome != spec.OutcomePass || res.Accel != spec.AccelTCG ||
		!strings.Contains(res.AccelNote, "kvm unusable (kvm: KVM internal error. Suberror: 1); fell back to tcg") {
		t.Fatalf("%v: %s (accel %s, note %q)", err, explain(res), res.Accel, res.AccelNote)
	}
	assertClean(t)
	// The verdict is remembered: the next run goes straight to TCG.
	res, err = cfg.Run(t.Context())
	if err != nil || res.Outcome != spec.OutcomePass || res.Accel != spec.AccelTCG || !strings.Contains(res.AccelNote, "remembered for this host") {
		t.Errorf("second run: %v: %s (note %q)", err, explain(res), res.AccelNote)
	}
	// Forcing KVM reports it unusable instead of falling back.
	cfg.Accel = spec.AccelKVM
	res, err = cfg.Run(t.Context())
	if err != nil || res.Outcome != spec.OutcomeAccelUnusable || !strings.Contains(res.Reason, "emulation failure") && !strings.Contains(res.Reason, "KVM internal error") {
		t.Errorf("forced kvm: %v: %s", err, explain(res))
	}
	assertClean(t)
}

func TestRunRejectsBadConfig(t *testing.T) {
	cfg := fakeConfig(t, "pass")
	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Kernel = "" }, "Kernel is empty"},
		{func(c *Config) { c.Init = "" }, "Init is empty"},
		{func(c *Config) { c.Topology = topo.Topology{NUMA: 2, LLCs: 3, CoresPerLLC: 1, ThreadsPerCore: 1} }, "multiple of NUMA"},
		{func(c *Config) { c.Accel = "hvf" }, `accelerator "hvf" is not one of auto, kvm, tcg`},
		{func(c *Config) { c.Topology = topo.Topology{NUMA: 1, LLCs: 14, CoresPerLLC: 9, ThreadsPerCore: 2} }, "APIC IDs up to 433"},
		{func(c *Config) { c.Files = []File{{Host: c.Init, Guest: "rel"}} }, "must be absolute"},
	} {
		c := cfg
		tc.mod(&c)
		if _, err := c.Start(t.Context()); err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("got %v, want one line containing %q", err, tc.want)
		}
	}
}

func TestDetectAccelProbe(t *testing.T) {
	defer func(f func() error) { kvmCheck = f }(kvmCheck)
	kvmCheck = func() error { return nil }
	for _, tc := range []struct {
		mode   string
		want   spec.Accel
		reason string
	}{
		{"kvmfail", spec.AccelTCG, "kvm: KVM internal error"},
		{"panic", spec.AccelKVM, "a kernel booted under kvm"}, // reached the no-root-fs panic
		{"badargs", spec.AccelTCG, "kvm trial boot failed: qemu-system-x86_64: -smp 999: invalid"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cfg := fakeConfig(t, tc.mode)
			a, why, err := detectAccel(t.Context(), cfg.QEMU, cfg.Kernel, cfg.CacheDir)
			if err != nil || a != tc.want || !strings.Contains(why, tc.reason) {
				t.Fatalf("got %s %q %v, want %s %q", a, why, err, tc.want, tc.reason)
			}
			// Remembered: asking again does not boot (a fake that would
			// now fail proves it).
			t.Setenv(envFakeQEMU, "badargs")
			if again, note, err := detectAccel(t.Context(), cfg.QEMU, cfg.Kernel, cfg.CacheDir); err != nil || again != a || !strings.Contains(note, "remembered") {
				t.Errorf("second call: %s %q %v", again, note, err)
			}
			assertClean(t)
		})
	}
}

// chainOf returns configs for the tests named, each chaining to the
// next, and the results their Next calls got, in order.
func chainOf(base Config, tests ...string) (*Config, *[]Result) {
	var got []Result
	cfgs := make([]Config, len(tests))
	for i, name := range tests {
		cfgs[i] = base
		cfgs[i].Args = []string{"-test.run", name}
		cfgs[i].Output = nil
	}
	for i := range cfgs {
		cfgs[i].Next = func(r Result) *Config {
			got = append(got, r)
			if i+1 < len(cfgs) {
				return &cfgs[i+1]
			}
			return nil
		}
	}
	return &cfgs[0], &got
}

func TestRunFakeNext(t *testing.T) {
	first, got := chainOf(fakeConfig(t, "reuse"), "^TestA$", "^TestB$", "^TestC$")
	res, err := first.Run(t.Context())
	if err != nil || len(*got) != 3 {
		t.Fatalf("%v; %d results, want 3", err, len(*got))
	}
	rs := *got
	if res.Name != rs[0].Name || res.Shared || res.BootTime <= 0 || !res.Reusable {
		t.Errorf("first result %s, shared %v, boot %v", explain(res), res.Shared, res.BootTime)
	}
	for i, r := range rs {
		want := fmt.Sprintf(`test %d args=["-test.run" "^Test%c$"]`, i+1, 'A'+i)
		if r.Outcome != spec.OutcomePass || !strings.Contains(string(r.Output), want) || strings.Count(string(r.Output), "test ") != 1 {
			t.Errorf("result %d: %s, output %q, want %q alone", i, explain(r), r.Output, want)
		}
		if r.Name != rs[0].Name || (i > 0) != r.Shared || (i > 0 && (r.BootTime != 0 || r.SetupTime != 0)) || r.Observed == nil {
			t.Errorf("result %d: name %s, shared %v, boot %v, setup %v, layout %v", i, r.Name, r.Shared, r.BootTime, r.SetupTime, r.Observed)
		}
		if i > 0 && (strings.Contains(r.ConsoleTail, fmt.Sprintf("test %d\n", i)) || !strings.Contains(r.ConsoleTail, fmt.Sprintf("console of test %d", i+1))) {
			t.Errorf("result %d: console tail %q holds another test's lines or not its own", i, r.ConsoleTail)
		}
	}
	assertClean(t)
}

func TestRunFakeNextStopsAfterFailureOrDirt(t *testing.T) {
	first, got := chainOf(fakeConfig(t, "reuse"), "^TestA$", "^TestFail$", "^TestC$")
	if _, err := first.Run(t.Context()); err != nil || len(*got) != 2 {
		t.Fatalf("%v; %d results, want 2: a failed test ends the chain", err, len(*got))
	}
	if r := (*got)[1]; r.Outcome != spec.OutcomeFail || r.Reusable || !r.Shared {
		t.Errorf("failed test in the chain: %s, reusable %v, shared %v", explain(r), r.Reusable, r.Shared)
	}
	assertClean(t)

	first, got = chainOf(fakeConfig(t, "reuse-dirty"), "^TestA$", "^TestB$")
	res, err := first.Run(t.Context())
	if err != nil || len(*got) != 1 || res.Reusable || res.Dirty != "cgroups left: x" || res.Outcome != spec.OutcomePass {
		t.Fatalf("%v; %d results (want 1); %s, dirty %q", err, len(*got), explain(res), res.Dirty)
	}
	assertClean(t)
}

func TestRunFakeNextRejectsMismatch(t *testing.T) {
	first, got := chainOf(fakeConfig(t, "reuse"), "^TestA$", "^TestB$")
	other, _ := topo.Parse("1n1l4c1t")
	ran := false
	first.Next = func(r Result) *Config {
		*got = append(*got, r)
		next := *first
		next.Topology, next.Next = other, func(Result) *Config { ran = true; return nil }
		return &next
	}
	_, err := first.Run(t.Context())
	if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), "Topology") || ran || len(*got) != 1 {
		t.Errorf("err %v, mismatched test ran %v, %d results; want ErrBadConfig naming Topology, not run", err, ran, len(*got))
	}
	assertClean(t)
}

func TestBootKeyAgreesWithCanRun(t *testing.T) {
	a, b := File{Host: "a", Guest: "/a"}, File{Host: "b", Guest: "/b"}
	base := Config{Kernel: "k", Init: "i", Files: []File{a, b}, MemoryMiB: 512}
	other, _ := topo.Parse("1n1l4c1t")
	for name, tc := range map[string]struct {
		change  func(*Config)
		runs    bool // base's VM runs it
		sameKey bool
	}{
		"args only": {func(c *Config) {
			c.Args, c.Env, c.Timeout = []string{"-test.run", "^TestB$"}, []string{"X=1"}, time.Minute
		}, true, true},
		"fewer files":      {func(c *Config) { c.Files = []File{b} }, true, true},
		"no files":         {func(c *Config) { c.Files = nil }, true, true},
		"more files":       {func(c *Config) { c.Files = []File{a, b, {Host: "c", Guest: "/c"}} }, false, true},
		"other guest path": {func(c *Config) { c.Files = []File{{Host: "a", Guest: "/b"}} }, false, true},
		"kernel":           {func(c *Config) { c.Kernel = "k2" }, false, false},
		"topology":         {func(c *Config) { c.Topology = other }, false, false},
		"memory":           {func(c *Config) { c.MemoryMiB = 1024 }, false, false},
		"threads":          {func(c *Config) { c.TCGThreads = TCGThreadsSingle }, false, false},
		"cmdline":          {func(c *Config) { c.KernelArgs = []string{"quiet"} }, false, false},
	} {
		o := base
		tc.change(&o)
		err := base.CanRun(o)
		if runs := err == nil; runs != tc.runs {
			t.Errorf("%s: CanRun = %v, want runs %v", name, err, tc.runs)
		}
		if err != nil && !errors.Is(err, ErrBadConfig) {
			t.Errorf("%s: CanRun's error %v does not wrap ErrBadConfig", name, err)
		}
		if equal := base.BootKey() == o.BootKey(); equal != tc.sameKey {
			t.Errorf("%s: keys equal %v, want %v", name, equal, tc.sameKey)
		}
	}
}
