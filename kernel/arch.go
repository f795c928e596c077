package kernel

import (
	"fmt"
	"path/filepath"
	"runtime"
)

// Arch names one CPU architecture the way the kernel build and the
// cache spell it.
type Arch struct {
	// Name is the uname -m spelling used in cache keys: "x86_64", "aarch64".
	Name string
	// SrcDir is the directory under arch/ in a kernel tree: "x86", "arm64".
	SrcDir string
	// Image is the boot image make builds: "bzImage", "Image".
	Image string
}

var arches = map[string]Arch{
	"amd64": {Name: "x86_64", SrcDir: "x86", Image: "bzImage"},
	"arm64": {Name: "aarch64", SrcDir: "arm64", Image: "Image"},
}

// HostArch returns the architecture of the running binary, which is
// the architecture of the kernels it boots.
func HostArch() (Arch, error) {
	return archFor(runtime.GOARCH)
}

func archFor(goarch string) (Arch, error) {
	a, ok := arches[goarch]
	if !ok {
		return Arch{}, fmt.Errorf("architecture %s: gauntlet boots x86_64 and aarch64 kernels only", goarch)
	}
	return a, nil
}

// TreeImage returns where a built kernel tree holds its boot image:
// arch/<SrcDir>/boot/<Image>.
func (a Arch) TreeImage(tree string) string {
	return filepath.Join(tree, "arch", a.SrcDir, "boot", a.Image)
}
