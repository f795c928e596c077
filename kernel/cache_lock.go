package kernel

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lockFile is the cache's lock; every change of the entry set holds it.
const lockFile = ".lock"

// lock takes the cache's exclusive lock, creating the root if needed. The
// returned function releases it. Holders only rename and remove, so the
// wait is short and not cancellable.
func (c *Cache) lock() (unlock func(), err error) {
	if err := os.MkdirAll(c.Root, 0o755); err != nil {
		return nil, fmt.Errorf("lock kernel cache: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(c.Root, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock kernel cache: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock kernel cache: %w", err)
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
