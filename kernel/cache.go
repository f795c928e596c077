package kernel

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gauntlet-sched/gauntlet/internal/cachedir"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// Cache is a directory of built and imported kernels, one subdirectory per
// entry. The root is $KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr/kernels,
// else ~/.cache/ktstr/kernels (see [CacheRoot]).
//
// An entry directory is named by its key (see [CacheKey]) and holds the
// boot image, the kernel's .config as "config" when known, and
// metadata.json ([Metadata]). Names starting with a dot are the cache's
// own: ".lock", and ".stage-*" and ".trash-*" directories that are being
// written or removed; they are never entries.
//
// Entries appear and disappear only by rename under the lock, so a reader
// never sees a half-written entry.
type Cache struct {
	// Root is the cache directory; it need not exist yet.
	Root string
}

// CacheRoot returns the cache directory the environment selects, read
// through getenv (nil means os.Getenv).
func CacheRoot(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv(spec.EnvCacheDir); d != "" {
		return d, nil
	}
	base, err := cachedir.Base(getenv)
	if err != nil {
		return "", fmt.Errorf("no kernel cache directory: set %s or HOME", spec.EnvCacheDir)
	}
	return filepath.Join(base, "ktstr", "kernels"), nil
}

// DefaultCache returns the cache at [CacheRoot] of the real environment.
func DefaultCache() (*Cache, error) {
	root, err := CacheRoot(nil)
	if err != nil {
		return nil, err
	}
	return &Cache{Root: root}, nil
}

// CacheKey names the entry for a kernel: "{version}-tarball-{arch}" for a
// release downloaded from a mirror, and "{version}-{source}-{id}-{arch}"
// for the other sources, where id is the first 8 hex digits of the
// SHA-256 of the source tarball (file), of the tree's absolute path
// (tree), or of the image (import).
func CacheKey(version, source, sum, arch string) string {
	if source == SourceTarball {
		return fmt.Sprintf("%s-tarball-%s", version, arch)
	}
	return fmt.Sprintf("%s-%s-%s-%s", version, source, sum[:min(8, len(sum))], arch)
}

// CacheEntry is one entry of a [Cache].
type CacheEntry struct {
	// Key is the entry's directory name.
	Key string
	// Dir is the entry's directory.
	Dir string
	// Meta is the parsed metadata.json; partial when Err is set.
	Meta Metadata
	// Err says why the entry is corrupt; nil for a valid entry.
	Err error
}

// ImagePath returns the boot image of e.
func (e CacheEntry) ImagePath() string { return filepath.Join(e.Dir, e.Meta.Image) }

// Valid reports whether e can be booted.
func (e CacheEntry) Valid() bool { return e.Err == nil }

// List returns the entries, valid ones newest first, then the corrupt
// ones by key. A missing root is an empty cache.
func (c *Cache) List() ([]CacheEntry, error) {
	des, err := os.ReadDir(c.Root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list kernel cache: %w", err)
	}
	var out []CacheEntry
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		out = append(out, c.load(de.Name()))
	}
	slices.SortFunc(out, compareEntries)
	return out, nil
}

func compareEntries(a, b CacheEntry) int {
	if a.Valid() != b.Valid() {
		if a.Valid() {
			return -1
		}
		return 1
	}
	if a.Valid() {
		if c := b.Meta.BuiltAt.Compare(a.Meta.BuiltAt); c != 0 {
			return c
		}
	}
	return cmp.Compare(a.Key, b.Key)
}

// Lookup returns the entry named key; ok is false when there is none.
func (c *Cache) Lookup(key string) (e CacheEntry, ok bool) {
	if key == "" || strings.HasPrefix(key, ".") || strings.ContainsRune(key, '/') {
		return CacheEntry{}, false
	}
	if _, err := os.Lstat(filepath.Join(c.Root, key)); err != nil {
		return CacheEntry{}, false
	}
	return c.load(key), true
}

// load reads one entry and checks it: metadata valid, image present with
// the recorded size.
func (c *Cache) load(key string) CacheEntry {
	e := CacheEntry{Key: key, Dir: filepath.Join(c.Root, key)}
	st, err := os.Stat(e.Dir)
	if err == nil && !st.IsDir() {
		err = errors.New("not a directory")
	}
	if err == nil {
		e.Meta, err = readMetadata(e.Dir)
	}
	if err == nil {
		err = checkImageSize(e.ImagePath(), e.Meta.ImageSize)
	}
	if err != nil {
		e.Err = fmt.Errorf("corrupt entry %s: %w", key, err)
	}
	return e
}

func checkImageSize(path string, want int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("image: %w", errors.Unwrap(err))
	}
	if st.Size() != want {
		return fmt.Errorf("image %s is %d bytes, metadata says %d", filepath.Base(path), st.Size(), want)
	}
	return nil
}

// CheckWritable creates the root if needed and checks that entries can be
// written there, before any long build starts.
func (c *Cache) CheckWritable() error {
	err := os.MkdirAll(c.Root, 0o755)
	if err == nil {
		var f *os.File
		f, err = os.CreateTemp(c.Root, ".probe-*")
		if err == nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
	if err == nil {
		return nil
	}
	reason := err
	var pe *os.PathError
	if errors.As(err, &pe) {
		reason = pe.Err
	}
	return fmt.Errorf("kernel cache %s is not writable (%w): set %s to a writable directory", c.Root, reason, spec.EnvCacheDir)
}
