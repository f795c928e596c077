package kernel

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gauntlet-sched/gauntlet/internal/filelock"
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
	unlock, err = filelock.Lock(filepath.Join(c.Root, lockFile))
	if err != nil {
		return nil, fmt.Errorf("lock kernel cache: %w", err)
	}
	return unlock, nil
}
