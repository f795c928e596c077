package kbuild

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
)

const fakeTreeDir = "testdata/kernel-tree" // fake tree: version 6.99.1

func needMake(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		testutil.SkipNotPossible(t, "make is not installed (apt-get install make); the fake kernel tree needs it")
	}
}

// tarTree packs dir as a gzip tarball under the top directory top, the
// way kernel.org packs linux-VERSION/.
func tarTree(t testing.TB, dir, top string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": "fake"}})
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(filepath.Join(top, rel))
		if d.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(tw.Close(), zw.Close()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mirror is an httptest kernel.org: files by path, hit counts, and
// handlers that misbehave on request.
type mirror struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	hits  map[string]int
	short map[string]bool // serve half the body with the full Content-Length
}

func newMirror(t *testing.T) *mirror {
	m := &mirror{files: map[string][]byte{}, hits: map[string]int{}, short: map[string]bool{}}
	m.Server = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.Close)
	return m
}

func (m *mirror) serve(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.hits[r.URL.Path]++
	data, ok := m.files[r.URL.Path]
	short := m.short[r.URL.Path]
	m.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	if short {
		w.Write(data[:len(data)/2])
		return // the server closes the connection: a truncated body
	}
	w.Write(data)
}

func (m *mirror) hit(path string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits[path]
}

// release publishes the fake tree as linux-6.99.1.tar.xz, with a
// clear-signed sha256sums.asc listing sum (the real one when "").
func (m *mirror) release(t *testing.T, sum string) []byte {
	tarball := tarTree(t, fakeTreeDir, "linux-6.99.1")
	if sum == "" {
		s := sha256.Sum256(tarball)
		sum = hex.EncodeToString(s[:])
	}
	m.files["/v6.x/linux-6.99.1.tar.xz"] = tarball
	m.files["/v6.x/sha256sums.asc"] = []byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" +
		strings.Repeat("0", 64) + "  linux-6.99.0.tar.xz\n" + sum + "  linux-6.99.1.tar.xz\n" +
		"-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n")
	return tarball
}

// buildEnv is a cache, a temp dir and a log for one pipeline test.
type buildEnv struct {
	cache *kernel.Cache
	tmp   string
	log   *bytes.Buffer
}

func newBuildEnv(t *testing.T) *buildEnv {
	return &buildEnv{cache: &kernel.Cache{Root: t.TempDir()}, tmp: t.TempDir(), log: &bytes.Buffer{}}
}

func (e *buildEnv) opts(t *testing.T, m *mirror) BuildOptions {
	o := BuildOptions{Fragment: kernel.Fragment, Jobs: 1, Cache: e.cache, TempDir: e.tmp, Log: e.log, Arch: x86}
	if m != nil {
		o.Mirror, o.Version = m.URL, "6.99.1"
	}
	return o
}

// assertClean checks that a build left no entry (unless want names one),
// no staging and nothing in the temp dir but kept logs.
func (e *buildEnv) assertClean(t *testing.T, want ...string) {
	t.Helper()
	entries, err := e.cache.List()
	if err != nil || keys(entries) != strings.Join(want, " ") {
		t.Errorf("cache entries %q, %v; want %q", keys(entries), err, want)
	}
	if h := hidden(t, e.cache); len(h) != 0 {
		t.Errorf("cache has leftovers %v", h)
	}
	des, _ := os.ReadDir(e.tmp)
	for _, de := range des {
		if !strings.HasSuffix(de.Name(), ".log") {
			t.Errorf("temp dir has leftover %s", de.Name())
		}
	}
}

func TestBuildDownload(t *testing.T) {
	needMake(t)
	m := newMirror(t)
	m.release(t, "")
	e := newBuildEnv(t)
	res, err := Build(context.Background(), e.opts(t, m))
	if err != nil {
		t.Fatalf("Build: %v\nlog:\n%s", err, e.log)
	}
	const key = "6.99.1-tarball-x86_64"
	md := res.Entry.Meta
	if res.Cached || res.Entry.Key != key || !res.Entry.Valid() {
		t.Fatalf("result %+v", res)
	}
	if md.Version != "6.99.1" || md.Source != kernel.SourceTarball || md.Origin != m.URL+"/v6.x/linux-6.99.1.tar.xz" ||
		md.SchedExt == nil || !*md.SchedExt || md.FragmentHash != kernel.HashString(kernel.Fragment) || md.Image != "bzImage" {
		t.Errorf("metadata %+v", md)
	}
	cfg, err := os.ReadFile(filepath.Join(res.Entry.Dir, "config"))
	if err != nil || md.ConfigHash != kernel.HashString(string(cfg)) || !strings.Contains(string(cfg), "CONFIG_BASE_ONLY=y") {
		t.Errorf("stored config (%v) does not match the merged base + fragment", err)
	}
	for _, want := range []string{"download " + m.URL, "checksum: sha256", "matches", "extract", "configure: allnoconfig", "build bzImage", "2 files compiled", "store: " + key} {
		if !strings.Contains(e.log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, e.log)
		}
	}
	e.assertClean(t, key)

	e.log.Reset()
	again, err := Build(context.Background(), e.opts(t, m))
	if err != nil || !again.Cached || m.hit("/v6.x/linux-6.99.1.tar.xz") != 1 {
		t.Errorf("second build: cached=%v err=%v downloads=%d; want served from the cache", again.Cached, err, m.hit("/v6.x/linux-6.99.1.tar.xz"))
	}
	forced := e.opts(t, m)
	forced.Force = true
	if res, err := Build(context.Background(), forced); err != nil || res.Cached || m.hit("/v6.x/linux-6.99.1.tar.xz") != 2 {
		t.Errorf("forced build: cached=%v err=%v", res.Cached, err)
	}
	otherFrag := e.opts(t, m)
	otherFrag.Fragment += "CONFIG_EXTRA=y\n"
	if res, err := Build(context.Background(), otherFrag); err != nil || res.Cached || len(res.Dropped) != 0 {
		t.Errorf("build with a new fragment: cached=%v dropped=%v err=%v; want rebuilt", res.Cached, res.Dropped, err)
	}
	e.assertClean(t, key)
}

func TestBuildLatestStable(t *testing.T) {
	needMake(t)
	m := newMirror(t)
	m.release(t, "")
	m.files["/releases.json"] = []byte(`{"latest_stable": {"version": "6.99.1"}, "releases": []}`)
	e := newBuildEnv(t)
	o := e.opts(t, m)
	o.Version = ""
	res, err := Build(context.Background(), o)
	if err != nil || res.Entry.Key != "6.99.1-tarball-x86_64" {
		t.Fatalf("Build latest: %+v, %v", res, err)
	}
	if !strings.Contains(e.log.String(), "latest stable: 6.99.1") {
		t.Errorf("log lacks the latest version:\n%s", e.log)
	}
}

func TestBuildNoChecksumOffered(t *testing.T) {
	needMake(t)
	m := newMirror(t)
	m.release(t, "")
	delete(m.files, "/v6.x/sha256sums.asc")
	e := newBuildEnv(t)
	o := e.opts(t, m)
	o.Version = "6.99.1"
	if _, err := Build(context.Background(), o); err != nil {
		t.Fatalf("Build: %v", err)
	}
	if !strings.Contains(e.log.String(), "the mirror offers none") {
		t.Errorf("log does not say the checksum was not verified:\n%s", e.log)
	}
}

// TestBuildBadInput runs the pipeline into each failure the issue lists:
// each gives one line naming the input, and leaves the cache untouched.
func TestBuildBadInput(t *testing.T) {
	needMake(t)
	notKernel := filepath.Join(t.TempDir(), "notkernel.tar.gz")
	testutil.WriteFile(t, notKernel, tarTree(t, "testdata/kernel-tree/arch", "stuff"))
	corrupt := filepath.Join(t.TempDir(), "corrupt.tar.xz")
	testutil.WriteFile(t, corrupt, append(append([]byte{}, magicGzip...), bytes.Repeat([]byte("x"), 100)...))
	tests := []struct {
		name  string
		setup func(m *mirror, o *BuildOptions)
		want  string
	}{
		{"checksum mismatch", func(m *mirror, o *BuildOptions) { m.release(t, strings.Repeat("ab", 32)) },
			"the download is corrupt, retry or use another mirror"},
		{"truncated download", func(m *mirror, o *BuildOptions) {
			m.release(t, "")
			m.short["/v6.x/linux-6.99.1.tar.xz"] = true
		}, "truncated after"},
		{"no such release", func(m *mirror, o *BuildOptions) { o.Version = "6.98.0" }, "linux-6.98.0.tar.xz: not found on the server"},
		{"unknown version format", func(m *mirror, o *BuildOptions) { o.Version = "v6.12" }, `unknown version format "v6.12"`},
		{"not a kernel tree", func(m *mirror, o *BuildOptions) { o.Version, o.Source = "", notKernel }, notKernel + ": not a kernel source tree (no Makefile"},
		{"corrupt tarball", func(m *mirror, o *BuildOptions) { o.Version, o.Source = "", corrupt }, "extract " + corrupt},
		{"missing source", func(m *mirror, o *BuildOptions) { o.Version, o.Source = "", "/nonexistent/linux" }, "source /nonexistent/linux: no such file or directory"},
		{"both version and source", func(m *mirror, o *BuildOptions) { o.Version, o.Source = "6.99.1", notKernel }, "not both"},
		{"negative jobs", func(m *mirror, o *BuildOptions) { o.Jobs = -2 }, "jobs -2"},
		{"make flag as base config", func(m *mirror, o *BuildOptions) { o.BaseConfig = "-fconfig" }, `base config "-fconfig"`},
		{"sched_ext dropped", func(m *mirror, o *BuildOptions) {
			m.release(t, "")
			t.Setenv("FAKE_DROP", "SCHED_CLASS_EXT")
		}, "CONFIG_SCHED_CLASS_EXT (needs Linux 6.12 or newer"},
		{"BTF dropped", func(m *mirror, o *BuildOptions) {
			m.release(t, "")
			t.Setenv("FAKE_DROP", "DEBUG_INFO_BTF")
		}, "CONFIG_DEBUG_INFO_BTF (needs pahole 1.16 or newer when configuring: apt-get install dwarves)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMirror(t)
			e := newBuildEnv(t)
			o := e.opts(t, m)
			tt.setup(m, &o)
			_, err := Build(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to contain %q\nlog:\n%s", err, tt.want, e.log)
			}
			t.Logf("error: %v", err)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if strings.Contains(tt.name, "dropped") && strings.Contains(e.log.String(), "build bzImage") {
				t.Errorf("the build compiled although the config check had failed:\n%s", e.log)
			}
			e.assertClean(t)
		})
	}
}

func TestBuildMakeFailure(t *testing.T) {
	needMake(t)
	m := newMirror(t)
	m.release(t, "")
	e := newBuildEnv(t)
	t.Setenv("FAKE_FAIL", "1")
	_, err := Build(context.Background(), e.opts(t, m))
	if err == nil || !strings.Contains(err.Error(), "make bzImage: exit status 2") ||
		!strings.Contains(err.Error(), "fake compile error") {
		t.Fatalf("err = %v", err)
	}
	_, logPath, ok := strings.Cut(err.Error(), "full log: ")
	if !ok {
		t.Fatalf("error does not name the log: %v", err)
	}
	if b, rerr := os.ReadFile(logPath); rerr != nil || !strings.Contains(string(b), "fake compile error") {
		t.Errorf("kept log %s: %v", logPath, rerr)
	}
	e.assertClean(t)
}

func TestBuildLocalSources(t *testing.T) {
	needMake(t)
	e := newBuildEnv(t)
	tarball := testutil.WriteFile(t, filepath.Join(t.TempDir(), "linux-source-6.99.tar.gz"), tarTree(t, fakeTreeDir, "linux-source-6.99"))
	o := e.opts(t, nil)
	o.Source = tarball
	res, err := Build(context.Background(), o)
	sum, _, _ := kernel.HashFile(tarball)
	fileKey := "6.99.1-file-" + sum[:8] + "-x86_64"
	if err != nil || res.Entry.Key != fileKey || res.Entry.Meta.Origin != tarball {
		t.Fatalf("tarball source: %+v, %v\n%s", res, err, e.log)
	}
	if res, err := Build(context.Background(), o); err != nil || !res.Cached {
		t.Errorf("tarball source again: cached=%v, %v", res.Cached, err)
	}

	tree := filepath.Join(t.TempDir(), "linux")
	if err := os.CopyFS(tree, os.DirFS(fakeTreeDir)); err != nil {
		t.Fatal(err)
	}
	o.Source = tree
	res, err = Build(context.Background(), o)
	treeKey := "6.99.1-tree-" + kernel.HashString(tree)[:8] + "-x86_64"
	if err != nil || res.Entry.Key != treeKey {
		t.Fatalf("tree source: %+v, %v", res, err)
	}
	if err := kernel.CheckImage(x86.TreeImage(tree)); err != nil {
		t.Errorf("a tree is built in place: %v", err)
	}
	if res, err := Build(context.Background(), o); err != nil || res.Cached {
		t.Errorf("a tree is always rebuilt (make is incremental): cached=%v, %v", res.Cached, err)
	}
	e.assertClean(t, treeKey, fileKey)
}

// TestBuildCancel cancels while make runs and checks that make's whole
// process group is gone and nothing is left behind.
func TestBuildCancel(t *testing.T) {
	needMake(t)
	tree := filepath.Join(t.TempDir(), "linux")
	if err := os.CopyFS(tree, os.DirFS(fakeTreeDir)); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(t.TempDir(), "started")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_FIFO", fifo)
	e := newBuildEnv(t)
	o := e.opts(t, nil)
	o.Source = tree
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Build(ctx, o)
		done <- err
	}()
	if _, err := os.ReadFile(fifo); err != nil { // blocks until make's child writes
		t.Fatal(err)
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	b, rerr := os.ReadFile(filepath.Join(tree, "sleep.pid"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	var pid int
	fmt.Sscan(string(b), &pid)
	if processRunning(pid) {
		t.Errorf("make's child %d still runs after cancel", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
	// A compiler killed mid-file leaves its temp file; it must be in a
	// directory the build removes.
	tmpfile, rerr := os.ReadFile(filepath.Join(tree, "tmpfile.path"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	if p := strings.TrimSpace(string(tmpfile)); filepath.Dir(p) == os.TempDir() {
		t.Errorf("make ran with TMPDIR=%s, the shared temp dir", filepath.Dir(p))
	} else if _, err := os.Stat(p); err == nil {
		t.Errorf("the compilers' temp file %s outlived the cancelled build", p)
	}
	e.assertClean(t)
}

// processRunning reports whether pid exists and is not a zombie.
func processRunning(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

func TestFindChecksum(t *testing.T) {
	sums := []byte("abc\n" + strings.Repeat("a", 64) + "  linux-1.0.tar.xz\n" + strings.Repeat("B", 64) + " *linux-1.1.tar.xz\n" + strings.Repeat("z", 64) + "  linux-1.2.tar.xz\n")
	for name, want := range map[string]string{
		"linux-1.0.tar.xz": strings.Repeat("a", 64), "linux-1.1.tar.xz": strings.Repeat("b", 64),
		"linux-1.2.tar.xz": "", "linux-9.tar.xz": "",
	} {
		if got := findChecksum(sums, name); got != want {
			t.Errorf("findChecksum(%s) = %q, want %q", name, got, want)
		}
	}
}

// TestBuildConcurrent runs two builds of one release at once into one
// cache: both succeed and exactly one valid entry remains.
func TestBuildConcurrent(t *testing.T) {
	needMake(t)
	m := newMirror(t)
	m.release(t, "")
	e := newBuildEnv(t)
	errs := make(chan error, 2)
	for range 2 {
		o := e.opts(t, m)
		o.Log = io.Discard
		go func() {
			_, err := Build(context.Background(), o)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent build: %v", err)
		}
	}
	e.assertClean(t, "6.99.1-tarball-x86_64")
	entries, _ := e.cache.List()
	if len(entries) != 1 || !entries[0].Valid() {
		t.Errorf("entries %+v", entries)
	}
}

func TestProgress(t *testing.T) {
	var out bytes.Buffer
	p := &progress{log: &out, every: 2}
	for _, chunk := range []string{"  CC      a.o\n  CC   ", "   b.o\n  AR      x.a\n  LD      vmlinux.o\n  LD      arch/x86/boot/setup.elf\n",
		"  CC      c.o\n  BTF     .btf.vmlinux.bin.o\nKernel: arch/x86/boot/bzImage is ready  (#1)\n"} {
		p.Write([]byte(chunk))
	}
	got := out.String()
	for _, want := range []string{"2 files compiled", "(b.o)", "LD vmlinux.o,", "BTF .btf.vmlinux.bin.o,", "Kernel: arch/x86/boot/bzImage is ready (#1),"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress lacks %q:\n%s", want, got)
		}
	}
	if p.files != 3 || strings.Contains(got, "setup.elf") || strings.Contains(got, "x.a") {
		t.Errorf("files = %d, output:\n%s", p.files, got)
	}
}

// TestDefaultJobs: without Jobs, make runs one job more than the CPUs, so
// a job waiting on the disk or on make leaves no CPU idle.
func TestDefaultJobs(t *testing.T) {
	o := BuildOptions{Fragment: "CONFIG_X=y\n"}
	o.setDefaults()
	if want := runtime.NumCPU() + 1; o.Jobs != want {
		t.Errorf("default Jobs = %d, want %d (CPUs+1)", o.Jobs, want)
	}
	o = BuildOptions{Fragment: "CONFIG_X=y\n", Jobs: 1}
	o.setDefaults()
	if o.Jobs != 1 {
		t.Errorf("Jobs 1 became %d", o.Jobs)
	}
}
