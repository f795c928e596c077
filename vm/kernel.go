package vm

import (
	"errors"
	"fmt"
	"os"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// ErrNoKernel means no bootable kernel image was found.
var ErrNoKernel = errors.New("no kernel found")

// Kernel is a kernel image found by [FindKernel].
type Kernel struct {
	// Path is the image file (bzImage or vmlinuz).
	Path string
	// Step names the discovery step that matched, e.g. "KTSTR_TEST_KERNEL".
	Step string
}

// FindKernel walks the kernel discovery chain.
//
// PLACEHOLDER: only KTSTR_TEST_KERNEL so far; the kernel issue replaces
// this with the full chain (keep the signature or update the callers).
func FindKernel() (Kernel, error) {
	if p := os.Getenv(spec.EnvTestKernel); p != "" {
		if _, err := os.Stat(p); err != nil {
			return Kernel{}, fmt.Errorf("%s=%s: %w", spec.EnvTestKernel, p, err)
		}
		return Kernel{Path: p, Step: spec.EnvTestKernel}, nil
	}
	return Kernel{}, fmt.Errorf("%w: set %s to a kernel image", ErrNoKernel, spec.EnvTestKernel)
}
