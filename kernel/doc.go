// Package kernel finds, checks and caches the Linux kernels gauntlet boots.
//
// # Discovery
//
// [Find] (or [Discover], with seams for tests) walks a fixed chain and
// returns the first usable boot image as a [Kernel]: KTSTR_TEST_KERNEL,
// KTSTR_KERNEL (a path, a version or a cache key, read by [ParseID]), the
// newest cache entry of the host's architecture, ./linux and ../linux,
// the installed kernel's tree and image under /lib/modules, and /boot.
// When nothing matches, the error is a [*NotFoundError] listing every step
// tried and how to get a kernel; it wraps [ErrNotFound] and
// spec.ErrNotSupported, so tests skip on it. [Resolve] finds one kernel
// a user names (`--kernel`: a path, a tree, a version or a cache key), and
// [Labels] gives several kernels the short unique names variant names
// carry (6.12.117, or 6.12.117-deb12 and 6.12.117-scx when they share a
// version).
//
// # Images and configs
//
// [CheckImage] is the one check that a file is a boot image of the
// host's architecture (an x86 bzImage: the setup header's "HdrS" magic);
// discovery, the VM runner, the CLI's --kernel and kbuild all use it.
// [ImageKind], [ImageVersion] and [Payload] read the same header.
// [ParseConfig], [MergeConfig], [CheckConfig] and [DroppedOptions] read
// and check .config files; [Fragment] is the embedded config fragment
// (ktstr.kconfig) test kernels are built with, and [FragmentHash] its hash
// as the cache records it.
//
// # Cache
//
// A [Cache] is a directory of built and imported kernels, one entry per
// [CacheKey], each with its image, .config and [Metadata]. Its root is
// $KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr/kernels, else
// ~/.cache/ktstr/kernels ([CacheRoot]). Entries are written in a
// [Staging] directory and renamed into place under a lock file, so
// concurrent installs and readers never see half an entry; [Cache.Clean]
// and [PlanClean] remove old ones.
//
// Building kernels (which needs net/http and archive/tar, and so would
// make cgo-enabled test binaries dynamic) is package kernel/kbuild. The
// QEMU runner is package vm; this package does not depend on it.
package kernel
