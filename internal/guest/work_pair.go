package guest

import (
	"encoding/binary"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// waitSlice bounds one blocking wait of a paired or lock-sharing worker,
// so it notices a stop request in time.
const waitSlice = 20 * time.Millisecond

// pipeSpin is PipeIo's work between receiving and sending.
func pipeSpin(*worker) { spin(shortRounds) }

// preparePipe makes the inherited pipe ends blocking; the pair's first
// worker sends the first message. An iteration receives, runs work and
// sends back; kind names the work type in errors.
func (w *worker) preparePipe(kind string, work func(*worker)) (iterFunc, error) {
	for _, fd := range []int{fdPipeRead, fdPipeSend} {
		if err := unix.SetNonblock(fd, false); err != nil {
			return nil, fmt.Errorf("%s pipe fd %d: %w", kind, fd, err)
		}
	}
	first := w.cfg.PairRole == 0
	return func(w *worker) error {
		if first {
			first = false
			if err := w.pipeSend(); err != nil {
				return err
			}
		}
		stamp, err := w.pipeRecv()
		if err != nil {
			return err
		}
		if stamp != 0 {
			w.prog.wake.add(time.Duration(time.Now().UnixNano() - stamp))
		}
		work(w)
		if err := w.pipeSend(); err != nil {
			return err
		}
		w.checkpoint(0)
		return nil
	}, nil
}

// pipeSend writes the current time to the partner.
func (w *worker) pipeSend() error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(time.Now().UnixNano()))
	for {
		_, err := unix.Write(fdPipeSend, b[:])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EPIPE && w.stopped():
			return errStopped
		case err != nil:
			return fmt.Errorf("%s send to partner: %w", w.cfg.Work.Kind, err)
		}
		return nil
	}
}

// pipeRecv waits for the partner's message and returns its timestamp.
func (w *worker) pipeRecv() (int64, error) {
	fds := []unix.PollFd{{Fd: fdPipeRead, Events: unix.POLLIN}}
	for {
		if w.stopped() {
			return 0, errStopped
		}
		n, err := unix.Poll(fds, int(waitSlice/time.Millisecond))
		if err == unix.EINTR || n == 0 {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("%s wait for partner: %w", w.cfg.Work.Kind, err)
		}
		var b [8]byte
		got, err := unix.Read(fdPipeRead, b[:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, fmt.Errorf("%s read from partner: %w", w.cfg.Work.Kind, err)
		case got == 0 && w.stopped():
			return 0, errStopped
		case got != len(b):
			return 0, fmt.Errorf("%s partner closed its pipe (read %d bytes)", w.cfg.Work.Kind, got)
		}
		return int64(binary.LittleEndian.Uint64(b[:])), nil
	}
}

// iterFutex waits for this worker's turn in the pair's turn word, then
// hands the turn to the partner.
func iterFutex(w *worker) error {
	s := w.shm.slot(w.cfg.PairSlot)
	me := uint32(w.cfg.PairRole)
	for s.turn.Load() != me {
		if w.stopped() {
			return errStopped
		}
		if err := futexWait(&s.turn, 1-me, waitSlice); err != nil {
			return fmt.Errorf("FutexPingPong: %w", err)
		}
	}
	if st := s.stamp.Load(); st != 0 {
		w.prog.wake.add(time.Duration(time.Now().UnixNano() - st))
	}
	spin(shortRounds)
	s.stamp.Store(time.Now().UnixNano())
	s.turn.Store(1 - me)
	futexWake(&s.turn, 1)
	w.checkpoint(0)
	return nil
}

// iterMutex takes the shared lock (0 free, 1 locked, 2 locked with
// waiters), works holding it and releases it.
func iterMutex(w *worker) error {
	l := &w.shm.slot(w.cfg.LockSlot).lock
	if !l.CompareAndSwap(0, 1) {
		t0 := time.Now()
		for l.Swap(2) != 0 {
			if w.stopped() {
				return errStopped
			}
			if err := futexWait(l, 2, waitSlice); err != nil {
				return fmt.Errorf("MutexContention: %w", err)
			}
		}
		w.prog.wake.add(time.Since(t0))
	}
	spin(shortRounds)
	if l.Swap(0) == 2 {
		futexWake(l, 1)
	}
	w.checkpoint(0)
	return nil
}
