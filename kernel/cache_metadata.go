package kernel

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// MetadataFile is the name of the description every cache entry holds.
const MetadataFile = "metadata.json"

// Sources a cache entry can come from; each has its own key form (see
// [CacheKey]).
const (
	SourceTarball = "tarball" // linux-VERSION.tar.xz downloaded from a mirror
	SourceFile    = "file"    // a local source tarball (--source FILE)
	SourceTree    = "tree"    // a local kernel tree (--source DIR)
	SourceImport  = "import"  // a prebuilt image (gauntlet kernel import)
)

// Metadata describes one cache entry; it is stored as metadata.json.
type Metadata struct {
	// Version is the kernel release, e.g. "6.12.8".
	Version string `json:"version"`
	// Source is one of SourceTarball, SourceFile, SourceTree, SourceImport.
	Source string `json:"source"`
	// Origin is the URL or host path the kernel came from.
	Origin string `json:"origin,omitempty"`
	// Arch is the architecture in uname -m spelling, e.g. "x86_64".
	Arch string `json:"arch"`
	// Image is the boot image's file name inside the entry.
	Image string `json:"image"`
	// ImageSize and ImageSHA256 detect a truncated or replaced image.
	ImageSize   int64  `json:"image_size"`
	ImageSHA256 string `json:"image_sha256"`
	// ConfigHash is the SHA-256 of the kernel's final .config; empty when
	// the config is unknown (an import without one).
	ConfigHash string `json:"config_hash,omitempty"`
	// FragmentHash is the SHA-256 of the config fragment the kernel was
	// built with; empty for imports.
	FragmentHash string `json:"fragment_hash,omitempty"`
	// BuiltAt is when the entry was built or imported.
	BuiltAt time.Time `json:"built_at"`
	// SchedExt says whether CONFIG_SCHED_CLASS_EXT=y; nil when unknown.
	SchedExt *bool `json:"sched_ext"`
}

// Validate checks that m could describe a usable entry.
func (m Metadata) Validate() error {
	switch {
	case !releaseRE.MatchString(m.Version):
		return fmt.Errorf("bad version %q", m.Version)
	case m.Source != SourceTarball && m.Source != SourceFile && m.Source != SourceTree && m.Source != SourceImport:
		return fmt.Errorf("bad source %q", m.Source)
	case m.Arch != "x86_64" && m.Arch != "aarch64":
		return fmt.Errorf("bad arch %q", m.Arch)
	case m.Image == "" || m.Image != filepath.Base(m.Image) || m.Image == MetadataFile || m.Image[0] == '.':
		return fmt.Errorf("bad image name %q", m.Image)
	case m.ImageSize <= 0:
		return fmt.Errorf("bad image size %d", m.ImageSize)
	case m.BuiltAt.IsZero():
		return errors.New("no built_at time")
	}
	return nil
}

func readMetadata(dir string) (Metadata, error) {
	var m Metadata
	b, err := os.ReadFile(filepath.Join(dir, MetadataFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return m, fmt.Errorf("no %s", MetadataFile)
		}
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", MetadataFile, err)
	}
	if err := m.Validate(); err != nil {
		return m, fmt.Errorf("%s: %w", MetadataFile, err)
	}
	return m, nil
}

func writeMetadata(dir string, m Metadata) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileSync(filepath.Join(dir, MetadataFile), append(b, '\n'), 0o644)
}

// writeFileSync writes data to a new file and flushes it to disk, so a
// crash right after a rename cannot leave an empty file behind.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	return errors.Join(werr, serr, cerr)
}

// HashFile returns the hex SHA-256 and size of the file at path.
func HashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// HashString returns the hex SHA-256 of s; the cache records fragments and
// configs by it.
func HashString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
