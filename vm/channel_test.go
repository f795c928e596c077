package vm

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeChannel plays the guest's side of the conversation.
func TestServeChannel(t *testing.T) {
	host, guest := net.Pipe()
	tp := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
	req := vmchan.Request{Args: []string{"-test.run", "^TestX$"}, Env: []string{"A=1"}, Topology: &tp}
	st := newChannelState()
	var live syncBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		serveChannel(host, req, &live, st)
	}()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(vmchan.WriteJSON(guest, vmchan.KindHello, vmchan.Hello{Uptime: 3e9}))
	f, err := vmchan.Read(guest)
	must(err)
	var got vmchan.Request
	must(f.Decode(&got))
	if f.Kind != vmchan.KindRequest || got.Args[1] != "^TestX$" || got.Env[0] != "A=1" || *got.Topology != tp {
		t.Fatalf("request %s %+v", f.Kind, got)
	}
	l := topo.ExpectedLayout(tp)
	must(vmchan.WriteJSON(guest, vmchan.KindLayout, l))
	must(vmchan.Write(guest, vmchan.KindOutput, []byte("=== RUN   TestX\n")))
	must(vmchan.WriteJSON(guest, vmchan.KindStatus, vmchan.Status{Exit: 1, Warnings: []string{"no tracefs"}}))
	if f, err = vmchan.Read(guest); err != nil || f.Kind != vmchan.KindAck {
		t.Fatalf("after status: %v %v, want an ack", f.Kind, err)
	}
	select {
	case <-st.final:
	default:
		t.Error("the status did not mark the conversation final")
	}
	guest.Close()
	<-done
	if st.err != nil || st.hello == nil || st.hello.Uptime != 3e9 || st.layout == nil || !st.layout.Equal(l) ||
		st.status == nil || st.status.Exit != 1 || st.status.Warnings[0] != "no tracefs" {
		t.Errorf("state %+v", st)
	}
	if st.output.String() != "=== RUN   TestX\n" || live.String() != "=== RUN   TestX\n" {
		t.Errorf("output %q, live %q", st.output.String(), live.String())
	}
}

func TestServeChannelBadFrame(t *testing.T) {
	host, guest := net.Pipe()
	st := newChannelState()
	done := make(chan struct{})
	go func() {
		defer close(done)
		serveChannel(host, vmchan.Request{}, nil, st)
	}()
	guest.Write([]byte{'A', 0, 0, 0, 0}) // an Ack is host-to-guest only
	<-done
	guest.Close()
	if st.err == nil {
		t.Error("an unexpected frame kind was accepted")
	}
}

// serveChannel serves one test and no more.
func serveChannel(conn io.ReadWriter, req vmchan.Request, out io.Writer, st *channelState) {
	newServer(conn, req, out, st, false).serve()
}
