package vm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// File is a host file or directory placed in the guest's initramfs.
type File struct {
	// Host is the file's path on the host. A directory is copied with
	// everything below it; symbolic links inside are kept as links.
	Host string
	// Guest is the absolute path in the guest.
	Guest string
}

// initramfsVersion changes whenever the archive layout changes, so stale
// cache entries are never reused.
const initramfsVersion = "gauntlet-initramfs-1"

// initramfsMaxAge is how long an unused cached archive is kept.
const initramfsMaxAge = 24 * time.Hour

// baseDirs exist in every archive: mount points of the init, and /dev
// with a console node so PID 1 gets stdin, stdout and stderr.
var baseDirs = []string{"dev", "proc", "sys", "tmp", "run", "root"}

// archiveEntry is one item of an archive: a directory, a file copied from the
// host, a symlink or the console device.
type archiveEntry struct {
	guest  string // without leading slash
	host   string // "" for directories and devices
	info   fs.FileInfo
	link   string
	device bool
}

// archiveEntries lists the archive's entries for init and files, parents
// before children, sorted by guest path.
func archiveEntries(init string, files []File) ([]archiveEntry, error) {
	byPath := map[string]archiveEntry{}
	add := func(e archiveEntry) { byPath[e.guest] = e }
	for _, d := range baseDirs {
		add(archiveEntry{guest: d})
	}
	add(archiveEntry{guest: "dev/console", device: true})
	initInfo, err := os.Stat(init)
	if err != nil {
		return nil, fmt.Errorf("init binary: %w", err)
	}
	add(archiveEntry{guest: "init", host: init, info: initInfo})
	for _, f := range files {
		if err := addArchiveFile(add, f); err != nil {
			return nil, err
		}
	}
	return withParents(byPath), nil
}

// addArchiveFile adds f, walking it when it is a directory.
func addArchiveFile(add func(archiveEntry), f File) error {
	if !path.IsAbs(f.Guest) || path.Clean(f.Guest) == "/" {
		return fmt.Errorf("extra file %s: guest path %q must be absolute and not /", f.Host, f.Guest)
	}
	root := strings.TrimPrefix(path.Clean(f.Guest), "/")
	return filepath.WalkDir(f.Host, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("extra file: %w", err)
		}
		rel, _ := filepath.Rel(f.Host, p)
		g := path.Join(root, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("extra file: %w", err)
		}
		e := archiveEntry{guest: g, info: info}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			if e.link, err = os.Readlink(p); err != nil {
				return fmt.Errorf("extra file: %w", err)
			}
		case info.Mode().IsRegular():
			e.host = p
		case !info.IsDir():
			return fmt.Errorf("extra file %s: not a regular file, directory or symlink", p)
		}
		add(e)
		return nil
	})
}

// withParents adds missing parent directories and sorts entries so that
// every directory precedes its contents.
func withParents(byPath map[string]archiveEntry) []archiveEntry {
	for g := range byPath {
		for dir := path.Dir(g); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if _, ok := byPath[dir]; !ok {
				byPath[dir] = archiveEntry{guest: dir}
			}
		}
	}
	out := make([]archiveEntry, 0, len(byPath))
	for _, e := range byPath {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].guest < out[j].guest })
	return out
}

// archiveKey identifies an archive by what goes in it: guest paths, host
// paths, sizes, modes and modification times.
func archiveKey(entries []archiveEntry) string {
	h := sha256.New()
	io.WriteString(h, initramfsVersion)
	for _, e := range entries {
		fmt.Fprintf(h, "\x00%s\x00%s\x00%s\x00%t", e.guest, e.host, e.link, e.device)
		if e.info != nil {
			fmt.Fprintf(h, "\x00%d\x00%o\x00%d", e.info.Size(), e.info.Mode(), e.info.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// writeArchive writes entries as a newc archive to w.
func writeArchive(ctx context.Context, w io.Writer, entries []archiveEntry) error {
	cw := newCPIOWriter(w)
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeArchiveEntry(cw, e); err != nil {
			return err
		}
	}
	return cw.Close()
}

func writeArchiveEntry(cw *cpioWriter, e archiveEntry) error {
	h := cpioHeader{Name: e.guest}
	if e.info != nil {
		h.Mtime = e.info.ModTime().Unix()
		h.Mode = uint32(e.info.Mode().Perm())
	}
	switch {
	case e.device:
		h.Mode, h.DevMajor, h.DevMinor = cpioCharDev|0o600, 5, 1
	case e.link != "":
		h.Mode, h.Size = cpioSymlink|0o777, int64(len(e.link))
	case e.host != "":
		h.Mode |= cpioRegular
		h.Size = e.info.Size()
	default:
		h.Mode = cpioDir | 0o755
	}
	if err := cw.WriteHeader(h); err != nil {
		return err
	}
	switch {
	case e.link != "":
		_, err := io.WriteString(cw, e.link)
		return err
	case e.host != "":
		return copyArchiveFile(cw, e.host, h.Size)
	}
	return nil
}

func copyArchiveFile(w io.Writer, p string, size int64) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	defer f.Close()
	n, err := io.Copy(w, io.LimitReader(f, size))
	if err == nil && n != size {
		err = fmt.Errorf("%s changed size while being archived", p)
	}
	if err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	return nil
}

// WriteInitramfs writes a newc cpio archive to w holding init as /init,
// the directories and /dev/console node an init needs, and files. The
// kernel takes it as an initramfs (QEMU's -initrd). [Config.Start] does
// this itself (with caching); WriteInitramfs serves other boots, such as
// an interactive shell VM.
func WriteInitramfs(ctx context.Context, w io.Writer, init string, files []File) error {
	entries, err := archiveEntries(init, files)
	if err != nil {
		return fmt.Errorf("write initramfs: %w", err)
	}
	if err := writeArchive(ctx, w, entries); err != nil {
		return fmt.Errorf("write initramfs: %w", err)
	}
	return nil
}

// archiveLocks serialises building one archive within a process.
var archiveLocks sync.Map // key -> *sync.Mutex

// cachedArchive returns the path of a newc archive holding init as /init
// and files, building it in cacheDir unless an archive with the same
// content key is already there. Unused archives older than a day are
// removed.
func cachedArchive(ctx context.Context, cacheDir, init string, files []File) (string, error) {
	entries, err := archiveEntries(init, files)
	if err != nil {
		return "", err
	}
	key := archiveKey(entries)
	dst := filepath.Join(cacheDir, key+".cpio")
	mu, _ := archiveLocks.LoadOrStore(key, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	now := time.Now()
	if err := os.Chtimes(dst, now, now); err == nil {
		return dst, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("initramfs cache: %w", err)
	}
	pruneArchives(cacheDir, now)
	if err := writeArchiveFile(ctx, dst, entries); err != nil {
		return "", err
	}
	return dst, nil
}

// writeArchiveFile writes the archive to a temporary file beside dst and
// renames it into place, so readers never see a partial archive.
func writeArchiveFile(ctx context.Context, dst string, entries []archiveEntry) error {
	err := writeAtomic(dst, ".tmp-*.cpio", func(w io.Writer) error { return writeArchive(ctx, w, entries) })
	if err != nil {
		return fmt.Errorf("write initramfs: %w", err)
	}
	return nil
}

// pruneArchives removes archives (and abandoned temporary files) not used
// for initramfsMaxAge.
func pruneArchives(dir string, now time.Time) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".cpio") {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > initramfsMaxAge {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
