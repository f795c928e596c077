package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/nearest"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/kernel/kbuild"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func init() {
	register(command{name: "kernel", summary: "build, import, list, clean and find test kernels", run: runKernel})
}

const kernelUsage = `Usage: gauntlet kernel <build|list|clean|import|which> [flags] [args]

Manages the kernels VMs boot. Built and imported kernels live in the cache
at $KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr/kernels, else
~/.cache/ktstr/kernels; runs find them there on their own.

  build [VERSION] [--source DIR|TARBALL]  build a kernel with the embedded
                                         ktstr.kconfig and cache it
  list [--json]                          show the cached kernels
  clean [--keep N] [--dry-run]           remove old and corrupt kernels
  import FILE [--version V]              cache a prebuilt bzImage/vmlinuz
                                         or linux-image-*.deb
  which [-v]                             show the kernel a run would boot

Run 'gauntlet kernel <command> -h' for a command's flags.`

var kernelCommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"build": runKernelBuild, "list": runKernelList, "clean": runKernelClean,
	"import": runKernelImport, "which": runKernelWhich,
}

func runKernel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("kernel: missing command: build, list, clean, import or which (see 'gauntlet kernel -h')")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, kernelUsage)
		return nil
	}
	sub, ok := kernelCommands[args[0]]
	if !ok {
		names := slices.Sorted(maps.Keys(kernelCommands))
		return usageErrorf("kernel: unknown command %q%s: want build, list, clean, import or which", args[0], nearest.Hint(args[0], names))
	}
	return sub(ctx, args[1:], stdout, stderr)
}

// kernelCache opens the cache the environment selects.
func kernelCache() (*kernel.Cache, error) {
	c, err := kernel.DefaultCache()
	if err != nil {
		return nil, &exitError{Code: exitSetup, Err: err}
	}
	return c, nil
}

const kernelBuildUsage = `Usage: gauntlet kernel build [VERSION] [--source DIR|TARBALL] [--force] [--jobs N]

Builds a kernel for scheduler tests and caches it. VERSION (e.g. 6.12.8)
is downloaded as linux-VERSION.tar.xz from the mirror and checked against
its sha256sums.asc; without VERSION or --source the latest stable release
is built. --source takes a kernel tree (built in place) or a source
tarball such as Debian's /usr/src/linux-source-6.12.tar.xz.

The config is allnoconfig (--base-config) plus the embedded ktstr.kconfig,
then olddefconfig; the build stops early when an option the harness needs
(sched_ext, BPF, BTF, ...) did not make it into the final .config, with a
hint per option. Progress goes to stderr; the cache entry to stdout.

Needs: apt-get install -y build-essential flex bison bc libelf-dev libssl-dev dwarves xz-utils

Examples:
  gauntlet kernel build --source /usr/src/linux-source-6.12.tar.xz
  gauntlet kernel build 6.12.8 --jobs 4
  GAUNTLET_KERNEL_MIRROR=http://mirror.local/linux gauntlet kernel build 6.12.8`

type kernelBuildConfig struct {
	version, source, mirror, base string
	force                         bool
	jobs                          int
}

func (c kernelBuildConfig) Validate() error {
	switch {
	case c.version != "" && c.source != "":
		return usageErrorf("kernel build: give a VERSION or --source, not both")
	case c.jobs < 0:
		return usageErrorf("kernel build: --jobs %d: want 1 or more (0 means one more than the CPUs)", c.jobs)
	case !strings.HasSuffix(c.base, "config") || strings.ContainsAny(c.base, " /"):
		return usageErrorf("kernel build: --base-config %q: want a make config target such as allnoconfig, tinyconfig or defconfig", c.base)
	}
	if c.version != "" {
		if err := kernel.CheckVersion(c.version); err != nil {
			return usageErrorf("kernel build: %v", err)
		}
	}
	return nil
}

func runKernelBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg kernelBuildConfig
	fs := newFlagSet("kernel build", kernelBuildUsage, stdout)
	fs.StringVar(&cfg.source, "source", "", "build from a kernel tree `DIR` or a source TARBALL")
	fs.BoolVar(&cfg.force, "force", false, "rebuild even when the kernel is cached")
	fs.IntVar(&cfg.jobs, "jobs", 0, "make -j `N` (0: CPUs+1)")
	fs.StringVar(&cfg.base, "base-config", kbuild.DefaultBaseConfig, "make `TARGET` the config starts from before the fragment (defconfig builds a fuller, slower kernel)")
	fs.StringVar(&cfg.mirror, "mirror", os.Getenv(kbuild.EnvKernelMirror), "kernel.org-style tarball `URL` (default $"+kbuild.EnvKernelMirror+", else "+kbuild.DefaultMirror+")")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usageErrorf("kernel build: one VERSION at most, got %q", rest)
	}
	if len(rest) == 1 {
		cfg.version = rest[0]
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	cache, err := kernelCache()
	if err != nil {
		return err
	}
	res, err := kbuild.Build(ctx, kbuild.BuildOptions{
		Version: cfg.version, Source: cfg.source, Mirror: cfg.mirror, Fragment: kernel.Fragment,
		BaseConfig: cfg.base, Jobs: cfg.jobs, Force: cfg.force, Cache: cache, Log: stderr,
	})
	if err != nil {
		return err
	}
	if res.Cached {
		fmt.Fprintf(stdout, "%s is cached: %s (sched_ext: %s; --force rebuilds)\n", res.Entry.Key, res.Entry.ImagePath(), schedExt(res.Entry.Meta.SchedExt))
		return nil
	}
	fmt.Fprintf(stdout, "built %s in %s: %s (sched_ext: %s)\n", res.Entry.Key, res.Elapsed.Round(time.Second), res.Entry.ImagePath(), schedExt(res.Entry.Meta.SchedExt))
	return nil
}

func schedExt(b *bool) string {
	switch {
	case b == nil:
		return "unknown"
	case *b:
		return "yes"
	}
	return "no"
}

const kernelImportUsage = `Usage: gauntlet kernel import FILE [--version V] [--config FILE]

Puts a prebuilt kernel into the cache, so CI machines can reuse kernels
built elsewhere. FILE is a boot image (bzImage, vmlinuz) or a Debian
linux-image-*.deb. The version comes from the package or the image header
unless --version gives it; whether it has sched_ext comes from --config,
the package's config, the image's embedded config (CONFIG_IKCONFIG) or a
config-VERSION file beside the image.

Examples:
  gauntlet kernel import bzImage
  gauntlet kernel import /boot/vmlinuz-6.12.117+deb12-cloud-amd64
  gauntlet kernel import linux-image-6.12.8-scx_amd64.deb
  gauntlet kernel import out/bzImage --version 6.12.8-scx --config out/.config`

func runKernelImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o kbuild.ImportOptions
	fs := newFlagSet("kernel import", kernelImportUsage, stdout)
	fs.StringVar(&o.Version, "version", "", "the kernel release `V` to record (default: read from the file)")
	fs.StringVar(&o.Config, "config", "", "the kernel's .config `FILE`")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageErrorf("kernel import: want one FILE (a bzImage, vmlinuz or linux-image-*.deb), got %d arguments", len(rest))
	}
	o.Path = rest[0]
	if o.Cache, err = kernelCache(); err != nil {
		return err
	}
	e, err := kbuild.Import(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s: %s (sched_ext: %s)\n", e.Key, e.ImagePath(), schedExt(e.Meta.SchedExt))
	return nil
}

const kernelWhichUsage = `Usage: gauntlet kernel which [-v]

Prints the kernel a run would boot and the discovery step that found it.
The steps, in order: $KTSTR_TEST_KERNEL; $KTSTR_KERNEL (a path, a version
or a cache key); the newest cached kernel; ./linux; ../linux;
/lib/modules/$(uname -r)/build; /lib/modules/$(uname -r)/vmlinuz;
/boot/vmlinuz-$(uname -r); /boot/vmlinuz; the newest /boot/vmlinuz-*.
With -v it also lists the steps tried before.

Examples:
  gauntlet kernel which
  KTSTR_KERNEL=6.12.8 gauntlet kernel which -v`

func runKernelWhich(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var verbose bool
	fs := newFlagSet("kernel which", kernelWhichUsage, stdout)
	fs.BoolVar(&verbose, "v", false, "list the discovery steps tried")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("kernel which takes no arguments, got %q", rest[0])
	}
	k, tried, err := kernel.Discover(kernel.DiscoverOptions{})
	if verbose && !errors.As(err, new(*kernel.NotFoundError)) {
		for _, t := range tried {
			fmt.Fprintf(stdout, "tried %s\n", t)
		}
	}
	if err != nil {
		return &exitError{Code: exitSetup, Err: err}
	}
	fmt.Fprintln(stdout, k.Path)
	fmt.Fprintf(stdout, "found by %s", k.Step)
	if k.CacheKey != "" {
		fmt.Fprintf(stdout, ", cache entry %s (sched_ext: %s)", k.CacheKey, schedExt(k.SchedExt))
	}
	fmt.Fprintln(stdout)
	if verbose && k.Step != spec.EnvTestKernel && k.Step != spec.EnvKernel {
		fmt.Fprintf(stdout, "set %s or %s to choose another\n", spec.EnvTestKernel, spec.EnvKernel)
	}
	return nil
}
