package main

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// shellRun runs `gauntlet shell ARGS...` on c (nil: the real machine)
// with no terminal on stdin and returns the exit code and both streams.
func shellRun(t *testing.T, c *cli, args ...string) (int, string, string) {
	t.Helper()
	if c == nil {
		c = &cli{}
	}
	var out, errb bytes.Buffer
	c.stdout, c.stderr, c.stdin = &out, &errb, strings.NewReader("")
	code := c.run(t.Context(), append([]string{"shell"}, args...))
	return code, out.String(), errb.String()
}

// staticELF writes the smallest file that passes as a static x86-64
// program.
func staticELF(t *testing.T) string {
	t.Helper()
	b := make([]byte, 64+56)
	copy(b, "\x7fELF\x02\x01\x01")
	le := binary.LittleEndian
	le.PutUint16(b[16:], 2)  // ET_EXEC
	le.PutUint16(b[18:], 62) // EM_X86_64
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[32:], 64) // program headers follow
	le.PutUint16(b[52:], 64)
	le.PutUint16(b[54:], 56)
	le.PutUint16(b[56:], 1)
	le.PutUint32(b[64:], 1) // PT_LOAD
	p := filepath.Join(t.TempDir(), "busybox")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestShellHelp(t *testing.T) {
	t.Parallel()
	code, out, errs := shellRun(t, nil, "-h")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"Usage: gauntlet shell", "Examples:", "gauntlet shell --topology 1,2,1 -- nproc",
		"/include-files/NAME", "Ctrl-A X", "busybox-static", "-topology", "-i PATH"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	var viaHelp bytes.Buffer
	if code := (&cli{stdout: &viaHelp, stderr: io.Discard}).run(t.Context(), []string{"help", "shell"}); code != 0 || viaHelp.String() != out {
		t.Errorf("gauntlet help shell: exit %d, output differs from shell -h", code)
	}
}

// TestShellBadInput: every bad input is one line on stderr and exit 2,
// before anything boots.
func TestShellBadInput(t *testing.T) {
	t.Parallel()
	fakeBusybox := staticELF(t)
	for _, tc := range []struct {
		name    string
		args    []string
		busybox string
		kernel  error
		qemu    error
		want    string
	}{
		{name: "bad topology", args: []string{"--topology", "1,0,1"}, want: `shell: --topology: topology "1,0,1": cores must be at least 1`},
		{name: "topology form", args: []string{"--topology", "big"}, want: "want the form 1n2l4c2t"},
		{name: "missing include", args: []string{"-i", "/nonexistent/tool"}, want: "shell: -i /nonexistent/tool: no such file or directory"},
		{name: "negative memory", args: []string{"--memory", "-5"}, want: "--memory -5: want a size in MiB"},
		{name: "bad accel", args: []string{"--accel", "hvf"}, want: `accelerator "hvf" is not one of auto, kvm, tcg`},
		{name: "command without --", args: []string{"nproc"}, want: `unexpected argument "nproc"; put a command after --, e.g. gauntlet shell -- nproc`},
		{name: "nothing after --", args: []string{"--topology", "1,2,1", "--"}, want: "no command after --"},
		{name: "no busybox", busybox: "/nonexistent/busybox", want: "no static busybox at /nonexistent/busybox (no such file or directory); apt-get install busybox-static"},
		{name: "dynamic busybox", busybox: "/bin/ls", want: "apt-get install busybox-static"},
		{name: "no qemu", qemu: vm.ErrNoQEMU, want: "apt-get install qemu-system-x86"},
		{name: "no kernel", kernel: &kernel.NotFoundError{Tried: []kernel.Tried{{Step: "/boot/vmlinuz", Why: "missing"}}}, want: "shell: no kernel found ('gauntlet kernel which -v' lists the places tried); build one with"},
		{name: "tcg apic limit", args: []string{"--topology", "1n14l9c2t", "--accel", "tcg"}, want: "needs APIC IDs up to 433"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &cli{busybox: cmp.Or(tc.busybox, fakeBusybox)}
			c.runner.LookQEMU = func() (string, error) { return "/fake/qemu", tc.qemu }
			c.runner.FindKernel = func(string) (kernel.Kernel, error) {
				return kernel.Kernel{Path: "/fake/bzImage", Step: "test"}, tc.kernel
			}
			code, out, errs := shellRun(t, c, tc.args...)
			if code != exitSetup || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
			}
			if !strings.HasPrefix(errs, "gauntlet: ") || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tc.want) {
				t.Errorf("stderr %q; want one line containing %q", errs, tc.want)
			}
		})
	}
}

func TestCRLFWriter(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w, flush := consoleWriter(&b)
	for _, chunk := range []string{"a\r\nb\r", "\nc\rd\r\r\n", "e\r"} {
		if n, err := io.WriteString(w, chunk); n != len(chunk) || err != nil {
			t.Fatalf("write %q: %d, %v", chunk, n, err)
		}
	}
	if err := flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "a\nb\nc\rd\r\ne\r"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestShellVM boots a real VM: 2 vCPUs, a dynamically linked program and
// a directory included; the command's output comes back on stdout and
// its exit status becomes gauntlet's. Needs QEMU, a kernel and a static
// busybox; skips without them unless GAUNTLET_REQUIRE_VM=1.
func TestShellVM(t *testing.T) {
	requireShellVM(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	data := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(data, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "sub", "msg.txt"), []byte("message from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, out, errs := shellRun(t, nil, "--topology", "1,2,1", "-i", "/usr/bin/nproc", "-i", data, "--",
		"sh", "-c", "echo nproc=$(/include-files/nproc); cat /include-files/data/sub/msg.txt; exit 7")
	t.Logf("gauntlet shell took %v (boot, command, power off; TCG on a shared host)", time.Since(start).Round(time.Millisecond))
	if code != 7 {
		t.Fatalf("exit %d, want the command's 7\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"CPU(s):               2\n", "Core(s) per socket:   2\n", "nproc=2\n", "message from the host\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\r") || strings.Contains(out, "Power down") {
		t.Errorf("stdout has carriage returns or the kernel's power-down line: %q", out)
	}
	if !strings.HasPrefix(errs, "gauntlet shell: 1n1l2c1t (2 vCPUs), 512 MiB, ") || strings.Count(errs, "\n") != 1 {
		t.Errorf("stderr %q; want the one-line banner", errs)
	}
	assertNoShellVM(t)
	if left, _ := filepath.Glob(filepath.Join(tmp, "gauntlet-shell-*")); len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

// requireShellVM skips (or, under GAUNTLET_REQUIRE_VM=1, fails) when the
// host cannot boot a shell VM.
func requireShellVM(t *testing.T) {
	t.Helper()
	if _, err := vm.LookQEMU(); err != nil {
		testutil.SkipIfNotSupported(t, err)
	}
	if _, err := kernel.Find(); err != nil {
		testutil.SkipIfNotSupported(t, err)
	}
	if err := vm.CheckStaticBinary(vm.DefaultBusybox); err != nil {
		testutil.SkipNotPossible(t, fmt.Sprintf("no static busybox at %s (%v): apt-get install busybox-static", vm.DefaultBusybox, err))
	}
	if _, err := os.Stat("/usr/bin/nproc"); err != nil {
		testutil.SkipNotPossible(t, "no /usr/bin/nproc to include: apt-get install coreutils")
	}
}

// assertNoShellVM checks that no QEMU of this process's shell VMs runs.
func assertNoShellVM(t *testing.T) {
	t.Helper()
	marker := []byte(fmt.Sprintf("\x00-name\x00gauntlet-shell-%d-", os.Getpid()))
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, c := range cmdlines {
		if b, err := os.ReadFile(c); err == nil && bytes.Contains(b, marker) {
			t.Errorf("qemu left running: %s: %q", c, b)
		}
	}
}
