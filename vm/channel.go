package vm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// channelState is what the host side of the channel has received. Its
// fields are safe to read once serve has returned.
type channelState struct {
	mu      sync.Mutex
	hello   *vmchan.Hello
	helloAt time.Time
	layout  *topo.Layout
	status  *vmchan.Status
	initErr string
	output  bytes.Buffer
	err     error // protocol error, if any
	// final is closed once the guest has sent its last frame (Status or
	// InitError).
	final     chan struct{}
	finalOnce sync.Once
	// held is set, before final is closed, when the guest reported a
	// reusable Status that waits for the host's decision (see server).
	held bool
}

func newChannelState() *channelState { return &channelState{final: make(chan struct{})} }

// reusableHeld reports whether a reusable Status waits for a decision.
func (st *channelState) reusableHeld() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.held
}

func (st *channelState) markFinal() { st.finalOnce.Do(func() { close(st.final) }) }

// server is the host side of the channel: it answers Hello with the
// first request, collects each test's layout, output and status into its
// channelState, copies output to out (when not nil) and acknowledges the
// final frame. When hold is set, a reusable Status is not acknowledged
// at once: the server waits for the boot's decision (see decide), which
// sends the next test's request or the Ack.
type server struct {
	conn io.ReadWriter
	req  vmchan.Request
	out  io.Writer
	st   *channelState
	hold bool
	// next carries the decision on a held Status; stop ends a wait for
	// one when the boot is over.
	next chan decision
	stop chan struct{}
}

// decision answers a held reusable Status: the next test's request, its
// state and output sink, or a zero decision to power off.
type decision struct {
	req *vmchan.Request
	st  *channelState
	out io.Writer
}

func newServer(conn io.ReadWriter, req vmchan.Request, out io.Writer, st *channelState, hold bool) *server {
	return &server{conn: conn, req: req, out: out, st: st, hold: hold, next: make(chan decision, 1), stop: make(chan struct{})}
}

// serve talks to the guest init until conn ends.
func (s *server) serve() {
	for {
		f, err := vmchan.Read(s.conn)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.st.setErr(err)
			}
			return
		}
		if err := s.handle(f); err != nil {
			s.st.setErr(err)
			return
		}
	}
}

// handle handles one frame; a held Status blocks until the decision.
func (s *server) handle(f vmchan.Frame) error {
	if f.Kind != vmchan.KindStatus {
		return s.st.handle(s.conn, f, s.req, s.out)
	}
	var status vmchan.Status
	if err := f.Decode(&status); err != nil {
		return err
	}
	st := s.st
	st.mu.Lock()
	st.status = &status
	st.held = s.hold && status.Reusable
	held := st.held
	st.mu.Unlock()
	st.markFinal()
	if !held {
		return vmchan.Write(s.conn, vmchan.KindAck, nil)
	}
	select {
	case d := <-s.next:
		if d.req == nil {
			return vmchan.Write(s.conn, vmchan.KindAck, nil)
		}
		s.st, s.out = d.st, d.out
		return vmchan.WriteJSON(s.conn, vmchan.KindRequest, *d.req)
	case <-s.stop:
		return nil
	}
}

// decide answers the held Status (see server).
func (s *server) decide(d decision) { s.next <- d }

func (st *channelState) setErr(err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.err == nil {
		st.err = fmt.Errorf("vm channel: %w", err)
	}
}

func (st *channelState) handle(conn io.Writer, f vmchan.Frame, req vmchan.Request, out io.Writer) error {
	switch f.Kind {
	case vmchan.KindHello:
		var h vmchan.Hello
		if err := f.Decode(&h); err != nil {
			return err
		}
		st.mu.Lock()
		st.hello, st.helloAt = &h, time.Now()
		st.mu.Unlock()
		return vmchan.WriteJSON(conn, vmchan.KindRequest, req)
	case vmchan.KindLayout:
		var l topo.Layout
		if err := f.Decode(&l); err != nil {
			return err
		}
		st.mu.Lock()
		st.layout = &l
		st.mu.Unlock()
	case vmchan.KindOutput:
		st.mu.Lock()
		st.output.Write(f.Payload)
		st.mu.Unlock()
		if out != nil {
			out.Write(f.Payload) // a failing sink must not stop the run
		}
	case vmchan.KindInitError:
		st.mu.Lock()
		st.initErr = string(f.Payload)
		st.mu.Unlock()
		st.markFinal()
		return vmchan.Write(conn, vmchan.KindAck, nil)
	default:
		return fmt.Errorf("unexpected %s frame from the guest: %w", f.Kind, vmchan.ErrBadFrame)
	}
	return nil
}

// finished reports whether the guest has sent its final frame.
func (st *channelState) finished() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.status != nil || st.initErr != ""
}
