package kernel

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Staging is a cache entry being written in a hidden directory of the
// cache root. Add files to [Staging.Dir], then [Staging.Commit] it into
// place or [Staging.Abort] it; Abort after Commit does nothing, so
// `defer s.Abort()` is the way to use it.
type Staging struct {
	c    *Cache
	key  string
	dir  string
	done bool
}

// Stage starts writing the entry key.
func (c *Cache) Stage(key string) (*Staging, error) {
	if !cacheKeyRE.MatchString(key) {
		return nil, fmt.Errorf("bad cache key %q", key)
	}
	if err := c.CheckWritable(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(c.Root, fmt.Sprintf(".stage-%s-%d-", key, os.Getpid()))
	if err == nil {
		err = os.Chmod(dir, 0o755) // entries are as readable as the files in them
	}
	if err != nil {
		return nil, fmt.Errorf("stage kernel %s: %w", key, err)
	}
	return &Staging{c: c, key: key, dir: dir}, nil
}

// Dir returns the staging directory files are written into.
func (s *Staging) Dir() string { return s.dir }

// Key returns the key the entry will have.
func (s *Staging) Key() string { return s.key }

// AddFile copies the file src into the entry as name.
func (s *Staging) AddFile(name, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("stage %s: %w", name, err)
	}
	defer in.Close()
	out, err := os.OpenFile(filepath.Join(s.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("stage %s: %w", name, err)
	}
	_, cerr := io.Copy(out, in)
	serr := out.Sync()
	if err := errors.Join(cerr, serr, out.Close()); err != nil {
		return fmt.Errorf("stage %s: %w", name, err)
	}
	return nil
}

// WriteFile writes data into the entry as name.
func (s *Staging) WriteFile(name string, data []byte) error {
	if err := writeFileSync(filepath.Join(s.dir, name), data, 0o644); err != nil {
		return fmt.Errorf("stage %s: %w", name, err)
	}
	return nil
}

// Abort removes the staging directory unless the entry was committed.
func (s *Staging) Abort() {
	if !s.done {
		s.done = true
		os.RemoveAll(s.dir)
	}
}

// Commit completes m from the staged image (size and SHA-256), writes
// metadata.json and moves the entry into place under the cache lock.
//
// When a valid entry with the key already exists, replace decides: true
// swaps the new entry in atomically and removes the old one; false keeps
// the existing entry and discards the staged one. Either way exactly one
// valid entry remains, which Commit returns.
func (s *Staging) Commit(m Metadata) (CacheEntry, error) {
	return s.commit(m, true)
}

// CommitIfAbsent is [Staging.Commit] that keeps an existing valid entry.
func (s *Staging) CommitIfAbsent(m Metadata) (CacheEntry, error) {
	return s.commit(m, false)
}

func (s *Staging) commit(m Metadata, replace bool) (CacheEntry, error) {
	if s.done {
		return CacheEntry{}, errors.New("commit: staging already finished")
	}
	defer s.Abort()
	if err := s.finishMetadata(&m); err != nil {
		return CacheEntry{}, fmt.Errorf("install kernel %s: %w", s.key, err)
	}
	unlock, err := s.c.lock()
	if err != nil {
		return CacheEntry{}, err
	}
	defer unlock()
	if old, ok := s.c.Lookup(s.key); ok && old.Valid() && !replace {
		return old, nil
	}
	old, err := s.moveIntoPlace()
	if err != nil {
		return CacheEntry{}, fmt.Errorf("install kernel %s: %w", s.key, err)
	}
	s.done = true
	syncDir(s.c.Root)
	if old != "" {
		os.RemoveAll(old)
	}
	e := s.c.load(s.key)
	return e, e.Err
}

func (s *Staging) finishMetadata(m *Metadata) error {
	if m.BuiltAt.IsZero() {
		m.BuiltAt = time.Now().UTC()
	}
	if m.Image == "" || m.Image != filepath.Base(m.Image) {
		return fmt.Errorf("bad image name %q", m.Image)
	}
	sum, size, err := HashFile(filepath.Join(s.dir, m.Image))
	if err != nil {
		return err
	}
	m.ImageSHA256, m.ImageSize = sum, size
	if err := m.Validate(); err != nil {
		return err
	}
	if err := writeMetadata(s.dir, *m); err != nil {
		return err
	}
	syncDir(s.dir)
	return nil
}

// moveIntoPlace renames the staging directory to the entry. An existing
// entry is swapped out in one step (RENAME_EXCHANGE) and its directory,
// now at a hidden name, is returned for removal; filesystems without
// exchange get two renames.
func (s *Staging) moveIntoPlace() (old string, err error) {
	final := filepath.Join(s.c.Root, s.key)
	if _, err := os.Lstat(final); errors.Is(err, os.ErrNotExist) {
		return "", os.Rename(s.dir, final)
	}
	err = unix.Renameat2(unix.AT_FDCWD, s.dir, unix.AT_FDCWD, final, unix.RENAME_EXCHANGE)
	if err == nil {
		return s.dir, nil
	}
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.ENOTDIR) {
		return "", err
	}
	trash := filepath.Join(s.c.Root, fmt.Sprintf(".trash-%s-%d", s.key, os.Getpid()))
	if err := os.Rename(final, trash); err != nil {
		return "", err
	}
	return trash, os.Rename(s.dir, final)
}

// syncDir flushes a directory's entries; renames are durable after it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Remove deletes the entry key: it is renamed to a hidden name under the
// lock, so it vanishes at once, then its files are removed.
func (c *Cache) Remove(key string) error {
	if key == "" || strings.HasPrefix(key, ".") || strings.ContainsRune(key, '/') {
		return fmt.Errorf("remove kernel: bad key %q", key)
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	trash := filepath.Join(c.Root, fmt.Sprintf(".trash-%s-%d", key, os.Getpid()))
	err = os.Rename(filepath.Join(c.Root, key), trash)
	unlock()
	if err != nil {
		return fmt.Errorf("remove kernel %s: %w", key, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove kernel %s: %w", key, err)
	}
	return nil
}

// removeLeftovers deletes hidden staging and trash directories whose
// writer is gone (a process killed mid-install). It returns their names.
func (c *Cache) removeLeftovers() ([]string, error) {
	des, err := os.ReadDir(c.Root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var removed []string
	for _, de := range des {
		pid, ok := leftoverPID(de.Name())
		if !ok || processAlive(pid) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(c.Root, de.Name())); err != nil {
			return removed, err
		}
		removed = append(removed, de.Name())
	}
	return removed, nil
}

// leftoverPID returns the writer's PID encoded in a ".stage-KEY-PID-RAND"
// or ".trash-KEY-PID" name.
func leftoverPID(name string) (int, bool) {
	parts := strings.Split(name, "-")
	switch {
	case strings.HasPrefix(name, ".stage-") && len(parts) >= 4:
		parts = parts[:len(parts)-1]
	case strings.HasPrefix(name, ".trash-") && len(parts) >= 3:
	default:
		return 0, false
	}
	pid, err := strconv.Atoi(parts[len(parts)-1])
	return pid, err == nil && pid > 0
}

func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
