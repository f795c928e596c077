package guest

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// kmsgPath is the kernel log device. Reading it sees every record,
// whatever the console loglevel (the stall report does not reach a
// serial console at loglevel 0).
var kmsgPath = "/dev/kmsg"

// kmsgSource reads one record per call, failing with unix.EAGAIN when
// none is waiting (a /dev/kmsg file descriptor opened O_NONBLOCK).
type kmsgSource interface {
	Read(p []byte) (int, error)
}

// fdSource is a /dev/kmsg file descriptor.
type fdSource int

func (f fdSource) Read(p []byte) (int, error) { return unix.Read(int(f), p) }

// kmsgLog follows the kernel log from where it was opened and keeps the
// sched_ext records and the backtrace lines that follow them. It is not
// safe for concurrent use: one goroutine at a time reads it.
type kmsgLog struct {
	src kmsgSource
	// fd is the descriptor to poll for new records; -1 when there is
	// none to poll (tests).
	fd int
	// offset is CLOCK_MONOTONIC minus the log's clock, measured by
	// writing a marker record; calibrated tells whether it was.
	offset     time.Duration
	calibrated bool
	kept       []kmsgRecord
	inTrace    bool
	broken     error
	buf        []byte
}

// openKmsg opens the kernel log at its end (earlier records are not
// read) and calibrates its clock against CLOCK_MONOTONIC.
func openKmsg() (*kmsgLog, error) {
	fd, err := unix.Open(kmsgPath, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", kmsgPath, err)
	}
	if _, err := unix.Seek(fd, 0, unix.SEEK_END); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("seek %s: %w", kmsgPath, err)
	}
	k := newKmsgLog(fdSource(fd), fd)
	k.calibrate()
	return k, nil
}

func newKmsgLog(src kmsgSource, fd int) *kmsgLog {
	return &kmsgLog{src: src, fd: fd, buf: make([]byte, 8192)}
}

// calibrate writes a marker record and takes the offset between the
// monotonic clock around the write and the record's timestamp.
func (k *kmsgLog) calibrate() {
	w, err := unix.Open(kmsgPath, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(w)
	marker := fmt.Sprintf("gauntlet[%d]: watching sched_ext", os.Getpid())
	before := time.Duration(monoNow())
	if _, err := unix.Write(w, []byte(marker+"\n")); err != nil {
		return
	}
	after := time.Duration(monoNow())
	for _, r := range k.read() {
		if strings.HasSuffix(r.Msg, marker) {
			k.offset, k.calibrated = before+(after-before)/2-r.TS, true
		}
	}
}

// now is the current time on the log's clock (time since boot).
func (k *kmsgLog) now() time.Duration { return time.Duration(monoNow()) - k.offset }

// read returns every record that arrived since the last read; the
// sched_ext ones (and their backtraces) are also kept.
func (k *kmsgLog) read() []kmsgRecord {
	var out []kmsgRecord
	for k.broken == nil {
		n, err := k.src.Read(k.buf)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return out
		case errors.Is(err, unix.EPIPE), errors.Is(err, unix.EINTR):
			continue // records were overwritten before we read them
		case err != nil:
			k.broken = err
			return out
		case n == 0:
			return out
		}
		r, ok := parseKmsgRecord(k.buf[:n])
		if !ok {
			continue
		}
		k.keep(r)
		out = append(out, r)
	}
	return out
}

// keep records r when it is a sched_ext line or the backtrace after one.
func (k *kmsgLog) keep(r kmsgRecord) {
	switch {
	case strings.HasPrefix(r.Msg, "sched_ext:"):
		k.kept, k.inTrace = append(k.kept, r), true
	case k.inTrace && strings.HasPrefix(r.Msg, " "):
		k.kept = append(k.kept, r)
	default:
		k.inTrace = false
	}
}

// text is the kept records as dmesg prints them.
func (k *kmsgLog) text() string {
	var b strings.Builder
	for _, r := range k.kept {
		us := r.TS.Microseconds()
		fmt.Fprintf(&b, "[%5d.%06d] %s\n", us/1e6, us%1e6, r.Msg)
	}
	return b.String()
}

func (k *kmsgLog) close() {
	if k.fd >= 0 {
		unix.Close(k.fd)
		k.fd = -1
	}
}
