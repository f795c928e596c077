package kernel

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestCacheRoot(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{spec.EnvCacheDir: "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/c"},
		{map[string]string{"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x/ktstr/kernels"},
		{map[string]string{"XDG_CACHE_HOME": "relative", "HOME": "/h"}, "/h/.cache/ktstr/kernels"},
		{map[string]string{"HOME": "/h"}, "/h/.cache/ktstr/kernels"},
	}
	for _, tt := range tests {
		got, err := CacheRoot(func(k string) string { return tt.env[k] })
		if err != nil || got != tt.want {
			t.Errorf("CacheRoot(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
	if _, err := CacheRoot(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), spec.EnvCacheDir) {
		t.Errorf("no HOME: err = %v, want a hint naming %s", err, spec.EnvCacheDir)
	}
}

func TestCacheKey(t *testing.T) {
	sum := HashString("x")
	for _, tt := range []struct{ v, src, want string }{
		{"6.12.8", SourceTarball, "6.12.8-tarball-x86_64"},
		{"6.12.117", SourceFile, "6.12.117-file-" + sum[:8] + "-x86_64"},
		{"6.12.117", SourceTree, "6.12.117-tree-" + sum[:8] + "-x86_64"},
		{"6.12.117+deb12-cloud-amd64", SourceImport, "6.12.117+deb12-cloud-amd64-import-" + sum[:8] + "-x86_64"},
	} {
		got := CacheKey(tt.v, tt.src, sum, "x86_64")
		if got != tt.want {
			t.Errorf("CacheKey(%s, %s) = %q, want %q", tt.v, tt.src, got, tt.want)
		}
		if id, err := ParseID(got); err != nil || id.Kind != IDKey {
			t.Errorf("key %q does not parse back as a cache key: %+v %v", got, id, err)
		}
	}
}

// fixtureCache holds valid entries of several ages and one of each kind
// of corruption.
func fixtureCache(t *testing.T) *Cache {
	c := &Cache{Root: t.TempDir()}
	addEntry(t, c, "6.12.8-tarball-x86_64", meta("6.12.8", SourceTarball, 10))
	addEntry(t, c, "6.13.1-tarball-x86_64", meta("6.13.1", SourceTarball, 30))
	addEntry(t, c, "6.12.117-file-0123abcd-x86_64", meta("6.12.117", SourceFile, 20))
	img := testutil.FakeBzImage("6.1.0")
	writeRawEntry(t, c, "6.1.0-tarball-x86_64", nil, map[string][]byte{"bzImage": img})
	writeRawEntry(t, c, "6.2.0-tarball-x86_64", []byte(`{"version": "6.2.0",`), map[string][]byte{"bzImage": img})
	short := meta("6.3.0", SourceTarball, 40)
	short.Image, short.ImageSize = "bzImage", int64(len(img)+1)
	writeRawEntry(t, c, "6.3.0-tarball-x86_64", short, map[string][]byte{"bzImage": img})
	noImage := meta("6.4.0", SourceTarball, 50)
	noImage.Image, noImage.ImageSize = "bzImage", 10
	writeRawEntry(t, c, "6.4.0-tarball-x86_64", noImage, nil)
	testutil.WriteFile(t, filepath.Join(c.Root, "stray-file"), []byte("x"))
	if err := os.Mkdir(filepath.Join(c.Root, ".stage-6.9.0-tarball-x86_64-1-abc"), 0o755); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCacheList(t *testing.T) {
	c := fixtureCache(t)
	entries, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		s := e.Key
		if e.Err != nil {
			s += " corrupt: " + strings.TrimPrefix(e.Err.Error(), "corrupt entry "+e.Key+": ")
		}
		got = append(got, s)
	}
	want := []string{
		"6.13.1-tarball-x86_64",
		"6.12.117-file-0123abcd-x86_64",
		"6.12.8-tarball-x86_64",
		"6.1.0-tarball-x86_64 corrupt: no metadata.json",
		"6.2.0-tarball-x86_64 corrupt: metadata.json: unexpected end of JSON input",
		"6.3.0-tarball-x86_64 corrupt: image bzImage is 1024 bytes, metadata says 1025",
		"6.4.0-tarball-x86_64 corrupt: image: no such file or directory",
		"stray-file corrupt: not a directory",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("List:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCacheListMissingRoot(t *testing.T) {
	c := &Cache{Root: filepath.Join(t.TempDir(), "nope")}
	if entries, err := c.List(); err != nil || len(entries) != 0 {
		t.Errorf("List of a missing root = %v, %v; want empty", entries, err)
	}
}

func TestCacheLookup(t *testing.T) {
	c := fixtureCache(t)
	if e, ok := c.Lookup("6.12.8-tarball-x86_64"); !ok || !e.Valid() || e.Meta.Version != "6.12.8" {
		t.Errorf("Lookup valid = %+v, %v", e, ok)
	}
	if e, ok := c.Lookup("6.2.0-tarball-x86_64"); !ok || e.Valid() {
		t.Errorf("Lookup corrupt = %+v, %v; want found and invalid", e, ok)
	}
	for _, key := range []string{"7.0.0-tarball-x86_64", ".lock", "../x", ""} {
		if _, ok := c.Lookup(key); ok {
			t.Errorf("Lookup(%q) found something", key)
		}
	}
}

func TestMetadataValidate(t *testing.T) {
	good := meta("6.12.8", SourceTarball, 1)
	good.Image, good.ImageSize = "bzImage", 100
	if err := good.Validate(); err != nil {
		t.Fatalf("good metadata: %v", err)
	}
	for name, mut := range map[string]func(*Metadata){
		"version":  func(m *Metadata) { m.Version = "../x" },
		"source":   func(m *Metadata) { m.Source = "magic" },
		"arch":     func(m *Metadata) { m.Arch = "riscv64" },
		"image":    func(m *Metadata) { m.Image = "../bzImage" },
		"metadata": func(m *Metadata) { m.Image = MetadataFile },
		"size":     func(m *Metadata) { m.ImageSize = 0 },
		"built_at": func(m *Metadata) { m.BuiltAt = time.Time{} },
	} {
		m := good
		mut(&m)
		if err := m.Validate(); err == nil {
			t.Errorf("bad %s: Validate passed", name)
		}
	}
}

// The tests below need a directory the test cannot write. Root writes
// anywhere, so as root the check runs in a child process as nobody.
const envAsNobody = "GAUNTLET_TEST_AS_NOBODY"

func TestCacheNotWritable(t *testing.T) {
	dir := os.Getenv(envAsNobody)
	if dir == "" {
		dir = t.TempDir()
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			runAsNobody(t, "TestCacheNotWritable", dir)
			return
		}
	}
	for _, root := range []string{filepath.Join(dir, "ro"), filepath.Join(dir, "ro", "sub", "kernels")} {
		c := &Cache{Root: root}
		err := c.CheckWritable()
		want := fmt.Sprintf("kernel cache %s is not writable (permission denied): set %s to a writable directory", root, spec.EnvCacheDir)
		if err == nil || err.Error() != want {
			t.Errorf("CheckWritable = %v\nwant %s", err, want)
		}
		if !errors.Is(err, os.ErrPermission) {
			t.Errorf("error should wrap os.ErrPermission: %v", err)
		}
		if _, err := c.Stage("6.12.8-tarball-x86_64"); err == nil {
			t.Error("Stage in a read-only cache succeeded")
		}
	}
}

// runAsNobody reruns the test named name in a copy of the test binary as
// user nobody, with dir (made world-accessible) passed in envAsNobody.
func runAsNobody(t *testing.T, name, dir string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "test.bin")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, bin, data)
	for p := dir; p != "/" && p != os.TempDir(); p = filepath.Dir(p) {
		os.Chmod(p, 0o755)
	}
	os.Chmod(bin, 0o755)
	cmd := exec.Command(bin, "-test.run", "^"+name+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), envAsNobody+"="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("as nobody: no PASS in output:\n%s", out)
	}
}
