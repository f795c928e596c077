package kernel

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
)

func TestLabels(t *testing.T) {
	debian := Kernel{Path: "/boot/vmlinuz-6.12.117+deb12-cloud-amd64", Release: "6.12.117+deb12-cloud-amd64"}
	scx := Kernel{Path: "/k/bzImage-6.12-scx", Release: "6.12.117"}
	cached := Kernel{Path: "/c/6.14.2-tarball-x86_64/bzImage", Release: "6.14.2", CacheKey: "6.14.2-tarball-x86_64"}
	for _, tt := range []struct {
		name string
		ks   []Kernel
		want []string
	}{
		{"distinct versions", []Kernel{debian, cached}, []string{"6.12.117", "6.14.2"}},
		{"shared version", []Kernel{debian, scx}, []string{"6.12.117-deb12", "6.12.117-scx"}},
		{"cache key word", []Kernel{cached, {Path: "/x/bzImage", Release: "6.14.2"}}, []string{"6.14.2-tarball", "6.14.2"}},
		{"no release", []Kernel{{Path: "/x/vmlinuz-6.1.0-9-amd64"}, {Path: "/y/bzImage"}}, []string{"6.1.0", "kernel"}},
		{"same kernel twice", []Kernel{scx, scx}, []string{"6.12.117-k1", "6.12.117-k2"}},
		{"one", []Kernel{scx}, []string{"6.12.117"}},
	} {
		if got := Labels(tt.ks); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Labels = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestResolve(t *testing.T) {
	d := newDiscoverEnv(t)
	opts := DiscoverOptions{Getenv: func(string) string { return "" }, Release: rel, Dir: d.wd, Root: d.root, Arch: x86, Cache: d.cache}
	img := d.image(t, "k/bzImage-6.12-scx")
	testutil.WriteFile(t, filepath.Join(filepath.Dir(img), "config"), []byte("CONFIG_SCHED_CLASS_EXT=y\n"))
	d.image(t, "linux/arch/x86/boot/bzImage")
	addEntry(t, d.cache, "6.14.2-tarball-x86_64", meta("6.14.2", SourceTarball, 1))
	for _, tt := range []struct {
		id, wantPath, wantRelease string
		wantSchedExt              bool
	}{
		{"k/bzImage-6.12-scx", img, "6.12.5", true},
		{"./linux", filepath.Join(d.wd, "linux/arch/x86/boot/bzImage"), "6.12.5", false},
		{"6.14.2", filepath.Join(d.cache.Root, "6.14.2-tarball-x86_64/bzImage"), "6.14.2", true},
		{"6.14.2-tarball-x86_64", filepath.Join(d.cache.Root, "6.14.2-tarball-x86_64/bzImage"), "6.14.2", true},
	} {
		k, err := Resolve(tt.id, opts)
		if err != nil {
			t.Errorf("Resolve(%s): %v", tt.id, err)
			continue
		}
		if k.Path != tt.wantPath || k.Release != tt.wantRelease || (k.SchedExt != nil && *k.SchedExt) != tt.wantSchedExt {
			t.Errorf("Resolve(%s) = %+v, want %s release %s sched_ext %v", tt.id, k, tt.wantPath, tt.wantRelease, tt.wantSchedExt)
		}
	}
	for id, want := range map[string]string{
		"./nothing":            "kernel ./nothing: " + filepath.Join(d.wd, "nothing") + ": no such file",
		"6.99":                 "kernel 6.99: version 6.99 is not cached in " + d.cache.Root,
		"6.1.1-tarball-x86_64": "kernel 6.1.1-tarball-x86_64: no cache entry 6.1.1-tarball-x86_64",
		"bzImage":              `kernel id "bzImage": not a path`,
	} {
		if _, err := Resolve(id, opts); err == nil || !startsWith(err.Error(), want) {
			t.Errorf("Resolve(%s): %v, want %q...", id, err, want)
		}
	}
}

func startsWith(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }
