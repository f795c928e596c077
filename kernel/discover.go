package kernel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// ErrNotFound means no bootable kernel image was found. [Find] and
// [Discover] return it inside a [*NotFoundError], which also wraps
// [spec.ErrNotSupported] so tests skip on it.
var ErrNotFound = errors.New("no kernel found")

// Kernel is a kernel image found by [Discover].
type Kernel struct {
	// Path is the image file (bzImage or vmlinuz).
	Path string
	// Step names the discovery step that matched, e.g. "KTSTR_TEST_KERNEL",
	// "cache" or "/boot/vmlinuz"; see [Discover] for the list.
	Step string
	// CacheKey is the cache entry the image belongs to, when Step is
	// "cache" or KTSTR_KERNEL named a version or key.
	CacheKey string
	// SchedExt says whether the kernel was built with sched_ext, from the
	// cache metadata or a config file beside the image (the .config of a
	// kernel tree, config-RELEASE beside vmlinuz-RELEASE, a file named
	// config beside the image); nil when unknown.
	SchedExt *bool
	// Release is the kernel release, e.g. "6.12.117+deb12-cloud-amd64",
	// from the cache metadata or the image's header; empty when unknown.
	Release string
}

// String describes k for verbose output: "PATH (from STEP)".
func (k Kernel) String() string {
	if k.CacheKey != "" {
		return fmt.Sprintf("%s (from %s, cache entry %s)", k.Path, k.Step, k.CacheKey)
	}
	return fmt.Sprintf("%s (from %s)", k.Path, k.Step)
}

// Tried is one discovery step that did not match.
type Tried struct {
	// Step is the step's name, as in [Kernel.Step].
	Step string
	// Where is the path or value the step looked at.
	Where string
	// Why says why it did not match.
	Why string
}

// String prints t as "STEP (WHERE): WHY".
func (t Tried) String() string {
	if t.Where != "" && t.Where != t.Step {
		return fmt.Sprintf("%s (%s): %s", t.Step, t.Where, t.Why)
	}
	return t.Step + ": " + t.Why
}

// NotFoundError is the error of a discovery that found nothing. It lists
// every step tried and the command that fixes it.
type NotFoundError struct {
	Tried []Tried
}

// FixHint is the advice a [NotFoundError] ends with.
const FixHint = "build one with 'gauntlet kernel build --source /usr/src/linux-source-6.12.tar.xz' " +
	"(apt-get install linux-source-6.12) or 'gauntlet kernel build 6.12.8', " +
	"import one with 'gauntlet kernel import FILE', or set " + spec.EnvTestKernel + "=/path/to/bzImage"

func (e *NotFoundError) Error() string {
	var b strings.Builder
	b.WriteString("no kernel found; tried:")
	for _, t := range e.Tried {
		b.WriteString("\n  " + t.String())
	}
	b.WriteString("\nfix: " + FixHint)
	return b.String()
}

// Unwrap lets errors.Is match [ErrNotFound] and [spec.ErrNotSupported].
func (e *NotFoundError) Unwrap() []error { return []error{ErrNotFound, spec.ErrNotSupported} }

// DiscoverOptions are the environment [Discover] reads, as seams for
// tests. Zero fields read the real host.
type DiscoverOptions struct {
	// Getenv reads environment variables; nil means os.Getenv.
	Getenv func(string) string
	// Release is the host kernel release (uname -r); "" asks the host.
	Release string
	// Dir is where ./linux and ../linux are looked up; "" means the
	// working directory.
	Dir string
	// Root prefixes /lib/modules and /boot; "" means "/".
	Root string
	// Arch is the kernel architecture; zero means the host's.
	Arch Arch
	// Cache is the kernel cache; nil means the one [CacheRoot] selects
	// through Getenv.
	Cache *Cache
}

// Find walks the kernel discovery chain on the real host; see
// [Discover].
func Find() (Kernel, error) {
	k, _, err := Discover(DiscoverOptions{})
	return k, err
}

// Discover walks the kernel discovery chain and returns the first kernel
// image found, with the steps tried before it. The steps, in order:
//
//	KTSTR_TEST_KERNEL             an image path; set but unusable is an error
//	KTSTR_KERNEL                  a tree or image path, a version (cache
//	                              entry {version}-tarball-{arch}, else the
//	                              newest entry of that version) or a cache key
//	cache                         the newest valid entry of the host's arch;
//	                              skipped when KTSTR_KERNEL named a version
//	                              or key that is not cached
//	./linux, ../linux             arch/<arch>/boot/<image> in a kernel tree
//	/lib/modules/RELEASE/build    the same in the installed kernel's tree
//	/lib/modules/RELEASE/vmlinuz  the installed kernel
//	/boot/vmlinuz-RELEASE
//	/boot/vmlinuz
//	/boot/vmlinuz-*               the newest by release (a VM host often runs
//	                              another kernel than the one it tests with)
//
// When nothing matches, the error is a [*NotFoundError]. A malformed
// KTSTR_KERNEL or an unusable KTSTR_TEST_KERNEL is a one-line error.
func Discover(opts DiscoverOptions) (Kernel, []Tried, error) {
	d, err := newDiscovery(opts)
	if err != nil {
		return Kernel{}, nil, err
	}
	for _, step := range d.steps() {
		k, found, err := step()
		if err != nil {
			return Kernel{}, d.tried, err
		}
		if found {
			return completed(k), d.tried, nil
		}
	}
	return Kernel{}, d.tried, &NotFoundError{Tried: d.tried}
}

// discovery is one walk of the chain: the resolved options and what was
// tried so far.
type discovery struct {
	opts      DiscoverOptions
	tried     []Tried
	skipCache bool
}

func newDiscovery(o DiscoverOptions) (*discovery, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Root == "" {
		o.Root = "/"
	}
	if o.Arch == (Arch{}) {
		a, err := HostArch()
		if err != nil {
			return nil, err
		}
		o.Arch = a
	}
	if o.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("find kernel: %w", err)
		}
		o.Dir = wd
	}
	if o.Release == "" {
		o.Release = hostRelease()
	}
	return &discovery{opts: o}, nil
}

func hostRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

func (d *discovery) miss(step, where, why string) {
	d.tried = append(d.tried, Tried{Step: step, Where: where, Why: why})
}

// host returns the absolute host path p under the options' root.
func (d *discovery) host(p string) string { return filepath.Join(d.opts.Root, p) }
