package kernel

import _ "embed" // for Fragment

// Fragment is ktstr.kconfig (kernel/ktstr.kconfig in the source tree), the
// kernel config fragment for scheduler tests: sched_ext, BPF and BTF,
// kprobes and ftrace, cgroup2 cpuset and cpu, SMP, NUMA, SMT and MC
// scheduling, schedstats, serial and virtio consoles, initramfs, devtmpfs,
// tmpfs, paravirt guest support and the PVH entry, on top of an allnoconfig base.
// `gauntlet kernel build` merges it (see kbuild.BuildOptions.Fragment);
// the cache records its hash ([Metadata.FragmentHash]) so `gauntlet kernel
// list` can mark kernels built with an older fragment.
//
//go:embed ktstr.kconfig
var Fragment string

// FragmentHash is the hash the cache records for [Fragment]: its
// [HashString].
func FragmentHash() string { return HashString(Fragment) }
