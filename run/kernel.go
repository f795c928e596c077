package run

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/kernel"
)

// findKernel is the default [Runner.FindKernel]: the image at path,
// checked, or the discovered kernel when path is empty.
func findKernel(path string) (kernel.Kernel, error) {
	if path == "" {
		return kernel.Find()
	}
	if err := kernel.CheckImage(path); err != nil {
		return kernel.Kernel{}, fmt.Errorf("--kernel %s: %w", path, err)
	}
	return kernel.Kernel{Path: path, Step: "--kernel"}, nil
}

func (r *Runner) findKernel(path string) (kernel.Kernel, error) {
	if r.FindKernel != nil {
		return r.FindKernel(path)
	}
	return findKernel(path)
}

func (r *Runner) schedExtKernel() (*kernel.Kernel, error) {
	if r.SchedExtKernel != nil {
		return r.SchedExtKernel()
	}
	return launch.SchedExtKernel()
}
