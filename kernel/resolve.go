package kernel

import (
	"fmt"
)

// Resolve finds the kernel id names, the way KTSTR_KERNEL is read
// ([ParseID]): a boot image or a kernel tree (its built image), a
// version (the cache entry {version}-tarball-{arch}, else the newest
// entry of that version) or a cache key, as `gauntlet kernel list` shows
// them. Relative paths are taken from opts.Dir. The kernel's Release and
// SchedExt are filled in when known; Step is "given". The error names id
// and says what is wrong with it.
func Resolve(id string, opts DiscoverOptions) (Kernel, error) {
	d, err := newDiscovery(opts)
	if err != nil {
		return Kernel{}, err
	}
	pid, err := ParseID(id)
	if err != nil {
		return Kernel{}, err
	}
	var k Kernel
	if pid.Kind == IDPath {
		k, err = d.resolvePath(pid.Value)
	} else {
		k, err = d.resolveCached(pid)
	}
	if err != nil {
		return Kernel{}, fmt.Errorf("kernel %s: %w", id, err)
	}
	return completed(k), nil
}

func (d *discovery) resolvePath(p string) (Kernel, error) {
	p, img := d.imageAt(p)
	if err := d.usableImage(img); err != nil {
		return Kernel{}, fmt.Errorf("%s: %w", img, err)
	}
	return Kernel{Path: img, Step: "given"}, nil
}

func (d *discovery) resolveCached(id ID) (Kernel, error) {
	c, err := d.cacheDir()
	if err != nil {
		return Kernel{}, err
	}
	e, why := lookupID(c, id, d.opts.Arch.Name)
	if why != "" {
		return Kernel{}, fmt.Errorf("%s; 'gauntlet kernel list' shows the cached kernels", why)
	}
	return kernelFromEntry(e, "given"), nil
}

// completed fills in what k's files say about it when its source did
// not: the release from the image header, sched_ext from a config beside
// the image.
func completed(k Kernel) Kernel {
	if k.SchedExt == nil {
		k.SchedExt = schedExtBeside(k.Path)
	}
	if k.Release == "" {
		k.Release, _ = ImageVersion(k.Path)
	}
	return k
}
