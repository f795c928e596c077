package launch

import (
	"fmt"
	"os"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// VariantConfig returns the VM config that runs the test called test (as
// described by its Spec s) from test binary bin as variant v on kernel k:
// v's topology, the memory and timeout s asks for, s's scheduler binary in
// the guest, and the test selected exactly by [spec.RunPattern]. The
// caller sets Accel, Output and ConsoleLog. `go test` (one base variant)
// and `gauntlet run` (many) build their VMs with it.
func VariantConfig(bin, test string, s spec.Spec, v spec.Variant, k kernel.Kernel) vm.Config {
	if v.Kernel == "" {
		v.Kernel = k.String()
	}
	cfg := vm.Config{
		Kernel:    k.Path,
		Init:      bin,
		Topology:  v.Topology,
		Args:      []string{"-test.run", spec.RunPattern(test), "-test.v"},
		Env:       guestEnv(),
		Variant:   &v,
		Files:     schedulerFiles(s),
		MemoryMiB: topo.GuestMemoryMiB(v.Topology, s.MemoryMiB),
		Timeout:   s.Timeout,
		Duration:  s.WithDefaults().Duration,
	}
	return cfg
}

// SchedExtKernel returns the kernel [spec.EnvSchedExtKernel]
// (GAUNTLET_SCX_KERNEL) names, or nil when it is unset. Tests whose Spec
// has a scheduler boot it instead of the discovered kernel, which may lack
// sched_ext. A set variable that names no kernel image is an error.
func SchedExtKernel() (*kernel.Kernel, error) {
	p := os.Getenv(spec.EnvSchedExtKernel)
	if p == "" {
		return nil, nil
	}
	if err := kernel.CheckImage(p); err != nil {
		return nil, fmt.Errorf("%s=%s: %w", spec.EnvSchedExtKernel, p, err)
	}
	yes := true
	return &kernel.Kernel{Path: p, Step: spec.EnvSchedExtKernel, SchedExt: &yes}, nil
}

// guestEnv passes settings that must hold inside the guest too.
func guestEnv() []string {
	var env []string
	for _, name := range []string{spec.EnvRequireVM, spec.EnvRequireSchedExt} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// schedulerFiles puts s's scheduler binary, if any, where the guest looks
// for it: [spec.SchedulerGuestPath].
func schedulerFiles(s spec.Spec) []vm.File {
	if s.Scheduler == nil || s.Scheduler.Binary == "" {
		return nil
	}
	return []vm.File{{Host: s.Scheduler.Binary, Guest: spec.SchedulerGuestPath(s.Scheduler.Binary)}}
}
