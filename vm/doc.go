// Package vm boots throwaway QEMU VMs: it builds QEMU command lines from a
// topology, writes initramfs archives, picks a working accelerator,
// discovers, caches and builds kernels, and runs a VM to a classified
// outcome.
package vm
