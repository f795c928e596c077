// Package launch builds and runs the VM for one test variant; shared by
// `go test` (the root's Run on the host) and `gauntlet run`.
//
// [VariantConfig] turns a test's [spec.Spec] and one [spec.Variant] into
// the [vm.Config] that boots the test binary as the guest init and selects
// exactly that test; [SchedExtKernel] is the sched_ext kernel tests with a
// scheduler boot when GAUNTLET_SCX_KERNEL names one. [RunTest] is the
// whole host side of a plain `go test` run: it finds QEMU, a kernel and
// the (static) test binary, boots one VM at the Spec's base topology and
// reports the guest's verdict as the test's own.
//
// The package runs on the host only: it does not import the guest
// runtime, so the gauntlet command links neither it nor cilium/ebpf.
package launch
