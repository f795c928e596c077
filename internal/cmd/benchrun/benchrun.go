// Package benchrun is the setup the benchmark commands under
// internal/cmd share: a work directory and a gauntlet binary to run.
package benchrun

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// WorkDir returns keep, created if needed, or when keep is empty a new
// temporary directory named after pattern (see [os.MkdirTemp]); cleanup
// removes a temporary one and does nothing for keep.
func WorkDir(keep, pattern string) (dir string, cleanup func(), err error) {
	if keep != "" {
		return keep, func() {}, os.MkdirAll(keep, 0o755)
	}
	d, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", func() {}, err
	}
	return d, func() { os.RemoveAll(d) }, nil
}

// Gauntlet returns bin, or when it is empty builds ./cmd/gauntlet (static,
// as the VMs need) into dir and returns its path. It must run from the
// repository's root.
func Gauntlet(ctx context.Context, bin, dir string) (string, error) {
	if bin != "" {
		return bin, nil
	}
	bin = filepath.Join(dir, "gauntlet")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/gauntlet")
	build.Env, build.Stdout, build.Stderr = append(os.Environ(), "CGO_ENABLED=0"), os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build gauntlet (run from the repository's root): %w", err)
	}
	return bin, nil
}
