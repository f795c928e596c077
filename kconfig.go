package gauntlet

import _ "embed" // for KernelConfig

// KernelConfig is ktstr.kconfig, the kernel config fragment for scheduler
// tests: sched_ext, BPF and BTF, kprobes and ftrace, cgroup2 cpuset and
// cpu, SMP, NUMA, SMT and MC scheduling, schedstats, serial and virtio
// consoles, initramfs, devtmpfs, tmpfs and paravirt guest support, on top
// of an allnoconfig base. `gauntlet kernel build` merges it (see
// vm.BuildOptions.Fragment); the cache records its hash so `gauntlet
// kernel list` can mark kernels built with an older fragment.
//
//go:embed ktstr.kconfig
var KernelConfig string
