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
}

func newChannelState() *channelState { return &channelState{final: make(chan struct{})} }

func (st *channelState) markFinal() { st.finalOnce.Do(func() { close(st.final) }) }

// serveChannel talks to the guest init over conn until conn ends: it
// answers Hello with req, collects the layout, output and status, copies
// output to out (when not nil) and acknowledges the final frame.
func serveChannel(conn io.ReadWriter, req vmchan.Request, out io.Writer, st *channelState) {
	for {
		f, err := vmchan.Read(conn)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				st.setErr(err)
			}
			return
		}
		if err := st.handle(conn, f, req, out); err != nil {
			st.setErr(err)
			return
		}
	}
}

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
	case vmchan.KindStatus:
		var s vmchan.Status
		if err := f.Decode(&s); err != nil {
			return err
		}
		st.mu.Lock()
		st.status = &s
		st.mu.Unlock()
		st.markFinal()
		return vmchan.Write(conn, vmchan.KindAck, nil)
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
