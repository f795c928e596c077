package guest

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Shared memory between the harness and its workers: a memfd mapped by
// every process. It holds the isolation epoch (bumped by the harness
// around every cpuset or cgroup change) and one slot per worker for its
// stop flag and for the words paired and lock-sharing work types use.
const (
	shmHeader = 128
	slotSize  = 128
	maxSlots  = 1024
	shmSize   = shmHeader + maxSlots*slotSize
)

// slot is one worker's shared words. Only the first 48 bytes are used;
// the rest keeps neighbours off the same cache lines.
type slot struct {
	stop   atomic.Uint32 // set by the harness: stop at the next checkpoint
	turn   atomic.Uint32 // FutexPingPong: whose turn it is (pair owner's slot)
	lock   atomic.Uint32 // MutexContention: 0 free, 1 locked, 2 contended (group owner's slot)
	_      uint32
	stamp  atomic.Int64  // unix ns of the last handoff or contended unlock
	iters  atomic.Uint64 // work units so far
	gen    atomic.Uint32 // fan-out: the waker's generation (group owner's slot)
	done   atomic.Uint32 // FanOutCompute: waiters done with the generation
	doneAt atomic.Int64  // FanOutCompute: unix ns the last waiter finished
}

// shm is a mapped shared region.
type shm struct {
	file *os.File
	mem  []byte
}

// newShm creates the region in the harness.
func newShm() (*shm, error) {
	fd, err := unix.MemfdCreate("gauntlet-shm", 0)
	if err != nil {
		return nil, fmt.Errorf("create shared memory: %w", err)
	}
	f := os.NewFile(uintptr(fd), "gauntlet-shm")
	if err := unix.Ftruncate(fd, shmSize); err != nil {
		f.Close()
		return nil, fmt.Errorf("size shared memory: %w", err)
	}
	return mapShm(f)
}

// mapShm maps the region from f (the harness's memfd, or the file a worker
// inherited).
func mapShm(f *os.File) (*shm, error) {
	mem, err := unix.Mmap(int(f.Fd()), 0, shmSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("map shared memory: %w", err)
	}
	return &shm{file: f, mem: mem}, nil
}

// close unmaps the region and closes its file.
func (m *shm) close() error {
	err := unix.Munmap(m.mem)
	if cerr := m.file.Close(); err == nil {
		err = cerr
	}
	return err
}

// epoch is the isolation epoch word.
func (m *shm) epoch() *atomic.Uint64 { return (*atomic.Uint64)(unsafe.Pointer(&m.mem[0])) }

// slot returns worker slot i (0 <= i < maxSlots).
func (m *shm) slot(i int) *slot { return (*slot)(unsafe.Pointer(&m.mem[shmHeader+i*slotSize])) }

// futexWait blocks while *addr == val, for at most timeout. Spurious and
// timed-out wakeups return nil; callers re-check their condition.
func futexWait(addr *atomic.Uint32, val uint32, timeout time.Duration) error {
	ts := unix.NsecToTimespec(int64(timeout))
	_, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWaitOp,
		uintptr(val), uintptr(unsafe.Pointer(&ts)), 0, 0)
	switch errno {
	case 0, unix.EAGAIN, unix.EINTR, unix.ETIMEDOUT:
		return nil
	}
	return fmt.Errorf("futex wait: %w", errno)
}

// futexWake wakes up to n waiters on addr.
func futexWake(addr *atomic.Uint32, n int) {
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWakeOp, uintptr(n), 0, 0, 0)
}

// Shared (not process-private) futex operations: the words live in memory
// mapped by several processes.
const (
	futexWaitOp = 0 // FUTEX_WAIT
	futexWakeOp = 1 // FUTEX_WAKE
)
