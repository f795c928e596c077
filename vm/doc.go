// Package vm boots throwaway QEMU VMs: it builds QEMU command lines from a
// topology, writes initramfs archives, picks a working accelerator and
// runs a VM to a classified outcome. Package kernel finds the kernel to
// boot ([kernel.Find]); package kernel/kbuild builds one.
//
// # Running a test in a VM
//
// A [Config] names a kernel, a static init binary (a gauntlet test binary:
// booted as PID 1 it becomes the guest init of package internal/guest), the test
// process's arguments and environment, the CPU topology and extra files.
// [Config.Run] (or [Config.Start] then [Machine.Wait]) boots it:
//
//   - the initramfs holds the init as /init plus the extra files; it is
//     built once per set of inputs and cached under [Config.CacheDir];
//   - QEMU runs a q35 machine with one socket per LLC, one RAM backend per
//     NUMA node, no network, display or default devices, the kernel
//     console on the first serial port written to a log file, and a
//     virtio-serial port (internal/vmchan) to the init;
//   - the init reports its start, receives what to run, checks the
//     topology it sees in sysfs against the request, runs the test as a
//     child with its output on the port, reports the exit status and
//     powers off;
//   - the [Result] classifies the run ([spec.Outcome]: pass, fail, skip,
//     crash, kernel panic, timeout, QEMU failed, accelerator unusable)
//     and carries the evidence: output, console tail, timings, QEMU
//     command line.
//
// # Booting faster under TCG
//
// Two cuts measured in docs/boot.md are applied to every boot. The
// kernel boots as its uncompressed vmlinux through the PVH entry
// (QEMU loads the ELF itself: no SeaBIOS, no linuxboot ROM, no emulated
// decompression) when the bzImage's payload is gzip, bzip2 or zstd and
// holds a PVH entry note (CONFIG_PVH=y); the vmlinux is taken out once
// and cached under [Config.CacheDir]. Otherwise, or with [EnvNoPVH] set,
// the bzImage boots. Under TCG the command line gets lpj= from the host's
// TSC rate (the guest's TSC is the host's) and the kernel's CONFIG_HZ
// (the config beside the image, else the one it embeds), which spares
// every CPU its delay-loop calibration; KernelArgs with lpj= of their own
// (lpj=0 brings the calibration back) win. [Result.KernelNote] says which
// image booted and why, and about lpj=.
//
// # Several tests in one boot
//
// [Config.Next] lets one VM run several tests back to back. After each
// test that exited 0 the init kills and reaps every process left, then
// checks the guest is as clean as after its boot: sched_ext disabled, no
// process but itself and kernel threads, no cgroup below the root, the
// kernel's taint and online CPUs unchanged, no kernel error, WARNING or
// BUG logged since. Only then is the result [Result.Reusable], and Next
// may hand it the next test, which must fit the boot ([Config.CanRun]).
// After a failure, crash, timeout or dirty guest ([Result.Dirty] says
// what was left) the VM powers off. A chained test's Result has its own
// output, console excerpt (the log from its request on), timeout and
// [Result.Shared]; its BootTime is zero. Measured with TCG on 2 vCPUs:
// a chained test ran in 0.3 s where its own boot took 3-11 s.
//
// Cancelling the context kills QEMU and removes the run's temporary
// files; so does the timeout ([DefaultTimeout] derives it from the
// topology and the scenario duration). Runs are independent: many may run
// at once under an errgroup.
//
// # Accelerator
//
// [spec.AccelAuto] uses KVM when /dev/kvm opens and KVM has not been found
// unusable on this host (same kernel release and QEMU version); the first
// run tries it and watches QEMU's stderr, so a failure such as kvm_pvm's
// "emulation failure" is caught within seconds, remembered, and the run
// falls back to TCG (`-accel tcg,thread=multi -cpu max`). [DetectAccel]
// answers the question up front. Under TCG a guest with more than 2 and at
// most 8 vCPUs per host core runs single-threaded (`thread=single`, see
// [spec.SingleThreadedTCG] and [Config.TCGThreads]), which boots it up to
// 16 times faster on a small host and holds one host core.
package vm
