package kbuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/kernel"
)

// Defaults of [BuildOptions].
const (
	// DefaultMirror is kernel.org's tarball tree: VERSION is fetched from
	// {mirror}/v{major}.x/linux-{VERSION}.tar.xz, its checksum from
	// {mirror}/v{major}.x/sha256sums.asc.
	DefaultMirror = "https://cdn.kernel.org/pub/linux/kernel"
	// DefaultReleasesURL lists kernel.org's releases; latest_stable is
	// what a build without a version or source downloads.
	DefaultReleasesURL = "https://www.kernel.org/releases.json"
	// DefaultBaseConfig is the make target the configuration starts from
	// before the fragment is merged.
	DefaultBaseConfig = "allnoconfig"
	// EnvKernelMirror overrides DefaultMirror for `gauntlet kernel build`
	// (mirrors, air-gapped networks, tests).
	EnvKernelMirror = "GAUNTLET_KERNEL_MIRROR"
)

// BuildOptions configure [Build]. Zero fields take the documented
// defaults; Fragment is required.
type BuildOptions struct {
	// Version is a release to download, e.g. "6.12.8". Set at most one of
	// Version and Source; neither means the latest stable release.
	Version string
	// Source is a local kernel tree (built in place, like running make
	// there: its .config is replaced and kconfig keeps the old one as
	// .config.old) or a source tarball such as Debian's
	// /usr/src/linux-source-6.12.tar.xz (extracted under TempDir).
	Source string
	// Mirror is the base URL of a kernel.org-style tarball tree; "" means
	// [DefaultMirror].
	Mirror string
	// ReleasesURL is where the latest stable version is looked up; ""
	// means Mirror + "/releases.json" when Mirror is set, else
	// [DefaultReleasesURL].
	ReleasesURL string
	// Fragment is the config fragment merged into the base config (the
	// embedded ktstr.kconfig); required.
	Fragment string
	// BaseConfig is the make target the config starts from; "" means
	// [DefaultBaseConfig].
	BaseConfig string
	// Jobs is make's -j; 0 means one more than the CPUs, which keeps every
	// CPU busy while a job waits on the disk or on make (on 2 CPUs, -j3
	// builds the embedded fragment in 6:46 where -j2 took 10:13).
	Jobs int
	// Force rebuilds a kernel that is already cached with this fragment.
	Force bool
	// Cache receives the kernel; nil means [kernel.DefaultCache].
	Cache *kernel.Cache
	// TempDir holds the download, the extracted tree and the build log;
	// "" means os.TempDir(). Everything Build puts there is removed when
	// it returns, except the log of a failed build, which the error names.
	TempDir string
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// Client downloads; nil means http.DefaultClient.
	Client *http.Client
	// Arch is the kernel architecture; zero means the host's.
	Arch kernel.Arch
}

// BuildResult is what [Build] did.
type BuildResult struct {
	// Entry is the cache entry holding the kernel.
	Entry kernel.CacheEntry
	// Cached is true when the entry was already there (nothing built).
	Cached bool
	// Dropped lists fragment settings the final .config does not carry.
	Dropped []string
	// Elapsed is the wall time of the whole build.
	Elapsed time.Duration
}

// Build downloads or takes a kernel source, configures it (base config,
// the fragment, olddefconfig), checks the options the harness needs,
// builds the boot image and installs it in the cache. A failure leaves
// nothing in the cache; cancelling ctx stops make and everything it
// started.
func Build(ctx context.Context, opts BuildOptions) (BuildResult, error) {
	start := time.Now()
	b, err := newBuilder(opts)
	if err != nil {
		return BuildResult{}, err
	}
	defer b.cleanup()
	res, err := b.run(ctx)
	res.Elapsed = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("build kernel: %w", err)
	}
	return res, nil
}

// builder is one run of [Build].
type builder struct {
	opts    BuildOptions
	start   time.Time
	work    string // private temp dir, removed by cleanup
	logPath string // make's output, beside work; kept when keepLog
	keepLog bool
}

func newBuilder(o BuildOptions) (*builder, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	o.setDefaults()
	if o.Cache == nil {
		c, err := kernel.DefaultCache()
		if err != nil {
			return nil, err
		}
		o.Cache = c
	}
	if o.Arch == (kernel.Arch{}) {
		a, err := kernel.HostArch()
		if err != nil {
			return nil, err
		}
		o.Arch = a
	}
	if err := o.Cache.CheckWritable(); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(o.TempDir, "gauntlet-kernel-")
	if err != nil {
		return nil, fmt.Errorf("build kernel: %w", err)
	}
	return &builder{opts: o, start: time.Now(), work: work, logPath: work + ".log"}, nil
}

func (o *BuildOptions) validate() error {
	switch {
	case o.Version != "" && o.Source != "":
		return errors.New("build kernel: give a version or --source, not both")
	case strings.TrimSpace(o.Fragment) == "":
		return errors.New("build kernel: empty config fragment")
	case o.Jobs < 0:
		return fmt.Errorf("build kernel: jobs %d: want 1 or more (0 means one more than the CPUs)", o.Jobs)
	case o.BaseConfig != "" && (!strings.HasSuffix(o.BaseConfig, "config") || strings.ContainsAny(o.BaseConfig, " /=") || o.BaseConfig[0] == '-'):
		return fmt.Errorf("build kernel: base config %q: want a make config target such as allnoconfig or defconfig", o.BaseConfig)
	}
	if o.Version != "" {
		return kernel.CheckVersion(o.Version)
	}
	if o.Source != "" {
		if _, err := os.Stat(o.Source); err != nil {
			return fmt.Errorf("source %s: %w", o.Source, errors.Unwrap(err))
		}
	}
	return nil
}

func (o *BuildOptions) setDefaults() {
	if o.ReleasesURL == "" && o.Mirror != "" {
		o.ReleasesURL = strings.TrimRight(o.Mirror, "/") + "/releases.json"
	}
	if o.Mirror == "" {
		o.Mirror = DefaultMirror
	}
	if o.ReleasesURL == "" {
		o.ReleasesURL = DefaultReleasesURL
	}
	if o.BaseConfig == "" {
		o.BaseConfig = DefaultBaseConfig
	}
	if o.Jobs == 0 {
		o.Jobs = runtime.NumCPU() + 1
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
}

// logf writes a progress line prefixed with the time since the start.
func (b *builder) logf(format string, args ...any) {
	d := time.Since(b.start).Round(time.Second)
	fmt.Fprintf(b.opts.Log, "[%d:%02d] "+format+"\n", append([]any{int(d.Minutes()), int(d.Seconds()) % 60}, args...)...)
}

// cleanup removes the work dir, and the log unless a failed make needs
// it kept.
func (b *builder) cleanup() {
	if !b.keepLog {
		os.Remove(b.logPath)
	}
	os.RemoveAll(b.work)
}

func (b *builder) run(ctx context.Context) (BuildResult, error) {
	src, err := b.resolve(ctx)
	if err != nil {
		return BuildResult{}, err
	}
	fragHash := kernel.HashString(b.opts.Fragment)
	if e, ok := b.cachedEntry(src, fragHash); ok {
		b.logf("cached: %s is already built with this fragment (use --force to rebuild)", e.Key)
		return BuildResult{Entry: e, Cached: true}, nil
	}
	if err := b.obtain(ctx, src); err != nil {
		return BuildResult{}, err
	}
	dropped, err := b.configure(ctx, src.tree)
	if err != nil {
		return BuildResult{}, err
	}
	if err := b.make(ctx, src.tree, "build "+b.opts.Arch.Image, b.opts.Arch.Image); err != nil {
		return BuildResult{}, err
	}
	e, err := b.store(src, fragHash)
	return BuildResult{Entry: e, Dropped: dropped}, err
}

// cachedEntry returns the valid entry src would produce when it is
// already there with the same fragment and Force is off. Trees are always
// rebuilt: make is incremental and the tree may have changed.
func (b *builder) cachedEntry(src *source, fragHash string) (kernel.CacheEntry, bool) {
	if b.opts.Force || src.kind == kernel.SourceTree || src.key == "" {
		return kernel.CacheEntry{}, false
	}
	e, ok := b.opts.Cache.Lookup(src.key)
	if !ok || !e.Valid() {
		return kernel.CacheEntry{}, false
	}
	if e.Meta.FragmentHash != fragHash {
		b.logf("rebuilding %s: it was built with another config fragment", e.Key)
		return kernel.CacheEntry{}, false
	}
	return e, true
}

// store checks the built image and config and installs them.
func (b *builder) store(src *source, fragHash string) (kernel.CacheEntry, error) {
	img := b.opts.Arch.TreeImage(src.tree)
	if err := kernel.CheckImage(img); err != nil {
		return kernel.CacheEntry{}, fmt.Errorf("make %s: %w", b.opts.Arch.Image, err)
	}
	cfgPath := filepath.Join(src.tree, ".config")
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		return kernel.CacheEntry{}, err
	}
	if err := kernel.CheckConfig(cfg, b.opts.Arch.Name); err != nil {
		return kernel.CacheEntry{}, err
	}
	st, err := b.opts.Cache.Stage(src.finalKey(b.opts.Arch.Name))
	if err != nil {
		return kernel.CacheEntry{}, err
	}
	defer st.Abort()
	if err := errors.Join(st.AddFile(b.opts.Arch.Image, img), st.AddFile("config", cfgPath)); err != nil {
		return kernel.CacheEntry{}, err
	}
	sx := kernel.SchedExtEnabled(cfg)
	b.logf("store: %s in %s", st.Key(), b.opts.Cache.Root)
	return st.Commit(kernel.Metadata{
		Version: src.version, Source: src.kind, Origin: src.origin, Arch: b.opts.Arch.Name,
		Image: b.opts.Arch.Image, ConfigHash: kernel.HashString(string(cfg)), FragmentHash: fragHash, SchedExt: &sx,
	})
}
