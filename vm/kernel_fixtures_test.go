package vm

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fakeBzImage returns the bytes of a minimal bzImage: a setup header with
// the "HdrS" magic, boot protocol 2.15, and the version string version
// (none when "").
func fakeBzImage(version string) []byte {
	img := make([]byte, 0x400)
	copy(img[bzMagicOff:], "HdrS")
	binary.LittleEndian.PutUint16(img[0x206:], 0x20f) // boot protocol 2.15
	if version != "" {
		binary.LittleEndian.PutUint16(img[bzVersionPtrOff:], 0x100)
		copy(img[0x300:], version+" (test@host) #1 SMP\x00")
	}
	return img
}

// writeFile creates path (and its directories) with data.
func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

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
	writeFile(t, filepath.Join(st.Dir(), m.Image), fakeBzImage(m.Version))
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
		writeFile(t, filepath.Join(dir, MetadataFile), m)
	default:
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, MetadataFile), b)
	}
	for name, data := range files {
		writeFile(t, filepath.Join(dir, name), data)
	}
}
