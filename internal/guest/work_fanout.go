package guest

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Fan-out work types: a group of 1 + FanOut workers shares the words of
// the group owner's slot (the waker, role 0). The waker advances the
// generation word and wakes every waiter with one FUTEX_WAKE; waiters
// block on the word until it moves.

// defaultComputeKiB is FanOutCompute's working set when none is given.
const defaultComputeKiB = 64

// prepareFutexFanOut returns the waker's or a waiter's iteration. The
// waker spins, stamps the time, advances the generation and wakes all
// waiters, without waiting for them. A waiter blocks until the
// generation moves; when it was blocked at the wake, the time from the
// waker's stamp to running is a wake-latency sample (a waiter that comes
// round after the wake, having missed it, takes no sample).
func prepareFutexFanOut(w *worker, s WorkSpec) (iterFunc, error) {
	g := w.shm.slot(w.cfg.PairSlot)
	if w.cfg.PairRole == 0 {
		n := s.fanOut()
		return func(w *worker) error {
			spin(spinRounds)
			g.stamp.Store(time.Now().UnixNano())
			g.gen.Add(1)
			futexWake(&g.gen, n)
			w.checkpoint(0)
			return nil
		}, nil
	}
	var seen uint32
	return func(w *worker) error {
		cur, waited, err := w.awaitGeneration(g, seen)
		if err != nil {
			return err
		}
		seen = cur
		if waited {
			w.prog.wake.add(time.Duration(time.Now().UnixNano() - g.stamp.Load()))
		}
		spin(shortRounds)
		w.checkpoint(0)
		return nil
	}, nil
}

// awaitGeneration blocks until the group's generation differs from seen
// and returns it; waited says whether the worker saw seen at least once,
// i.e. it was waiting when the waker moved on.
func (w *worker) awaitGeneration(g *slot, seen uint32) (uint32, bool, error) {
	waited := false
	for {
		cur := g.gen.Load()
		if cur != seen {
			return cur, waited, nil
		}
		if w.stopped() {
			return 0, false, errStopped
		}
		waited = true
		if err := futexWait(&g.gen, cur, waitSlice); err != nil {
			return 0, false, fmt.Errorf("%s wait for the waker: %w", w.cfg.Work.Kind, err)
		}
	}
}

func checkFanOutCompute(s WorkSpec) error {
	if err := checkFanOut(s); err != nil {
		return err
	}
	if s.SizeKiB < 0 || s.SizeKiB > 64*1024 {
		return fmt.Errorf("work %s: working set %d KiB: want 1 KiB to 64 MiB (0 for %d KiB)", s, s.SizeKiB, defaultComputeKiB)
	}
	return nil
}

func (w WorkSpec) computeKiB() int {
	if w.SizeKiB <= 0 {
		return defaultComputeKiB
	}
	return w.SizeKiB
}

func describeFanOutCompute(s WorkSpec) string {
	return fmt.Sprintf("%s(%d,%dKiB)", s.Kind, s.fanOut(), s.computeKiB())
}

// prepareFanOutCompute returns the producer's or a compute worker's
// iteration. One round: the producer stamps the time, resets the done
// count, advances the generation and wakes its workers, then blocks
// until the last of them is done. Each worker wakes (the time from the
// producer's stamp is a wake-latency sample), multiplies two square
// matrices that fill its working set, and reports done; the last one
// wakes the producer (the time from its finish to the producer running is
// the producer's sample). Every round thus waits for the slowest worker.
func prepareFanOutCompute(w *worker, s WorkSpec) (iterFunc, error) {
	g := w.shm.slot(w.cfg.PairSlot)
	n := uint32(s.fanOut())
	if w.cfg.PairRole == 0 {
		return func(w *worker) error { return w.produceRound(g, n) }, nil
	}
	m := newMatrices(s.computeKiB(), w.state.next)
	var seen uint32
	return func(w *worker) error {
		cur, _, err := w.awaitGeneration(g, seen)
		if err != nil {
			return err
		}
		seen = cur
		w.prog.wake.add(time.Duration(time.Now().UnixNano() - g.stamp.Load()))
		m.multiply()
		storeMax(&g.doneAt, time.Now().UnixNano())
		if g.done.Add(1) == n {
			futexWake(&g.done, 1)
		}
		w.checkpoint(0)
		return nil
	}, nil
}

// produceRound hands out one round to the n workers of group g and waits
// until all are done.
func (w *worker) produceRound(g *slot, n uint32) error {
	g.done.Store(0)
	g.stamp.Store(time.Now().UnixNano())
	g.gen.Add(1)
	futexWake(&g.gen, int(n))
	waited := false
	for {
		d := g.done.Load()
		if d == n {
			break
		}
		if w.stopped() {
			return errStopped
		}
		waited = true
		if err := futexWait(&g.done, d, waitSlice); err != nil {
			return fmt.Errorf("FanOutCompute wait for the workers: %w", err)
		}
	}
	if waited {
		w.prog.wake.add(time.Duration(time.Now().UnixNano() - g.doneAt.Load()))
	}
	w.checkpoint(0)
	return nil
}

// storeMax raises *a to v unless it is already larger.
func storeMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if old >= v || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// matrices are three n x n matrices of uint64 (a, b and their product c)
// in one buffer.
type matrices struct {
	n   int
	buf []uint64
}

// newMatrices sizes the matrices to fill kib KiB together and fills a
// and b from rnd.
func newMatrices(kib int, rnd func() uint64) *matrices {
	n := max(1, int(math.Sqrt(float64(kib*1024/3/8))))
	m := &matrices{n: n, buf: make([]uint64, 3*n*n)}
	for i := range m.buf[:2*n*n] {
		m.buf[i] = rnd()
	}
	return m
}

// multiply sets c = a x b.
func (m *matrices) multiply() {
	n := m.n
	a, b, c := m.buf[:n*n], m.buf[n*n:2*n*n], m.buf[2*n*n:]
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var sum uint64
			for k := 0; k < n; k++ {
				sum += a[i*n+k] * b[k*n+j]
			}
			c[i*n+j] = sum
		}
	}
	spinSink.Store(c[0] | 1)
}
