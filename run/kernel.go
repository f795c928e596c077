package run

import (
	"fmt"

	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
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

// NoSchedExtReason says why sched_ext variants cannot run when k boots
// them, or "" when they can or it is not known: scx, the separate kernel
// for tests with a scheduler, may run them; otherwise k's recorded config
// (a cache entry's metadata, a config file beside the image) decides.
func NoSchedExtReason(k kernel.Kernel, scx *kernel.Kernel) string {
	if scx != nil || k.SchedExt == nil || *k.SchedExt {
		return ""
	}
	return fmt.Sprintf("kernel %s has no sched_ext (CONFIG_SCHED_CLASS_EXT); build one with scripts/scx-setup.sh or 'gauntlet kernel build', or set %s to a sched_ext image",
		k.Path, spec.EnvSchedExtKernel)
}

// NoSchedExt is [NoSchedExtReason] for the kernels a run would boot: the
// image at path, or the discovered one, and the sched_ext kernel for
// tests with a scheduler. It is "" when a kernel cannot be found: the
// run itself reports that.
func (r *Runner) NoSchedExt(path string) string {
	k, err := r.findKernel(path)
	if err != nil {
		return ""
	}
	var scx *kernel.Kernel
	if path == "" {
		if scx, err = r.schedExtKernel(); err != nil {
			return ""
		}
	}
	return NoSchedExtReason(k, scx)
}
