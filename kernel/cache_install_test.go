package kernel

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
)

// hidden lists the cache root's dot-names other than the lock.
func hidden(t *testing.T, c *Cache) []string {
	t.Helper()
	des, err := os.ReadDir(c.Root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") && de.Name() != lockFile {
			out = append(out, de.Name())
		}
	}
	return out
}

// stageImage stages key with an image whose content is tag.
func stageImage(t *testing.T, c *Cache, key, tag string) *Staging {
	t.Helper()
	st, err := c.Stage(key)
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, filepath.Join(st.Dir(), "bzImage"), append(testutil.FakeBzImage("6.12.8"), tag...))
	return st
}

func imageTag(t *testing.T, e CacheEntry) string {
	t.Helper()
	b, err := os.ReadFile(e.ImagePath())
	if err != nil {
		t.Fatal(err)
	}
	return string(b[len(testutil.FakeBzImage("6.12.8")):])
}

// TestConcurrentInstall races installers of one key, some replacing and
// some keeping an existing entry: every round must end with exactly one
// valid entry holding one installer's image, and no staging left.
func TestConcurrentInstall(t *testing.T) {
	const key = "6.12.8-tarball-x86_64"
	for round := 0; round < 20; round++ {
		c := &Cache{Root: t.TempDir()}
		const n = 4
		stages := make([]*Staging, n)
		for i := range stages {
			stages[i] = stageImage(t, c, key, fmt.Sprintf("installer-%d", i))
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]CacheEntry, n)
		errs := make([]error, n)
		for i, st := range stages {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				m := meta("6.12.8", SourceTarball, i)
				m.Image = "bzImage"
				if i%2 == 0 {
					results[i], errs[i] = st.Commit(m)
				} else {
					results[i], errs[i] = st.CommitIfAbsent(m)
				}
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d installer %d: %v", round, i, err)
			}
			if results[i].Key != key || !results[i].Valid() {
				t.Fatalf("round %d installer %d got %+v", round, i, results[i])
			}
		}
		entries, err := c.List()
		if err != nil || len(entries) != 1 || !entries[0].Valid() {
			t.Fatalf("round %d: entries %+v, %v; want one valid", round, entries, err)
		}
		if tag := imageTag(t, entries[0]); !strings.HasPrefix(tag, "installer-") {
			t.Fatalf("round %d: image tag %q", round, tag)
		}
		if h := hidden(t, c); len(h) != 0 {
			t.Fatalf("round %d: left behind %v", round, h)
		}
	}
}

func TestCommitReplaceOrKeep(t *testing.T) {
	const key = "6.12.8-tarball-x86_64"
	c := &Cache{Root: t.TempDir()}
	m := meta("6.12.8", SourceTarball, 1)
	m.Image = "bzImage"
	first, err := stageImage(t, c, key, "first").Commit(m)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := stageImage(t, c, key, "second").CommitIfAbsent(m)
	if err != nil || imageTag(t, kept) != "first" {
		t.Fatalf("CommitIfAbsent over a valid entry: tag %q, %v; want the first kept", imageTag(t, kept), err)
	}
	replaced, err := stageImage(t, c, key, "third").Commit(m)
	if err != nil || imageTag(t, replaced) != "third" {
		t.Fatalf("Commit over a valid entry: %v; want replaced", err)
	}
	if replaced.Meta.ImageSHA256 == first.Meta.ImageSHA256 {
		t.Error("metadata of the replaced entry still describes the old image")
	}
	os.Remove(filepath.Join(c.Root, key, MetadataFile)) // corrupt it
	fixed, err := stageImage(t, c, key, "fourth").CommitIfAbsent(m)
	if err != nil || !fixed.Valid() || imageTag(t, fixed) != "fourth" {
		t.Fatalf("CommitIfAbsent over a corrupt entry: %+v, %v; want replaced", fixed, err)
	}
	if h := hidden(t, c); len(h) != 0 {
		t.Errorf("left behind %v", h)
	}
}

func TestCommitFailureLeavesNothing(t *testing.T) {
	c := &Cache{Root: t.TempDir()}
	st, err := c.Stage("6.12.8-tarball-x86_64")
	if err != nil {
		t.Fatal(err)
	}
	m := meta("6.12.8", SourceTarball, 1)
	m.Image = "bzImage" // never written
	if _, err := st.Commit(m); err == nil || !strings.Contains(err.Error(), "install kernel 6.12.8-tarball-x86_64") {
		t.Fatalf("Commit without an image: %v", err)
	}
	st = stageImage(t, c, "6.12.9-tarball-x86_64", "x")
	bad := meta("6.12.9", SourceTarball, 1)
	bad.Image, bad.Arch = "bzImage", "sparc"
	if _, err := st.Commit(bad); err == nil {
		t.Fatal("Commit of invalid metadata succeeded")
	}
	stageImage(t, c, "6.12.10-tarball-x86_64", "x").Abort()
	if entries, _ := c.List(); len(entries) != 0 {
		t.Errorf("entries after failures: %+v", entries)
	}
	if h := hidden(t, c); len(h) != 0 {
		t.Errorf("left behind %v", h)
	}
}

func TestStageBadKey(t *testing.T) {
	c := &Cache{Root: t.TempDir()}
	for _, key := range []string{"../x", "6.12.8", "6.12.8-tarball-sparc", ".lock"} {
		if _, err := c.Stage(key); err == nil {
			t.Errorf("Stage(%q) succeeded", key)
		}
	}
}

func TestRemove(t *testing.T) {
	c := fixtureCache(t)
	if err := c.Remove("6.12.8-tarball-x86_64"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup("6.12.8-tarball-x86_64"); ok {
		t.Error("entry still there after Remove")
	}
	if err := c.Remove("6.12.8-tarball-x86_64"); err == nil {
		t.Error("removing a missing entry succeeded")
	}
	if err := c.Remove("../etc"); err == nil {
		t.Error("Remove accepted a path")
	}
}

func TestRemoveLeftovers(t *testing.T) {
	c := &Cache{Root: t.TempDir()}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("cannot start true to get a dead PID: %v", err)
	}
	deadPID := dead.Process.Pid
	names := map[string]bool{ // name -> should be removed
		fmt.Sprintf(".stage-6.12.8-tarball-x86_64-%d-123", deadPID):     true,
		fmt.Sprintf(".trash-6.12.8-tarball-x86_64-%d", deadPID):         true,
		fmt.Sprintf(".stage-6.12.8-tarball-x86_64-%d-456", os.Getpid()): false,
		".lock": false,
	}
	for n := range names {
		if err := os.MkdirAll(filepath.Join(c.Root, n), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := c.removeLeftovers()
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 {
		t.Errorf("removed %v, want the two dead writers' directories", removed)
	}
	for n, gone := range names {
		_, err := os.Stat(filepath.Join(c.Root, n))
		if gone != os.IsNotExist(err) {
			t.Errorf("%s: exists=%v, want removed=%v", n, err == nil, gone)
		}
	}
}

func TestAddFileCopies(t *testing.T) {
	c := &Cache{Root: t.TempDir()}
	st, err := c.Stage("6.12.8-tarball-x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Abort()
	src := testutil.WriteFile(t, filepath.Join(t.TempDir(), "cfg"), []byte("CONFIG_SMP=y\n"))
	if err := st.AddFile("config", src); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(st.Dir(), "config"))
	if !bytes.Equal(got, []byte("CONFIG_SMP=y\n")) {
		t.Errorf("copied %q", got)
	}
	if err := st.AddFile("config", src); err == nil {
		t.Error("AddFile overwrote an existing staged file")
	}
}
