package kernel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// step is one link of the discovery chain. It records its own misses and
// returns found, or an error that ends the walk.
type step func() (k Kernel, found bool, err error)

func (d *discovery) steps() []step {
	rel := d.opts.Release
	s := []step{d.testKernel, d.ktstrKernel, d.cache,
		d.tree("./linux", filepath.Join(d.opts.Dir, "linux")),
		d.tree("../linux", filepath.Join(filepath.Dir(d.opts.Dir), "linux")),
	}
	if rel == "" {
		d.miss("/lib/modules/RELEASE", "", "host kernel release unknown (uname failed)")
	} else {
		s = append(s,
			d.tree("/lib/modules/"+rel+"/build", d.host("/lib/modules/"+rel+"/build")),
			d.file("/lib/modules/"+rel+"/vmlinuz", d.host("/lib/modules/"+rel+"/vmlinuz")),
			d.file("/boot/vmlinuz-"+rel, d.host("/boot/vmlinuz-"+rel)))
	}
	return append(s, d.file("/boot/vmlinuz", d.host("/boot/vmlinuz")), d.newestBoot)
}

func (d *discovery) testKernel() (Kernel, bool, error) {
	p := d.opts.Getenv(spec.EnvTestKernel)
	if p == "" {
		d.miss(spec.EnvTestKernel, "", "not set")
		return Kernel{}, false, nil
	}
	if err := d.usableImage(p); err != nil {
		return Kernel{}, false, fmt.Errorf("%s=%s: %s; point it at a bzImage or unset it", spec.EnvTestKernel, p, err)
	}
	return Kernel{Path: p, Step: spec.EnvTestKernel}, true, nil
}

func (d *discovery) ktstrKernel() (Kernel, bool, error) {
	v := d.opts.Getenv(spec.EnvKernel)
	if v == "" {
		d.miss(spec.EnvKernel, "", "not set")
		return Kernel{}, false, nil
	}
	id, err := ParseID(v)
	if err != nil {
		return Kernel{}, false, fmt.Errorf("%s: %w", spec.EnvKernel, err)
	}
	if id.Kind == IDPath {
		return d.ktstrKernelPath(id.Value)
	}
	d.skipCache = true
	c, err := d.cacheDir()
	if err != nil {
		d.miss(spec.EnvKernel, v, err.Error())
		return Kernel{}, false, nil
	}
	e, why := lookupID(c, id, d.opts.Arch.Name)
	if why != "" {
		d.miss(spec.EnvKernel, v, why)
		return Kernel{}, false, nil
	}
	return kernelFromEntry(e, spec.EnvKernel), true, nil
}

// imageAt makes p absolute (against the working directory) and returns
// it with the image it names: p itself, or a kernel tree's built image.
func (d *discovery) imageAt(p string) (abs, img string) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(d.opts.Dir, p)
	}
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return p, d.opts.Arch.TreeImage(p)
	}
	return p, p
}

func (d *discovery) ktstrKernelPath(p string) (Kernel, bool, error) {
	p, img := d.imageAt(p)
	if err := d.usableImage(img); err != nil {
		d.miss(spec.EnvKernel, img, err.Error())
		return Kernel{}, false, nil
	}
	return Kernel{Path: img, Step: spec.EnvKernel}, true, nil
}

// lookupID finds a version or key in c; why says why it did not.
func lookupID(c *Cache, id ID, arch string) (CacheEntry, string) {
	if id.Kind == IDKey {
		e, ok := c.Lookup(id.Value)
		switch {
		case !ok:
			return e, fmt.Sprintf("no cache entry %s in %s", id.Value, c.Root)
		case !e.Valid():
			return e, e.Err.Error()
		}
		return e, ""
	}
	if e, ok := c.Lookup(CacheKey(id.Value, SourceTarball, "", arch)); ok && e.Valid() {
		return e, ""
	}
	entries, _ := c.List()
	for _, e := range entries {
		if e.Valid() && e.Meta.Version == id.Value && e.Meta.Arch == arch {
			return e, ""
		}
	}
	return CacheEntry{}, fmt.Sprintf("version %s is not cached in %s (gauntlet kernel build %s)", id.Value, c.Root, id.Value)
}

func kernelFromEntry(e CacheEntry, stepName string) Kernel {
	return Kernel{Path: e.ImagePath(), Step: stepName, CacheKey: e.Key, SchedExt: e.Meta.SchedExt, Release: e.Meta.Version}
}

func (d *discovery) cacheDir() (*Cache, error) {
	if d.opts.Cache != nil {
		return d.opts.Cache, nil
	}
	root, err := CacheRoot(d.opts.Getenv)
	if err != nil {
		return nil, err
	}
	d.opts.Cache = &Cache{Root: root}
	return d.opts.Cache, nil
}

func (d *discovery) cache() (Kernel, bool, error) {
	c, err := d.cacheDir()
	switch {
	case err != nil:
		d.miss("cache", "", err.Error())
		return Kernel{}, false, nil
	case d.skipCache:
		d.miss("cache", c.Root, "skipped: "+spec.EnvKernel+" named a version or key that is not cached")
		return Kernel{}, false, nil
	}
	entries, err := c.List()
	if err != nil {
		d.miss("cache", c.Root, err.Error())
		return Kernel{}, false, nil
	}
	corrupt := 0
	for _, e := range entries {
		if e.Valid() && e.Meta.Arch == d.opts.Arch.Name {
			return kernelFromEntry(e, "cache"), true, nil
		}
		if !e.Valid() {
			corrupt++
		}
	}
	d.miss("cache", c.Root, cacheMissReason(len(entries), corrupt, d.opts.Arch.Name))
	return Kernel{}, false, nil
}

func cacheMissReason(total, corrupt int, arch string) string {
	switch {
	case total == 0:
		return "empty"
	case corrupt == total:
		return fmt.Sprintf("%d corrupt entries (gauntlet kernel clean removes them)", corrupt)
	}
	return fmt.Sprintf("no valid %s entry among %d", arch, total)
}

// tree is a step that looks for the boot image inside a kernel tree.
func (d *discovery) tree(name, dir string) step {
	return d.file(name, d.opts.Arch.TreeImage(dir))
}

// file is a step that takes the image at path if it is usable.
func (d *discovery) file(name, path string) step {
	return func() (Kernel, bool, error) {
		if err := d.usableImage(path); err != nil {
			d.miss(name, path, err.Error())
			return Kernel{}, false, nil
		}
		return Kernel{Path: path, Step: name}, true, nil
	}
}

// newestBoot takes the newest readable /boot/vmlinuz-* by release.
func (d *discovery) newestBoot() (Kernel, bool, error) {
	const name = "/boot/vmlinuz-*"
	paths, _ := filepath.Glob(d.host("/boot/vmlinuz-*"))
	slices.SortFunc(paths, func(a, b string) int {
		return compareRelease(releaseOf(b), releaseOf(a))
	})
	for _, p := range paths {
		if err := d.usableImage(p); err == nil {
			return Kernel{Path: p, Step: name}, true, nil
		} else {
			d.miss(name, p, err.Error())
		}
	}
	if len(paths) == 0 {
		d.miss(name, d.host("/boot"), "no vmlinuz-* files")
	}
	return Kernel{}, false, nil
}

func releaseOf(path string) string { return strings.TrimPrefix(filepath.Base(path), "vmlinuz-") }

// usableImage returns nil when path is a readable kernel image, else a
// short reason: "no such file", "not readable ...", "not a kernel image".
func (d *discovery) usableImage(path string) error {
	err := checkImage(path, d.opts.Arch)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("no such file")
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("not readable (%w); make it readable, e.g. sudo chmod 0644 %s", fs.ErrPermission, path)
	case errors.Is(err, ErrNotImage):
		return ErrNotImage
	}
	return err
}
