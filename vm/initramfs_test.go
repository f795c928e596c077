package vm

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestArchiveEntries(t *testing.T) {
	dir := t.TempDir()
	initBin := writeTestFile(t, dir, "init.bin", "INIT")
	tree := filepath.Join(dir, "tree")
	writeTestFile(t, tree, "sub/b", "B")
	writeTestFile(t, tree, "a", "A")
	if err := os.Symlink("a", filepath.Join(tree, "link")); err != nil {
		t.Fatal(err)
	}
	sched := writeTestFile(t, dir, "scx_x", "SCHED")
	entries, err := archiveEntries(initBin, []File{{Host: tree, Guest: "/include-files/tree"}, {Host: sched, Guest: "/gauntlet/sched/scx_x"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.guest)
	}
	want := "dev dev/console gauntlet gauntlet/sched gauntlet/sched/scx_x include-files include-files/tree include-files/tree/a " +
		"include-files/tree/link include-files/tree/sub include-files/tree/sub/b init proc root run sys tmp"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("entries:\n got %s\nwant %s", got, want)
	}
	var buf bytes.Buffer
	if err := writeArchive(t.Context(), &buf, entries); err != nil {
		t.Fatal(err)
	}
	read := map[string]newcEntry{}
	for _, e := range readNewc(t, buf.Bytes()) {
		read[e.name] = e
	}
	if e := read["include-files/tree/link"]; e.mode&0o170000 != cpioSymlink || e.data != "a" {
		t.Errorf("symlink entry %+v", e)
	}
	if e := read["init"]; e.data != "INIT" || e.mode&0o170000 != cpioRegular {
		t.Errorf("init entry %+v", e)
	}
	if e := read["dev/console"]; e.devMajor != 5 || e.devMinor != 1 {
		t.Errorf("console entry %+v", e)
	}
}

func TestArchiveEntriesErrors(t *testing.T) {
	dir := t.TempDir()
	initBin := writeTestFile(t, dir, "init", "x")
	for _, tc := range []struct {
		init  string
		files []File
		want  string
	}{
		{filepath.Join(dir, "missing"), nil, "init binary"},
		{initBin, []File{{Host: initBin, Guest: "relative/path"}}, "must be absolute"},
		{initBin, []File{{Host: initBin, Guest: "/"}}, "must be absolute and not /"},
		{initBin, []File{{Host: filepath.Join(dir, "nope"), Guest: "/x"}}, "extra file"},
	} {
		if _, err := archiveEntries(tc.init, tc.files); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: got %v, want %q", tc.init, tc.files, err, tc.want)
		}
	}
}

func TestCachedArchiveReuse(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	initBin := writeTestFile(t, dir, "init", "version 1")
	first, err := cachedArchive(t.Context(), cache, initBin, nil)
	if err != nil {
		t.Fatal(err)
	}
	info1, _ := os.Stat(first)
	again, err := cachedArchive(t.Context(), cache, initBin, nil)
	if err != nil || again != first {
		t.Fatalf("second build: %s, %v; want the cached %s", again, err, first)
	}
	if info2, _ := os.Stat(again); !os.SameFile(info1, info2) {
		t.Error("the cached archive was rewritten")
	}
	// A rebuilt binary (new content, new mtime) gets a new archive.
	writeTestFile(t, dir, "init", "version 2!")
	later := time.Now().Add(time.Minute)
	os.Chtimes(initBin, later, later)
	second, err := cachedArchive(t.Context(), cache, initBin, nil)
	if err != nil || second == first {
		t.Fatalf("after a rebuild: %s, %v; want a new archive", second, err)
	}
	b, _ := os.ReadFile(second)
	if !bytes.Contains(b, []byte("version 2!")) {
		t.Error("new archive lacks the new binary")
	}
	tmps, _ := filepath.Glob(filepath.Join(cache, ".tmp-*"))
	if len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

func TestPruneArchives(t *testing.T) {
	dir := t.TempDir()
	old := writeTestFile(t, dir, "old.cpio", "")
	fresh := writeTestFile(t, dir, "fresh.cpio", "")
	other := writeTestFile(t, dir, "accel-x.json", "")
	now := time.Now()
	past := now.Add(-2 * initramfsMaxAge)
	for _, p := range []string{old, other} {
		os.Chtimes(p, past, past)
	}
	pruneArchives(dir, now)
	for p, want := range map[string]bool{old: false, fresh: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists=%v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCachedArchiveConcurrent starts many variants of one binary at once:
// all get the same archive, built once.
func TestCachedArchiveConcurrent(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	initBin := writeTestFile(t, dir, "init", strings.Repeat("x", 1<<20))
	paths := make(chan string, 8)
	for i := 0; i < cap(paths); i++ {
		go func() {
			p, err := cachedArchive(t.Context(), cache, initBin, nil)
			if err != nil {
				t.Error(err)
			}
			paths <- p
		}()
	}
	first := <-paths
	for i := 1; i < cap(paths); i++ {
		if p := <-paths; p != first {
			t.Errorf("archive %s, want %s", p, first)
		}
	}
	ents, _ := os.ReadDir(cache)
	if len(ents) != 1 {
		t.Errorf("cache holds %d files, want 1", len(ents))
	}
}
