package kernel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
)

// addEntry installs a valid entry into c through the real staging path.
func addEntry(t testing.TB, c *Cache, key string, m Metadata) CacheEntry {
	t.Helper()
	st, err := c.Stage(key)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Abort()
	if m.Image == "" {
		m.Image = "bzImage"
	}
	testutil.WriteFile(t, filepath.Join(st.Dir(), m.Image), testutil.FakeBzImage(m.Version))
	e, err := st.Commit(m)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// meta returns valid metadata for an x86_64 kernel built at the given
// minute past a fixed time.
func meta(version, source string, minute int) Metadata {
	yes := true
	return Metadata{
		Version: version, Source: source, Arch: "x86_64",
		BuiltAt:  time.Date(2026, 1, 2, 3, minute, 0, 0, time.UTC),
		SchedExt: &yes, FragmentHash: HashString("fragment"),
	}
}

// writeRawEntry writes an entry directory by hand (for corrupt fixtures):
// metadata as given (raw bytes when it is a []byte) and files.
func writeRawEntry(t testing.TB, c *Cache, key string, metadata any, files map[string][]byte) {
	t.Helper()
	dir := filepath.Join(c.Root, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	switch m := metadata.(type) {
	case nil:
	case []byte:
		testutil.WriteFile(t, filepath.Join(dir, MetadataFile), m)
	default:
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		testutil.WriteFile(t, filepath.Join(dir, MetadataFile), b)
	}
	for name, data := range files {
		testutil.WriteFile(t, filepath.Join(dir, name), data)
	}
}
