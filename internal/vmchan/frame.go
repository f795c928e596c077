package vmchan

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// PortName is the name of the virtio-serial port; the guest finds its
// device through /sys/class/virtio-ports/*/name.
const PortName = "gauntlet.0"

// Kind is a frame's type.
type Kind byte

// Frame kinds.
const (
	KindHello     Kind = 'H' // guest: JSON [Hello]
	KindRequest   Kind = 'R' // host: JSON [Request]
	KindLayout    Kind = 'L' // guest: JSON [topo.Layout]
	KindOutput    Kind = 'O' // guest: raw test output
	KindStatus    Kind = 'S' // guest: JSON [Status]
	KindInitError Kind = 'E' // guest: text of an init failure or panic
	KindAck       Kind = 'A' // host: empty
)

// MaxPayload bounds a frame's payload, so corrupt input cannot make a
// reader allocate without limit.
const MaxPayload = 16 << 20

// ErrBadFrame means the stream does not hold a valid frame.
var ErrBadFrame = errors.New("bad frame")

func (k Kind) valid() bool {
	switch k {
	case KindHello, KindRequest, KindLayout, KindOutput, KindStatus, KindInitError, KindAck:
		return true
	}
	return false
}

// String names k for messages.
func (k Kind) String() string {
	if k.valid() {
		return string(rune(k))
	}
	return fmt.Sprintf("kind(%#x)", byte(k))
}

// Hello is the guest's first frame.
type Hello struct {
	// Uptime is the guest's CLOCK_BOOTTIME when its init started.
	Uptime time.Duration `json:"uptime_ns"`
}

// Request tells the init what to run.
type Request struct {
	// Path is the program to start; empty means the init binary itself.
	Path string `json:"path,omitempty"`
	// Args follow the program name on its command line.
	Args []string `json:"args,omitempty"`
	// Env is added to the init's base environment (KEY=VALUE).
	Env []string `json:"env,omitempty"`
	// Topology, when set, is checked against the guest's sysfs before the
	// program starts; a mismatch ends the run with an InitError.
	Topology *topo.Topology `json:"topology,omitempty"`
}

// Status is how the test process ended.
type Status struct {
	// Exit is the exit code, or -1 when a signal killed the process.
	Exit int `json:"exit"`
	// Signal names the signal that killed it, e.g. "killed".
	Signal string `json:"signal,omitempty"`
	// Warnings are setup steps of the init that failed without stopping
	// the run, e.g. a filesystem the kernel lacks.
	Warnings []string `json:"warnings,omitempty"`
	// Reusable is set when the test exited 0 and the guest is as clean as
	// after its boot (no scheduler loaded, no process or cgroup left,
	// taint and online CPUs unchanged, no kernel errors logged), so the
	// host may answer with the next Request instead of the Ack (see the
	// package doc).
	Reusable bool `json:"reusable,omitempty"`
	// Dirty says what the guest found left over when it is not reusable
	// for that reason, e.g. "sched_ext is enabled, not disabled".
	Dirty string `json:"dirty,omitempty"`
}

// Frame is one decoded frame.
type Frame struct {
	Kind    Kind
	Payload []byte
}

// Write writes one frame to w in a single Write call.
func Write(w io.Writer, k Kind, payload []byte) error {
	if len(payload) > MaxPayload {
		return fmt.Errorf("write %s frame: %d bytes exceed %d: %w", k, len(payload), MaxPayload, ErrBadFrame)
	}
	buf := make([]byte, 5+len(payload))
	buf[0] = byte(k)
	binary.BigEndian.PutUint32(buf[1:5], uint32(len(payload)))
	copy(buf[5:], payload)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write %s frame: %w", k, err)
	}
	return nil
}

// WriteJSON writes v as the JSON payload of a frame of kind k.
func WriteJSON(w io.Writer, k Kind, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s frame: %w", k, err)
	}
	return Write(w, k, b)
}

// Read reads one frame from r. It returns io.EOF only when r ends cleanly
// before a frame starts; a frame cut short gives io.ErrUnexpectedEOF.
func Read(r io.Reader) (Frame, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Frame{}, err
	}
	k := Kind(hdr[0])
	n := binary.BigEndian.Uint32(hdr[1:])
	if !k.valid() {
		return Frame{}, fmt.Errorf("read frame: unknown %s: %w", k, ErrBadFrame)
	}
	if n > MaxPayload {
		return Frame{}, fmt.Errorf("read %s frame: length %d exceeds %d: %w", k, n, MaxPayload, ErrBadFrame)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Frame{}, fmt.Errorf("read %s frame: %w", k, err)
	}
	return Frame{Kind: k, Payload: p}, nil
}

// Decode unmarshals f's JSON payload into v.
func (f Frame) Decode(v any) error {
	if err := json.Unmarshal(f.Payload, v); err != nil {
		return fmt.Errorf("decode %s frame: %w", f.Kind, err)
	}
	return nil
}

// Writer turns writes into Output frames on w; each Write is one frame.
type Writer struct{ W io.Writer }

// Write sends p as one Output frame (several when p exceeds
// [MaxPayload]).
func (o Writer) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n := min(len(p)-done, MaxPayload)
		if err := Write(o.W, KindOutput, p[done:done+n]); err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}
