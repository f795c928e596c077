package kbuild

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gauntlet-sched/gauntlet/kernel"
)

// ImportOptions configure [Import].
type ImportOptions struct {
	// Path is a boot image (bzImage, vmlinuz) or a Debian
	// linux-image-*.deb holding one; required.
	Path string
	// Version is the kernel release to record; "" reads it from the
	// package's file names or the bzImage header.
	Version string
	// Config is the kernel's .config; "" takes the package's
	// boot/config-*, else the config embedded in the image
	// (CONFIG_IKCONFIG), else config-RELEASE or .config beside the image.
	// Without any, the entry's sched_ext is unknown.
	Config string
	// Cache receives the kernel; nil means [kernel.DefaultCache].
	Cache *kernel.Cache
	// Arch is the kernel architecture; zero means the host's.
	Arch kernel.Arch
}

// Import puts a prebuilt kernel into the cache under the key
// {version}-import-{sha8}-{arch}, so machines can share kernels built
// elsewhere. Importing the same image again returns the existing entry.
func Import(ctx context.Context, opts ImportOptions) (kernel.CacheEntry, error) {
	if err := opts.setDefaults(); err != nil {
		return kernel.CacheEntry{}, err
	}
	tmp, err := os.MkdirTemp("", "gauntlet-import-")
	if err != nil {
		return kernel.CacheEntry{}, err
	}
	defer os.RemoveAll(tmp)
	img, err := opts.gather(ctx, tmp)
	if err != nil {
		return kernel.CacheEntry{}, fmt.Errorf("import: %w", err)
	}
	e, err := img.install(opts.Cache, opts.Arch.Name)
	if err != nil {
		return kernel.CacheEntry{}, fmt.Errorf("import %s: %w", opts.Path, err)
	}
	return e, nil
}

func (o *ImportOptions) setDefaults() error {
	if o.Path == "" {
		return errors.New("import: no file given: want a bzImage, vmlinuz or linux-image-*.deb")
	}
	if _, err := os.Stat(o.Path); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("import %s: %w", o.Path, err)
	}
	if o.Version != "" {
		if err := kernel.CheckRelease(o.Version); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if o.Cache == nil {
		c, err := kernel.DefaultCache()
		if err != nil {
			return err
		}
		o.Cache = c
	}
	if o.Arch == (kernel.Arch{}) {
		a, err := kernel.HostArch()
		if err != nil {
			return err
		}
		o.Arch = a
	}
	return o.Cache.CheckWritable()
}

// imported is a kernel ready to be installed.
type imported struct {
	image   string // path of the image file
	kind    string // bzImage, Image or vmlinux
	config  []byte // nil when unknown
	version string
	origin  string
}

// gather finds the image, its version and its config; tmp holds files
// taken out of a package.
func (o *ImportOptions) gather(ctx context.Context, tmp string) (*imported, error) {
	abs, err := filepath.Abs(o.Path)
	if err != nil {
		return nil, err
	}
	im := &imported{image: abs, origin: abs, version: o.Version}
	var cfgPath, release string
	if isDeb(abs) {
		k, err := extractDebKernel(ctx, abs, tmp)
		if err != nil {
			return nil, err
		}
		im.image, cfgPath, release = k.image, k.config, k.release
	}
	if im.kind, err = kernel.ImageKind(im.image); err != nil {
		return nil, err
	}
	if im.kind != "vmlinux" && im.kind != o.Arch.Image {
		return nil, fmt.Errorf("%s is an %s, but %s kernels boot from a %s", im.image, im.kind, o.Arch.Name, o.Arch.Image)
	}
	if err := im.findVersion(release); err != nil {
		return nil, err
	}
	if o.Config != "" {
		cfgPath = o.Config
	}
	return im, im.findConfig(ctx, cfgPath)
}

func (im *imported) findVersion(release string) error {
	if im.version == "" {
		im.version = release
	}
	if im.version == "" {
		v, err := kernel.ImageVersion(im.image)
		if err != nil {
			return err
		}
		im.version = v
	}
	if im.version == "" {
		im.version = strings.TrimPrefix(filepath.Base(im.image), "vmlinuz-")
	}
	if kernel.CheckRelease(im.version) != nil {
		return fmt.Errorf("cannot tell the kernel version of %s: pass --version", im.image)
	}
	return nil
}

func (im *imported) findConfig(ctx context.Context, cfgPath string) error {
	if cfgPath != "" {
		b, err := os.ReadFile(cfgPath)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		if len(kernel.ParseConfig(b)) == 0 {
			return fmt.Errorf("config %s: no CONFIG_ lines; want a kernel .config", cfgPath)
		}
		im.config = b
		return nil
	}
	if b, ok, _ := EmbeddedConfig(ctx, im.image); ok {
		im.config = b
		return nil
	}
	dir := filepath.Dir(im.image)
	for _, p := range []string{filepath.Join(dir, "config-"+im.version), filepath.Join(dir, ".config")} {
		if b, err := os.ReadFile(p); err == nil && len(kernel.ParseConfig(b)) > 0 {
			im.config = b
			return nil
		}
	}
	return nil
}

func (im *imported) install(c *kernel.Cache, arch string) (kernel.CacheEntry, error) {
	sum, _, err := kernel.HashFile(im.image)
	if err != nil {
		return kernel.CacheEntry{}, err
	}
	st, err := c.Stage(kernel.CacheKey(im.version, kernel.SourceImport, sum, arch))
	if err != nil {
		return kernel.CacheEntry{}, err
	}
	defer st.Abort()
	if err := st.AddFile(im.kind, im.image); err != nil {
		return kernel.CacheEntry{}, err
	}
	m := kernel.Metadata{Version: im.version, Source: kernel.SourceImport, Origin: im.origin, Arch: arch, Image: im.kind}
	if im.config != nil {
		if err := st.WriteFile("config", im.config); err != nil {
			return kernel.CacheEntry{}, err
		}
		sx := kernel.SchedExtEnabled(im.config)
		m.ConfigHash, m.SchedExt = kernel.HashString(string(im.config)), &sx
	}
	return st.CommitIfAbsent(m)
}
