package kernel

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/spec"
)

var x86 = Arch{Name: "x86_64", SrcDir: "x86", Image: "bzImage"}

const rel = "6.12.5-test"

// discoverEnv is one discovery fixture: a fake host root, a working dir
// inside it, a cache, and environment variables.
type discoverEnv struct {
	root, wd string
	cache    *Cache
	env      map[string]string
}

func newDiscoverEnv(t *testing.T) *discoverEnv {
	root := t.TempDir()
	return &discoverEnv{
		root:  root,
		wd:    filepath.Join(root, "work", "proj"),
		cache: &Cache{Root: filepath.Join(root, "cache")},
		env:   map[string]string{},
	}
}

// image writes a fake bzImage at p: host-absolute paths land under root,
// others under the working dir.
func (d *discoverEnv) image(t *testing.T, p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(d.wd, p)
	} else {
		p = filepath.Join(d.root, p)
	}
	return testutil.WriteFile(t, p, testutil.FakeBzImage("6.12.5"))
}

func (d *discoverEnv) discover() (Kernel, []Tried, error) {
	return Discover(DiscoverOptions{
		Getenv:  func(k string) string { return d.env[k] },
		Release: rel, Dir: d.wd, Root: d.root, Arch: x86, Cache: d.cache,
	})
}

func TestDiscoverSteps(t *testing.T) {
	tree := "arch/x86/boot/bzImage"
	tests := []struct {
		name     string
		setup    func(t *testing.T, d *discoverEnv)
		wantStep string
		wantPath string // relative to root; "" skips the check
		wantKey  string
	}{
		{"test kernel env", func(t *testing.T, d *discoverEnv) {
			d.env[spec.EnvTestKernel] = d.image(t, "/img/bzImage")
			d.image(t, "/boot/vmlinuz")
		}, spec.EnvTestKernel, "/img/bzImage", ""},
		{"ktstr kernel tree path", func(t *testing.T, d *discoverEnv) {
			d.image(t, "/src/mylinux/"+tree)
			d.env[spec.EnvKernel] = filepath.Join(d.root, "src/mylinux")
		}, spec.EnvKernel, "/src/mylinux/" + tree, ""},
		{"ktstr kernel relative image path", func(t *testing.T, d *discoverEnv) {
			d.image(t, "out/bzImage")
			d.env[spec.EnvKernel] = "./out/bzImage"
		}, spec.EnvKernel, "/work/proj/out/bzImage", ""},
		{"ktstr kernel version", func(t *testing.T, d *discoverEnv) {
			addEntry(t, d.cache, "6.12.8-tarball-x86_64", meta("6.12.8", SourceTarball, 1))
			addEntry(t, d.cache, "6.13.1-tarball-x86_64", meta("6.13.1", SourceTarball, 2))
			d.env[spec.EnvKernel] = "6.12.8"
		}, spec.EnvKernel, "/cache/6.12.8-tarball-x86_64/bzImage", "6.12.8-tarball-x86_64"},
		{"ktstr kernel version of an import", func(t *testing.T, d *discoverEnv) {
			addEntry(t, d.cache, "6.12.8-import-0123abcd-x86_64", meta("6.12.8", SourceImport, 1))
			d.env[spec.EnvKernel] = "6.12.8"
		}, spec.EnvKernel, "", "6.12.8-import-0123abcd-x86_64"},
		{"ktstr kernel key", func(t *testing.T, d *discoverEnv) {
			addEntry(t, d.cache, "6.12.8-tree-0123abcd-x86_64", meta("6.12.8", SourceTree, 1))
			addEntry(t, d.cache, "6.13.1-tarball-x86_64", meta("6.13.1", SourceTarball, 2))
			d.env[spec.EnvKernel] = "6.12.8-tree-0123abcd-x86_64"
		}, spec.EnvKernel, "", "6.12.8-tree-0123abcd-x86_64"},
		{"version miss skips the cache", func(t *testing.T, d *discoverEnv) {
			addEntry(t, d.cache, "6.13.1-tarball-x86_64", meta("6.13.1", SourceTarball, 2))
			d.image(t, "linux/"+tree)
			d.env[spec.EnvKernel] = "6.12.8"
		}, "./linux", "/work/proj/linux/" + tree, ""},
		{"cache newest valid entry of this arch", func(t *testing.T, d *discoverEnv) {
			addEntry(t, d.cache, "6.12.8-tarball-x86_64", meta("6.12.8", SourceTarball, 1))
			addEntry(t, d.cache, "6.13.1-tarball-x86_64", meta("6.13.1", SourceTarball, 5))
			arm := meta("6.14.0", SourceTarball, 9)
			arm.Arch = "aarch64"
			addEntry(t, d.cache, "6.14.0-tarball-aarch64", arm)
			writeRawEntry(t, d.cache, "6.15.0-tarball-x86_64", []byte("{not json"), nil)
			d.image(t, "linux/"+tree)
		}, "cache", "/cache/6.13.1-tarball-x86_64/bzImage", "6.13.1-tarball-x86_64"},
		{"./linux", func(t *testing.T, d *discoverEnv) {
			d.image(t, "linux/"+tree)
			d.image(t, "/boot/vmlinuz")
		}, "./linux", "/work/proj/linux/" + tree, ""},
		{"../linux", func(t *testing.T, d *discoverEnv) {
			d.image(t, "../linux/"+tree)
			d.image(t, "/boot/vmlinuz")
		}, "../linux", "/work/linux/" + tree, ""},
		{"installed build tree", func(t *testing.T, d *discoverEnv) {
			d.image(t, "/lib/modules/"+rel+"/build/"+tree)
			d.image(t, "/lib/modules/"+rel+"/vmlinuz")
		}, "/lib/modules/" + rel + "/build", "/lib/modules/" + rel + "/build/" + tree, ""},
		{"installed vmlinuz", func(t *testing.T, d *discoverEnv) {
			d.image(t, "/lib/modules/"+rel+"/vmlinuz")
			d.image(t, "/boot/vmlinuz-"+rel)
		}, "/lib/modules/" + rel + "/vmlinuz", "/lib/modules/" + rel + "/vmlinuz", ""},
		{"boot vmlinuz of the release", func(t *testing.T, d *discoverEnv) {
			d.image(t, "/boot/vmlinuz-"+rel)
			d.image(t, "/boot/vmlinuz")
		}, "/boot/vmlinuz-" + rel, "/boot/vmlinuz-" + rel, ""},
		{"boot vmlinuz", func(t *testing.T, d *discoverEnv) {
			d.image(t, "/boot/vmlinuz")
			d.image(t, "/boot/vmlinuz-6.1.0")
		}, "/boot/vmlinuz", "/boot/vmlinuz", ""},
		{"newest boot vmlinuz-*", func(t *testing.T, d *discoverEnv) {
			d.image(t, "/boot/vmlinuz-6.1.0-28-amd64")
			d.image(t, "/boot/vmlinuz-6.12.117+deb12-cloud-amd64")
			d.image(t, "/boot/vmlinuz-6.12.9-cloud-amd64")
			testutil.WriteFile(t, filepath.Join(d.root, "boot/vmlinuz-6.13.0"), []byte("not a kernel"))
		}, "/boot/vmlinuz-*", "/boot/vmlinuz-6.12.117+deb12-cloud-amd64", ""},
		{"non-kernel files are passed over", func(t *testing.T, d *discoverEnv) {
			testutil.WriteFile(t, filepath.Join(d.wd, "linux", tree), []byte("junk"))
			d.image(t, "/boot/vmlinuz")
		}, "/boot/vmlinuz", "/boot/vmlinuz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDiscoverEnv(t)
			tt.setup(t, d)
			k, tried, err := d.discover()
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			if k.Step != tt.wantStep {
				t.Errorf("Step = %q, want %q (tried %+v)", k.Step, tt.wantStep, tried)
			}
			if tt.wantPath != "" && k.Path != filepath.Join(d.root, tt.wantPath) {
				t.Errorf("Path = %q, want %q", k.Path, filepath.Join(d.root, tt.wantPath))
			}
			if k.CacheKey != tt.wantKey {
				t.Errorf("CacheKey = %q, want %q", k.CacheKey, tt.wantKey)
			}
			if k.CacheKey != "" && (k.SchedExt == nil || !*k.SchedExt) {
				t.Errorf("SchedExt = %v, want true from the cache metadata", k.SchedExt)
			}
		})
	}
}

func TestDiscoverTriedOrder(t *testing.T) {
	d := newDiscoverEnv(t)
	d.env[spec.EnvKernel] = "6.12.8"
	addEntry(t, d.cache, "6.13.1-tarball-x86_64", meta("6.13.1", SourceTarball, 2))
	_, tried, err := d.discover()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	var steps []string
	for _, tr := range tried {
		steps = append(steps, tr.Step)
	}
	want := []string{spec.EnvTestKernel, spec.EnvKernel, "cache", "./linux", "../linux",
		"/lib/modules/" + rel + "/build", "/lib/modules/" + rel + "/vmlinuz",
		"/boot/vmlinuz-" + rel, "/boot/vmlinuz", "/boot/vmlinuz-*"}
	if strings.Join(steps, ",") != strings.Join(want, ",") {
		t.Errorf("steps tried:\n got %q\nwant %q", steps, want)
	}
	if !strings.HasPrefix(tried[2].Why, "skipped") {
		t.Errorf("cache step: %q, want it skipped after a version miss", tried[2].Why)
	}
	if !strings.Contains(tried[1].Why, "gauntlet kernel build 6.12.8") {
		t.Errorf("KTSTR_KERNEL miss %q does not say how to build it", tried[1].Why)
	}
}

func TestDiscoverNothing(t *testing.T) {
	d := newDiscoverEnv(t)
	writeRawEntry(t, d.cache, "6.12.8-tarball-x86_64", nil, map[string][]byte{"bzImage": testutil.FakeBzImage("")})
	_, _, err := d.discover()
	var nk *NotFoundError
	if !errors.As(err, &nk) {
		t.Fatalf("err = %v, want *NotFoundError", err)
	}
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, spec.ErrNotSupported) {
		t.Errorf("error does not match ErrNotFound and spec.ErrNotSupported")
	}
	msg := err.Error()
	for _, want := range []string{
		spec.EnvTestKernel + ": not set", "cache (" + d.cache.Root + "): 1 corrupt entries",
		filepath.Join(d.wd, "linux/arch/x86/boot/bzImage") + "): no such file",
		"/boot/vmlinuz-*", "gauntlet kernel build --source",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

func TestDiscoverBadInput(t *testing.T) {
	tests := []struct {
		name, key, value, want string
	}{
		{"missing test kernel", spec.EnvTestKernel, "/nonexistent/bzImage", "KTSTR_TEST_KERNEL=/nonexistent/bzImage: no such file; point it at a bzImage or unset it"},
		{"test kernel not an image", spec.EnvTestKernel, "JUNK", "not a kernel image"},
		{"ktstr kernel nonsense", spec.EnvKernel, "latest please", `KTSTR_KERNEL: kernel id "latest please": not a path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDiscoverEnv(t)
			d.image(t, "/boot/vmlinuz")
			v := tt.value
			if v == "JUNK" {
				v = testutil.WriteFile(t, filepath.Join(d.root, "junk"), []byte("hello"))
			}
			d.env[tt.key] = v
			_, _, err := d.discover()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") || errors.Is(err, ErrNotFound) {
				t.Errorf("bad input should be one line, not a discovery failure: %q", err)
			}
		})
	}
}

func TestKernelString(t *testing.T) {
	k := Kernel{Path: "/c/k/bzImage", Step: "cache", CacheKey: "k"}
	if got := k.String(); got != "/c/k/bzImage (from cache, cache entry k)" {
		t.Errorf("String = %q", got)
	}
}

func TestDiscoverSchedExtBeside(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, d *discoverEnv)
		want  string // "yes", "no" or "unknown"
	}{
		{"tree .config", func(t *testing.T, d *discoverEnv) {
			d.image(t, "linux/arch/x86/boot/bzImage")
			testutil.WriteFile(t, filepath.Join(d.wd, "linux/.config"), []byte("CONFIG_SCHED_CLASS_EXT=y\n"))
		}, "yes"},
		{"boot config", func(t *testing.T, d *discoverEnv) {
			d.image(t, "/boot/vmlinuz-6.12.9")
			testutil.WriteFile(t, filepath.Join(d.root, "boot/config-6.12.9"), []byte("# CONFIG_SCHED_CLASS_EXT is not set\n"))
		}, "no"},
		{"boot symlink", func(t *testing.T, d *discoverEnv) {
			d.image(t, "/boot/vmlinuz-6.12.9")
			testutil.WriteFile(t, filepath.Join(d.root, "boot/config-6.12.9"), []byte("CONFIG_SCHED_CLASS_EXT=y\n"))
			if err := os.Symlink("vmlinuz-6.12.9", filepath.Join(d.root, "boot/vmlinuz")); err != nil {
				t.Fatal(err)
			}
		}, "yes"},
		{"no config", func(t *testing.T, d *discoverEnv) {
			d.env[spec.EnvTestKernel] = d.image(t, "/img/bzImage")
			testutil.WriteFile(t, filepath.Join(d.root, ".config"), []byte("CONFIG_SCHED_CLASS_EXT=y\n"))
		}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDiscoverEnv(t)
			tt.setup(t, d)
			k, _, err := d.discover()
			if err != nil {
				t.Fatal(err)
			}
			got := "unknown"
			if k.SchedExt != nil {
				got = map[bool]string{true: "yes", false: "no"}[*k.SchedExt]
			}
			if got != tt.want {
				t.Errorf("%s: SchedExt %s, want %s", k, got, tt.want)
			}
		})
	}
}
