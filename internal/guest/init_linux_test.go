package guest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// fakeSys records what the init asks of the machine.
type fakeSys struct {
	mu       sync.Mutex
	mounts   []string
	failOn   string // mount target that fails
	poweroff int
	reaps    int
}

func (f *fakeSys) Mount(source, target, fstype string, flags uintptr, data string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.HasSuffix(target, f.failOn) && f.failOn != "" {
		return errors.New("no such device")
	}
	f.mounts = append(f.mounts, fstype)
	return nil
}

func (f *fakeSys) PowerOff() error       { f.poweroff++; return nil }
func (f *fakeSys) Uptime() time.Duration { return 1234 * time.Millisecond }
func (f *fakeSys) Reap()                 { f.mu.Lock(); f.reaps++; f.mu.Unlock() }

// testInit returns an init rooted in a temporary tree holding the sysfs
// of a real 1n2l2c2t guest (from package topo's fixtures), talking to the
// returned host end of a pipe.
func testInit(t *testing.T) (*pid1, *fakeSys, net.Conn, *bytes.Buffer) {
	t.Helper()
	root := t.TempDir()
	loadFixture(t, filepath.Join("..", "..", "topo", "testdata", "sysfs", "1n2l2c2t.txt"), filepath.Join(root, "sys"))
	host, guestEnd := net.Pipe()
	t.Cleanup(func() { host.Close(); guestEnd.Close() })
	sys := &fakeSys{}
	var console bytes.Buffer
	p := &pid1{sys: sys, console: &console, root: root, start: startProcess,
		open: func() (io.ReadWriteCloser, error) { return guestEnd, nil }}
	return p, sys, host, &console
}

// loadFixture expands a "-- path --" fixture file below dir.
func loadFixture(t *testing.T, fixture, dir string) {
	t.Helper()
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(string(b), "\n-- ")[1:] {
		name, content, _ := strings.Cut(part, " --\n")
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// hostSide plays the host: it answers Hello with req, collects frames
// until Status or InitError, acknowledges it and returns what it got.
func hostSide(t *testing.T, conn net.Conn, req vmchan.Request) (frames []vmchan.Frame, output string) {
	t.Helper()
	for {
		f, err := vmchan.Read(conn)
		if err != nil {
			t.Errorf("host read: %v", err)
			return frames, output
		}
		frames = append(frames, f)
		switch f.Kind {
		case vmchan.KindHello:
			vmchan.WriteJSON(conn, vmchan.KindRequest, req)
		case vmchan.KindOutput:
			output += string(f.Payload)
		case vmchan.KindStatus, vmchan.KindInitError:
			vmchan.Write(conn, vmchan.KindAck, nil)
			return frames, output
		}
	}
}

// runInit runs p against a host playing req and returns the frames.
func runInit(t *testing.T, p *pid1, host net.Conn, req vmchan.Request) ([]vmchan.Frame, string) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); p.run() }()
	frames, out := hostSide(t, host, req)
	<-done
	return frames, out
}

func kinds(frames []vmchan.Frame) string {
	var b strings.Builder
	for _, f := range frames {
		b.WriteString(f.Kind.String())
	}
	return b.String()
}

func TestInitRunsRequest(t *testing.T) {
	p, sys, host, console := testInit(t)
	tp, _ := topo.Parse("1n2l2c2t")
	req := vmchan.Request{Path: "/bin/sh", Args: []string{"-c", `echo "out $A"; echo err >&2; exit 3`}, Env: []string{"A=42"}, Topology: &tp}
	frames, out := runInit(t, p, host, req)
	if k := kinds(frames); !strings.HasPrefix(k, "HL") || !strings.HasSuffix(k, "S") {
		t.Fatalf("frames %s, want Hello, Layout, Output..., Status; console:\n%s", k, console)
	}
	var h vmchan.Hello
	frames[0].Decode(&h)
	if h.Uptime != 1234*time.Millisecond {
		t.Errorf("hello uptime %v", h.Uptime)
	}
	var st vmchan.Status
	frames[len(frames)-1].Decode(&st)
	if st.Exit != 3 || st.Signal != "" || len(st.Warnings) != 0 {
		t.Errorf("status %+v", st)
	}
	if !strings.Contains(out, "out 42\n") || !strings.Contains(out, "err\n") {
		t.Errorf("output %q", out)
	}
	want := "proc sysfs devtmpfs tmpfs tmpfs tmpfs cgroup2 bpf debugfs tracefs"
	if got := strings.Join(sys.mounts, " "); got != want {
		t.Errorf("mounts %s, want %s", got, want)
	}
	ctl, _ := os.ReadFile(filepath.Join(p.root, "sys/fs/cgroup/cgroup.subtree_control"))
	if string(ctl) != "+cpuset +cpu" {
		t.Errorf("subtree_control %q", ctl)
	}
}

func TestInitSignalAndLeftovers(t *testing.T) {
	p, _, host, _ := testInit(t)
	// The test leaves a process holding the output pipe, then dies by
	// SIGKILL: the init must still report, not wait for the leftover.
	req := vmchan.Request{Path: "/bin/sh", Args: []string{"-c", "sleep 600 & echo started; kill -9 $$"}}
	frames, out := runInit(t, p, host, req)
	var st vmchan.Status
	if err := frames[len(frames)-1].Decode(&st); err != nil || st.Exit != -1 || st.Signal != "killed" {
		t.Errorf("status %+v, %v; want killed by a signal", st, err)
	}
	if out != "started\n" {
		t.Errorf("output %q", out)
	}
}

func TestInitTopologyMismatch(t *testing.T) {
	p, _, host, _ := testInit(t)
	started := false
	p.start = func(vmchan.Request, *os.File) (*exec.Cmd, error) {
		started = true
		return nil, errors.New("unreachable")
	}
	tp, _ := topo.Parse("2n2l2c1t")
	frames, _ := runInit(t, p, host, vmchan.Request{Topology: &tp})
	last := frames[len(frames)-1]
	if last.Kind != vmchan.KindInitError || !strings.Contains(string(last.Payload), "topology mismatch: requested 2n2l2c1t, guest has 1n2l2c2t") {
		t.Errorf("last frame %s %q", last.Kind, last.Payload)
	}
	if started {
		t.Error("the test started despite the mismatch")
	}
}

func TestInitPanicIsReported(t *testing.T) {
	p, _, host, console := testInit(t)
	p.start = func(vmchan.Request, *os.File) (*exec.Cmd, error) {
		var m map[string]int
		m["boom"]++ // panics
		return nil, nil
	}
	frames, _ := runInit(t, p, host, vmchan.Request{})
	last := string(frames[len(frames)-1].Payload)
	if !strings.Contains(last, "init panic: assignment to entry in nil map") || !strings.Contains(last, "goroutine") {
		t.Errorf("init error %q", last)
	}
	if !strings.Contains(console.String(), "gauntlet-init: init panic") {
		t.Errorf("console %q", console)
	}
}

func TestInitEarlyMountFailure(t *testing.T) {
	p, sys, _, console := testInit(t)
	sys.failOn = "/dev"
	opened := false
	p.open = func() (io.ReadWriteCloser, error) { opened = true; return nil, errors.New("unreachable") }
	p.run()
	if opened || !strings.Contains(console.String(), "mount devtmpfs on /dev: no such device") {
		t.Errorf("opened %v, console %q", opened, console)
	}
}

func TestInitLateMountFailureIsWarning(t *testing.T) {
	p, sys, host, _ := testInit(t)
	sys.failOn = "/sys/kernel/tracing"
	frames, _ := runInit(t, p, host, vmchan.Request{Path: "/bin/true"})
	var st vmchan.Status
	frames[len(frames)-1].Decode(&st)
	if st.Exit != 0 || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "tracefs") {
		t.Errorf("status %+v", st)
	}
}

func TestFindPort(t *testing.T) {
	p, _, _, _ := testInit(t)
	if _, err := p.findPort(time.Now()); !errors.Is(err, errNoPort) || !strings.Contains(err.Error(), "virtserialport") {
		t.Errorf("no port: %v", err)
	}
	dir := filepath.Join(p.root, "sys/class/virtio-ports")
	for name, port := range map[string]string{"vport0p1": "org.qemu.guest_agent.0", "vport0p2": vmchan.PortName} {
		os.MkdirAll(filepath.Join(dir, name), 0o755)
		os.WriteFile(filepath.Join(dir, name, "name"), []byte(port+"\n"), 0o644)
	}
	os.MkdirAll(filepath.Join(p.root, "dev"), 0o755)
	os.WriteFile(filepath.Join(p.root, "dev", "vport0p2"), nil, 0o600)
	got, err := p.findPort(time.Now())
	if err != nil || got != filepath.Join(p.root, "dev", "vport0p2") {
		t.Errorf("findPort = %q, %v", got, err)
	}
}
