package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/kernel/kbuild"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// fakeImage is the smallest file that passes as a bzImage.
func fakeImage() []byte {
	img := make([]byte, 0x400)
	copy(img[0x202:], "HdrS")
	return img
}

// kernelEnv points the kernel cache at a temp dir, clears the discovery
// variables, and returns the cache.
func kernelEnv(t *testing.T) *kernel.Cache {
	t.Helper()
	root := t.TempDir()
	t.Setenv(spec.EnvCacheDir, root)
	t.Setenv(spec.EnvTestKernel, "")
	t.Setenv(spec.EnvKernel, "")
	return &kernel.Cache{Root: root}
}

// putEntry installs an entry with a fake image through the public API.
func putEntry(t *testing.T, c *kernel.Cache, key string, m kernel.Metadata) {
	t.Helper()
	st, err := c.Stage(key)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Abort()
	m.Image = "bzImage"
	if err := os.WriteFile(filepath.Join(st.Dir(), "bzImage"), fakeImage(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Commit(m); err != nil {
		t.Fatal(err)
	}
}

// fixtureKernels fills c with: a current build, one built with an older
// fragment, an import without config, and a corrupt entry.
func fixtureKernels(t *testing.T, c *kernel.Cache) {
	yes, no := true, false
	at := func(min int) time.Time { return time.Date(2026, 11, 26, 12, min, 0, 0, time.UTC) }
	putEntry(t, c, "6.12.8-tarball-x86_64", kernel.Metadata{Version: "6.12.8", Source: kernel.SourceTarball, Arch: "x86_64",
		BuiltAt: at(30), SchedExt: &yes, FragmentHash: kernel.FragmentHash(), Origin: "https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.12.8.tar.xz"})
	putEntry(t, c, "6.12.117-file-0123abcd-x86_64", kernel.Metadata{Version: "6.12.117", Source: kernel.SourceFile, Arch: "x86_64",
		BuiltAt: at(20), SchedExt: &yes, FragmentHash: kernel.HashString("an older fragment"), Origin: "/usr/src/linux-source-6.12.tar.xz"})
	putEntry(t, c, "6.12.117+deb12-cloud-amd64-import-89abcdef-x86_64", kernel.Metadata{Version: "6.12.117+deb12-cloud-amd64",
		Source: kernel.SourceImport, Arch: "x86_64", BuiltAt: at(10), SchedExt: &no, Origin: "/boot/vmlinuz-6.12.117+deb12-cloud-amd64"})
	dir := filepath.Join(c.Root, "6.1.0-tarball-x86_64")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, kernel.MetadataFile), []byte(`{"version": "6.1.0", "source":`), 0o644)
}

// kernelRun runs `gauntlet kernel ARGS...` and returns the exit code and
// both streams.
func kernelRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := (&cli{stdout: &out, stderr: &errb}).run(context.Background(), append([]string{"kernel"}, args...))
	return code, out.String(), errb.String()
}

// TestKernelList checks the table and JSON against golden files;
// regenerate them with: go test ./cmd/gauntlet -run TestKernelList -update
func TestKernelList(t *testing.T) {
	c := kernelEnv(t)
	fixtureKernels(t, c)
	code, out, errs := kernelRun(t, "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	checkGolden(t, "testdata/kernel_list.golden", []byte(strings.ReplaceAll(out, c.Root, "$CACHE")))
	code, out, errs = kernelRun(t, "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	checkGolden(t, "testdata/kernel_list_json.golden", []byte(strings.ReplaceAll(out, c.Root, "$CACHE")))
}

func TestKernelListEmpty(t *testing.T) {
	kernelEnv(t)
	code, out, _ := kernelRun(t, "list")
	if code != 0 || !strings.Contains(out, "no kernels cached in") {
		t.Errorf("exit %d, %q", code, out)
	}
	code, out, _ = kernelRun(t, "list", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("json: exit %d, %q", code, out)
	}
}

func TestKernelClean(t *testing.T) {
	isTerm, answer := false, ""
	origTerm, origIn := stdinIsTerminal, kernelStdin
	stdinIsTerminal = func() bool { return isTerm }
	t.Cleanup(func() { stdinIsTerminal, kernelStdin = origTerm, origIn })
	left := func(c *kernel.Cache) string {
		es, _ := c.List()
		var k []string
		for _, e := range es {
			k = append(k, e.Key)
		}
		return strings.Join(k, " ")
	}
	all := "6.12.8-tarball-x86_64 6.12.117-file-0123abcd-x86_64 6.12.117+deb12-cloud-amd64-import-89abcdef-x86_64 6.1.0-tarball-x86_64"
	tests := []struct {
		name     string
		args     []string
		term     bool
		answer   string
		wantOut  string
		wantLeft string
	}{
		{"dry run", []string{"--keep", "1", "--dry-run"}, true, "", "would remove 6.12.117-file-0123abcd-x86_64 (older than the ones kept", all},
		{"corrupt only", nil, false, "", "remove 6.1.0-tarball-x86_64 (corrupt: metadata.json: unexpected end of JSON input)", "6.12.8-tarball-x86_64 6.12.117-file-0123abcd-x86_64 6.12.117+deb12-cloud-amd64-import-89abcdef-x86_64"},
		{"keep 1, no terminal", []string{"--keep", "1"}, false, "", "removed 3 entries, 1 kernels left", "6.12.8-tarball-x86_64"},
		{"keep 0, terminal says no", []string{"--keep", "0"}, true, "n\n", "remove 4 entries from", all},
		{"keep 0, terminal says yes", []string{"--keep", "0"}, true, "y\n", "removed 4 entries, 0 kernels left", ""},
		{"keep 0, --yes", []string{"--keep=0", "--yes"}, true, "", "removed 4 entries", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := kernelEnv(t)
			fixtureKernels(t, c)
			isTerm, answer = tt.term, tt.answer
			kernelStdin = strings.NewReader(answer)
			code, out, errs := kernelRun(t, append([]string{"clean"}, tt.args...)...)
			if code != 0 || !strings.Contains(out, tt.wantOut) {
				t.Errorf("exit %d, stdout:\n%s\nstderr: %s\nwant %q", code, out, errs, tt.wantOut)
			}
			if got := left(c); got != tt.wantLeft {
				t.Errorf("left %q\nwant %q", got, tt.wantLeft)
			}
			if !tt.term && strings.Contains(out, "[y/N]") {
				t.Error("asked although stdin is not a terminal")
			}
		})
	}
}

// TestKernelBadInput: every bad input is one line on stderr and exit 2.
func TestKernelBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "kernel: missing command"},
		{[]string{"frob"}, `kernel: unknown command "frob"`},
		{[]string{"clean", "--keep", "-1"}, "kernel clean: --keep -1: want 0 or more kernels to keep"},
		{[]string{"clean", "--keep", "x"}, `invalid value "x" for flag -keep`},
		{[]string{"build", "v6.12"}, `unknown version format "v6.12": want MAJOR.MINOR[.PATCH], e.g. 6.12.8`},
		{[]string{"build", "6.1", "6.2"}, "one VERSION at most"},
		{[]string{"build", "--jobs", "-3"}, "--jobs -3: want 1 or more"},
		{[]string{"build", "--base-config", "rm -rf"}, `--base-config "rm -rf": want a make config target`},
		{[]string{"build", "6.12.8", "--source", "/usr/src"}, "not both"},
		{[]string{"build", "--source", "/nonexistent/linux"}, "source /nonexistent/linux: no such file or directory"},
		{[]string{"import"}, "kernel import: want one FILE"},
		{[]string{"import", "/nonexistent/bzImage"}, "no such file or directory"},
		{[]string{"import", "kernel.go"}, "not a kernel image"},
		{[]string{"list", "extra"}, "kernel list takes no arguments"},
		{[]string{"which", "extra"}, "kernel which takes no arguments"},
	}
	for _, tt := range tests {
		kernelEnv(t)
		code, out, errs := kernelRun(t, tt.args...)
		if code != exitSetup || !strings.Contains(errs, tt.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("kernel %q: exit %d, stderr %q; want exit 2 and one line with %q (stdout %q)", tt.args, code, errs, tt.want, out)
		}
	}
}

func TestKernelCacheNotWritable(t *testing.T) {
	t.Setenv(spec.EnvCacheDir, "/proc/gauntlet-kernels")
	img := filepath.Join(t.TempDir(), "bzImage")
	os.WriteFile(img, fakeImage(), 0o644)
	code, _, errs := kernelRun(t, "import", img, "--version", "6.12.8")
	if code != exitSetup || !strings.Contains(errs, "kernel cache /proc/gauntlet-kernels is not writable") ||
		!strings.Contains(errs, "set KTSTR_CACHE_DIR to a writable directory") || strings.Count(errs, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestKernelImportAndWhich(t *testing.T) {
	c := kernelEnv(t)
	img := filepath.Join(t.TempDir(), "bzImage")
	os.WriteFile(img, fakeImage(), 0o644)
	code, out, errs := kernelRun(t, "import", img, "--version", "6.12.8-custom")
	if code != 0 || !strings.HasPrefix(out, "imported 6.12.8-custom-import-") || !strings.Contains(out, "sched_ext: unknown") {
		t.Fatalf("import: exit %d, %q, %q", code, out, errs)
	}
	t.Setenv(spec.EnvKernel, "6.12.8-custom")
	code, out, errs = kernelRun(t, "which", "-v")
	if code != 0 || !strings.HasPrefix(out, "tried KTSTR_TEST_KERNEL: not set\n"+c.Root) ||
		!strings.Contains(out, "found by KTSTR_KERNEL, cache entry 6.12.8-custom-import-") {
		t.Errorf("which: exit %d\n%s%s", code, out, errs)
	}
	t.Setenv(spec.EnvTestKernel, img)
	code, out, _ = kernelRun(t, "which")
	if code != 0 || out != img+"\nfound by KTSTR_TEST_KERNEL\n" {
		t.Errorf("which with %s: exit %d, %q", spec.EnvTestKernel, code, out)
	}
	t.Setenv(spec.EnvTestKernel, img+".missing")
	code, _, errs = kernelRun(t, "which")
	if code != exitSetup || !strings.Contains(errs, "KTSTR_TEST_KERNEL="+img+".missing: no such file") {
		t.Errorf("which with a missing %s: exit %d, %q", spec.EnvTestKernel, code, errs)
	}
}

// TestKernelBuildEndToEnd drives `gauntlet kernel build VERSION` against
// a local mirror serving the fake kernel tree of package kbuild, then finds
// the result with `kernel which` and `kernel list`.
func TestKernelBuildEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		testutil.SkipNotPossible(t, "make is not installed (apt-get install make); the fake kernel tree needs it")
	}
	c := kernelEnv(t)
	tarball := tarGz(t, "../../kernel/kbuild/testdata/kernel-tree", "linux-6.99.1")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v6.x/linux-6.99.1.tar.xz" {
			http.NotFound(w, r)
			return
		}
		w.Write(tarball)
	}))
	defer srv.Close()
	t.Setenv(kbuild.EnvKernelMirror, srv.URL)
	code, out, errs := kernelRun(t, "build", "6.99.1", "--jobs", "1")
	if code != 0 || !strings.HasPrefix(out, "built 6.99.1-tarball-x86_64 in ") || !strings.Contains(out, "(sched_ext: yes)") {
		t.Fatalf("build: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if !strings.Contains(errs, "download "+srv.URL) || !strings.Contains(errs, "store: 6.99.1-tarball-x86_64") {
		t.Errorf("progress on stderr lacks the steps:\n%s", errs)
	}
	code, out, _ = kernelRun(t, "build", "6.99.1")
	if code != 0 || !strings.HasPrefix(out, "6.99.1-tarball-x86_64 is cached") {
		t.Errorf("second build: exit %d, %q", code, out)
	}
	code, out, _ = kernelRun(t, "which")
	if code != 0 || out != filepath.Join(c.Root, "6.99.1-tarball-x86_64", "bzImage")+"\nfound by cache, cache entry 6.99.1-tarball-x86_64 (sched_ext: yes)\n" {
		t.Errorf("which: exit %d, %q", code, out)
	}
	code, out, _ = kernelRun(t, "list")
	if code != 0 || !strings.Contains(out, "| 6.99.1-tarball-x86_64 | 6.99.1") || !strings.Contains(out, "| ok ") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
}

// tarGz packs dir under the top directory top.
func tarGz(t *testing.T, dir, top string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: top + "/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err := errors.Join(err, tw.Close(), zw.Close()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
