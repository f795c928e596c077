package guest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
)

// cleanRoot gives p's tree a kernel log, so a guest can be found clean.
func cleanRoot(t *testing.T, p *pid1) {
	t.Helper()
	os.MkdirAll(filepath.Join(p.root, "dev"), 0o755)
	if err := os.WriteFile(filepath.Join(p.root, "dev/kmsg"), []byte("6,1,100,-;booted\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// statusOf plays the host for one test: it reads frames up to the next
// Status and returns it with the output.
func statusOf(t *testing.T, conn net.Conn) (vmchan.Status, string) {
	t.Helper()
	out := ""
	for {
		f, err := vmchan.Read(conn)
		if err != nil {
			t.Fatalf("host read: %v", err)
		}
		switch f.Kind {
		case vmchan.KindOutput:
			out += string(f.Payload)
		case vmchan.KindInitError:
			t.Fatalf("init error: %s", f.Payload)
		case vmchan.KindStatus:
			var st vmchan.Status
			if err := f.Decode(&st); err != nil {
				t.Fatal(err)
			}
			return st, out
		}
	}
}

func TestInitRunsNextRequestInSameBoot(t *testing.T) {
	p, sys, host, console := testInit(t)
	cleanRoot(t, p)
	done := make(chan struct{})
	go func() { defer close(done); p.run() }()
	if f, err := vmchan.Read(host); err != nil || f.Kind != vmchan.KindHello {
		t.Fatalf("first frame %v, %v", f.Kind, err)
	}
	vmchan.WriteJSON(host, vmchan.KindRequest, vmchan.Request{Path: "/bin/sh", Args: []string{"-c", "echo one"}})
	st, out := statusOf(t, host)
	if !st.Reusable || st.Dirty != "" || out != "one\n" {
		t.Fatalf("first test: status %+v, output %q; want reusable; console:\n%s", st, out, console)
	}
	vmchan.WriteJSON(host, vmchan.KindRequest, vmchan.Request{Path: "/bin/sh", Args: []string{"-c", "echo two; exit 4"}})
	st, out = statusOf(t, host)
	if st.Exit != 4 || st.Reusable || out != "two\n" {
		t.Fatalf("second test: status %+v, output %q; want exit 4, not reusable", st, out)
	}
	vmchan.Write(host, vmchan.KindAck, nil)
	<-done
	if sys.reaps != 2 {
		t.Errorf("%d reaps, want one per test", sys.reaps)
	}
}

func TestInitAckEndsReusableGuest(t *testing.T) {
	p, _, host, _ := testInit(t)
	cleanRoot(t, p)
	frames, _ := runInit(t, p, host, vmchan.Request{Path: "/bin/true"})
	var st vmchan.Status
	if err := frames[len(frames)-1].Decode(&st); err != nil || !st.Reusable {
		t.Fatalf("status %+v, %v; want reusable", st, err)
	}
	// runInit returned: the Ack powered the guest off.
}

func TestInitDirtyGuestIsNotReusable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		dirty func(root string) // run after the baseline, by the test
		want  string
	}{
		{"cgroup left", func(root string) { os.Mkdir(filepath.Join(root, "sys/fs/cgroup/gauntlet-x"), 0o755) }, "cgroups left: gauntlet-x"},
		{"scheduler loaded", func(root string) {
			os.MkdirAll(filepath.Join(root, "sys/kernel/sched_ext"), 0o755)
			os.WriteFile(filepath.Join(root, "sys/kernel/sched_ext/state"), []byte("enabled\n"), 0o644)
		}, "sched_ext is enabled, not disabled"},
		{"kernel error", func(root string) { appendFile(root, "dev/kmsg", "3,2,200,-;BUG: scheduling while atomic\n") }, "kernel logged: BUG: scheduling while atomic"},
		{"kernel warning", func(root string) {
			appendFile(root, "dev/kmsg", "4,2,200,-;WARNING: CPU: 1 PID: 7 at kernel/sched/ext.c:99\n")
		}, "kernel logged: WARNING: CPU: 1"},
		{"taint", func(root string) {
			os.MkdirAll(filepath.Join(root, "proc/sys/kernel"), 0o755)
			os.WriteFile(filepath.Join(root, "proc/sys/kernel/tainted"), []byte("512\n"), 0o644)
		}, "kernel taint 512"},
		{"process left", func(root string) {
			os.MkdirAll(filepath.Join(root, "proc/77"), 0o755)
			os.WriteFile(filepath.Join(root, "proc/77/stat"), []byte("77 (stress (ng)) S 1 77 77 0 -1 4194560 0 0\n"), 0o644)
			os.MkdirAll(filepath.Join(root, "proc/2"), 0o755)
			os.WriteFile(filepath.Join(root, "proc/2/stat"), []byte("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0\n"), 0o644)
		}, "processes left: 77 (stress (ng))"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, host, _ := testInit(t)
			cleanRoot(t, p)
			p.start = func(req vmchan.Request, out *os.File) (*exec.Cmd, error) {
				tc.dirty(p.root)
				return startProcess(req, out)
			}
			frames, _ := runInit(t, p, host, vmchan.Request{Path: "/bin/true"})
			var st vmchan.Status
			if err := frames[len(frames)-1].Decode(&st); err != nil || st.Reusable || !strings.HasPrefix(st.Dirty, tc.want) {
				t.Errorf("status %+v, %v; want not reusable, dirty %q", st, err, tc.want)
			}
		})
	}
}

func TestInitWithoutKernelLogIsNotReusable(t *testing.T) {
	p, _, host, _ := testInit(t)
	frames, _ := runInit(t, p, host, vmchan.Request{Path: "/bin/true"})
	var st vmchan.Status
	frames[len(frames)-1].Decode(&st)
	if st.Reusable || !strings.HasPrefix(st.Dirty, "kernel log unreadable") {
		t.Errorf("status %+v; want not reusable for want of a kernel log", st)
	}
}

func appendFile(root, name, s string) {
	f, err := os.OpenFile(filepath.Join(root, name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	f.WriteString(s)
	f.Close()
}
