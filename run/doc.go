// Package run plans and runs a gauntlet: what `gauntlet plan` and
// `gauntlet run` do after their flags are parsed.
//
// A [Planner] lists the tests of the packages, builds each test binary
// once and asks every test for its Spec (package expand), expands each
// over topology presets and scheduler flag profiles, and selects what
// fits the budget on this host (package budget). The [Plan] prints as a
// table ([Plan.WriteText]) or JSON ([Plan.WriteJSON]). With
// [PlanConfig.Schedulers] (`--scheduler PATH`) the tests whose Spec has no
// scheduler also run under each binary, as a profile named by its base
// name; a binary the host cannot pack, or a kernel without sched_ext,
// leaves its variants out with one line [Plan.Report] prints.
//
// Kernels: [Config.Kernels] (`--kernel`, repeatable) names the kernels to
// boot. With several, the kernel is a dimension of the matrix: every
// variant is planned on each ([PlanConfig.Kernels], labelled by
// kernel.Labels), named with the label, and boots that kernel; test x
// kernel and kernel x topology are coverage features, and history is
// kept per kernel. A kernel whose config says it lacks sched_ext excludes
// the variants with a scheduler on it, with the reason. Without
// --kernel, the discovered kernel boots everything except the variants
// with a scheduler, which boot GAUNTLET_SCX_KERNEL when it is set
// ([PlanConfig.SchedExtKernel]); with --kernel that fallback is off.
//
// A [Runner] checks the host ([Runner.Preflight]: QEMU, a kernel, the
// accelerator), plans, and boots the selected variants in VMs
// (package vm, through internal/launch) under an errgroup whose CPU and
// memory semaphores hold the weights the plan was packed with. It writes
// a new run directory under [Config.Out]: [JUnitFile], [ResultsFile]
// (the measured times and the verifier's counts per BPF program, which
// later plans read as history) and [LogsDir]. Variants that boot the same
// VM share one: a VM whose test passed with a clean guest runs the next
// unstarted variant of the same boot (vm.Config.Next), claimed race-free
// in plan order, in the same goroutine and under the same weights, with
// its own logs and case (property shared-boot=VMNAME; see share.go);
// a failure or dirty guest ends the VM, and [PlanConfig.FreshVM] turns
// sharing off (the plan then counts a boot per variant). Partial
// results are written when the run is interrupted or its [Config.Timeout]
// passes. A variant whose test failed is booted again up to
// [PlanConfig.Retries] times, each in a fresh VM; the case keeps its
// earlier attempts ([report.Case.Attempts]) and is flaky when the last
// one passed. [PlanConfig.Count] repeats every variant under its own
// name (VARIANT#2, ...); [Config.FailFast] stops starting variants after
// a failure. While it runs it shows progress on [Config.Stdout] as
// [Config.Display] says (plain lines, or a live block for a terminal)
// and, when [Config.JSON] is set, writes the run there as `go test -json`
// events; both are observers of the same events (observer.go). [Merge]
// merges the results of several runs, such as CI shards; [Compare]
// compares two runs' metrics variant by variant and flags regressions
// past per-metric gates ([ErrRegression]).
//
// The planner's and runner's dependencies on the machine (loading
// packages, host facts, the KVM probe, QEMU, the kernel, the accelerator,
// booting a VM, the clock) are struct fields whose nil value is the real
// one, so tests replace them per value and run in parallel.
//
// Errors say what the caller should do: [ErrTestsFailed] when tests
// failed and [ErrTimeout] when the run's timeout passed (`gauntlet`
// exits 1 on both), a [*UsageError] for bad input, anything
// else for a host that cannot run the gauntlet (both exit 2).
//
// Reading the environment is the caller's job: the Planner and Runner
// read none beyond what their default dependencies read (the kernel
// discovery chain, GAUNTLET_SCX_KERNEL, /dev/kvm, /proc/meminfo).
package run
