package run

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// findKernel is the default [Runner.FindKernel]: the image at path,
// checked, or the discovered kernel when path is empty.
func findKernel(path string) (vm.Kernel, error) {
	if path == "" {
		return vm.FindKernel()
	}
	if err := vm.CheckKernelImage(path); err != nil {
		return vm.Kernel{}, fmt.Errorf("--kernel %s: %w", path, err)
	}
	return vm.Kernel{Path: path, Step: "--kernel"}, nil
}

func (r *Runner) findKernel(path string) (vm.Kernel, error) {
	if r.FindKernel != nil {
		return r.FindKernel(path)
	}
	return findKernel(path)
}

func (r *Runner) schedExtKernel() (*vm.Kernel, error) {
	if r.SchedExtKernel != nil {
		return r.SchedExtKernel()
	}
	return launch.SchedExtKernel()
}
