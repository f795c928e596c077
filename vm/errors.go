package vm

import (
	"errors"
	"fmt"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// Errors of the VM runner. Those that mean "this host cannot run VMs"
// wrap [spec.ErrNotSupported], so tests skip on them.
var (
	// ErrNoQEMU means the QEMU binary is not installed.
	ErrNoQEMU = fmt.Errorf("qemu-system-x86_64 not found (install it: apt-get install qemu-system-x86): %w", spec.ErrNotSupported)
	// ErrNotStatic means the init binary is dynamically linked; the guest
	// has no libraries, so it could not start.
	ErrNotStatic = errors.New("init binary is dynamically linked (rebuild with CGO_ENABLED=0)")
	// ErrBadConfig means a [Config] field is invalid; the message names it.
	ErrBadConfig = errors.New("bad vm config")
)
