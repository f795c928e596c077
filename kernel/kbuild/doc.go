// Package kbuild builds test kernels and imports prebuilt ones into the
// cache of package kernel.
//
// [Build] takes a release from a kernel.org-style mirror (checked against
// the mirror's sha256sums.asc when it has one), a local source tarball or
// a kernel tree; configures it from allnoconfig plus a config fragment
// (the embedded ktstr.kconfig) and olddefconfig; stops before compiling
// when an option the harness needs did not survive; builds the boot image
// and installs it in the cache. [Import] caches a bzImage, vmlinuz or
// Debian linux-image-*.deb built elsewhere.
//
// Build time: make runs one job more than the CPUs (-j3 on 2 CPUs), so a
// job waiting on the disk or on make leaves no CPU idle. Debian's
// linux-source-6.12 tarball then builds in about 7 minutes on 2 cores
// (6:44 wall, 739 s user+sys). Dropping the function tracer saved no
// measurable CPU time, and the DWARF debug info BTF is made from (about
// a quarter of the compile) cannot go.
//
// It is a package apart from kernel on purpose: test binaries link kernel
// (for discovery) and vm (the VM runner) and are booted as the VM's /init,
// so they must be static. archive/tar (through os/user) and net/http make a
// cgo-enabled binary dynamically linked; keeping them here keeps them out
// of every test binary.
//
// Build needs make and a C toolchain, flex, bison, bc, pahole (for BTF),
// libelf and libssl headers, and xz for .tar.xz sources; on Debian:
//
//	apt-get install -y build-essential flex bison bc libelf-dev libssl-dev dwarves xz-utils
package kbuild
