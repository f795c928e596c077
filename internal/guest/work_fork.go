package guest

import (
	"syscall"
	"unsafe"
)

// forkExit forks a child that exits at once with status 0 and returns its
// pid. It blocks all signals around the fork, as the Go runtime does, so
// no signal handler runs in the child; the child touches nothing but the
// exit system call. nosplit keeps the stack from growing (and moving)
// between the fork and the exit.
//
//go:nosplit
func forkExit() (int, syscall.Errno) {
	all := ^uint64(0)
	var old uint64
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, sigSetmask, uintptr(unsafe.Pointer(&all)), uintptr(unsafe.Pointer(&old)), 8, 0, 0)
	pid, _, errno := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	if errno == 0 && pid == 0 {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, sigSetmask, uintptr(unsafe.Pointer(&old)), 0, 8, 0, 0)
	return int(pid), errno
}

// sigSetmask is SIG_SETMASK for rt_sigprocmask.
const sigSetmask = 2
