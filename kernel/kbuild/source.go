package kbuild

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gauntlet-sched/gauntlet/kernel"
)

// source is where a build's kernel tree comes from.
type source struct {
	kind    string // kernel.SourceTarball, kernel.SourceFile or kernel.SourceTree
	origin  string // the URL or absolute path
	version string // the release; for kernel.SourceFile known once extracted
	sum     string // id part of the key (see kernel.CacheKey)
	key     string // the entry key when known before building
	tree    string // the tree make runs in
}

func (s *source) finalKey(arch string) string { return kernel.CacheKey(s.version, s.kind, s.sum, arch) }

// resolve decides the source and, where it can without downloading or
// extracting, its version and cache key.
func (b *builder) resolve(ctx context.Context) (*source, error) {
	o := b.opts
	switch {
	case o.Source != "":
		return b.resolveLocal(o.Source)
	case o.Version == "":
		v, err := latestStable(ctx, o.Client, o.ReleasesURL)
		if err != nil {
			return nil, err
		}
		b.logf("latest stable: %s", v)
		o.Version = v
	}
	return &source{
		kind: kernel.SourceTarball, origin: tarballURL(o.Mirror, o.Version), version: o.Version,
		key: kernel.CacheKey(o.Version, kernel.SourceTarball, "", o.Arch.Name),
	}, nil
}

func (b *builder) resolveLocal(path string) (*source, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err == nil && st.IsDir() {
		v, err := TreeVersion(abs, b.opts.Arch)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		s := &source{kind: kernel.SourceTree, origin: abs, version: v, sum: kernel.HashString(abs), tree: abs}
		s.key = s.finalKey(b.opts.Arch.Name)
		return s, nil
	}
	b.logf("hash %s", abs)
	sum, _, err := kernel.HashFile(abs)
	if err != nil {
		return nil, err
	}
	s := &source{kind: kernel.SourceFile, origin: abs, sum: sum}
	s.key = b.findFileEntry(sum)
	return s, nil
}

// findFileEntry returns the key of an entry built from the tarball with
// this SHA-256; its version is not known before extracting.
func (b *builder) findFileEntry(sum string) string {
	suffix := kernel.CacheKey("", kernel.SourceFile, sum, b.opts.Arch.Name)
	entries, _ := b.opts.Cache.List()
	for _, e := range entries {
		if e.Valid() && strings.HasSuffix(e.Key, suffix) {
			return e.Key
		}
	}
	return ""
}

// obtain makes src.tree exist: downloads and extracts as needed.
func (b *builder) obtain(ctx context.Context, src *source) error {
	var tarball string
	switch src.kind {
	case kernel.SourceTree:
		return nil
	case kernel.SourceFile:
		tarball = src.origin
	case kernel.SourceTarball:
		tarball = filepath.Join(b.work, "linux-"+src.version+".tar.xz")
		if err := b.fetch(ctx, src, tarball); err != nil {
			return err
		}
	}
	src.tree = filepath.Join(b.work, "src")
	b.logf("extract %s", tarball)
	if err := extractTarball(ctx, tarball, src.tree); err != nil {
		return err
	}
	v, err := TreeVersion(src.tree, b.opts.Arch)
	if err != nil {
		return fmt.Errorf("%s: %w", tarball, err)
	}
	if src.version == "" {
		src.version = v
	}
	return nil
}

// fetch downloads the release tarball and checks it against the mirror's
// sha256sums.asc when the mirror has one.
func (b *builder) fetch(ctx context.Context, src *source, dst string) error {
	b.logf("download %s", src.origin)
	got, err := download(ctx, b.opts.Client, src.origin, dst)
	if errors.Is(err, errNotOffered) {
		return fmt.Errorf("%w (is %s a released version?)", err, src.version)
	}
	if err != nil {
		return err
	}
	sumsURL := checksumURL(b.opts.Mirror, src.version)
	want, err := mirrorChecksum(ctx, b.opts.Client, sumsURL, filepath.Base(src.origin))
	switch {
	case err != nil:
		return err
	case want == "":
		b.logf("checksum: the mirror offers none at %s; not verified", sumsURL)
	case want != got:
		return fmt.Errorf("download %s: sha256 %s, but %s lists %s; the download is corrupt, retry or use another mirror", src.origin, got, sumsURL, want)
	default:
		b.logf("checksum: sha256 %s matches %s", got, sumsURL)
	}
	return nil
}

// tarballURL is where mirror keeps linux-VERSION.tar.xz.
func tarballURL(mirror, version string) string {
	return fmt.Sprintf("%s/v%s.x/linux-%s.tar.xz", strings.TrimRight(mirror, "/"), majorOf(version), version)
}

func checksumURL(mirror, version string) string {
	return fmt.Sprintf("%s/v%s.x/sha256sums.asc", strings.TrimRight(mirror, "/"), majorOf(version))
}

func majorOf(version string) string {
	major, _, _ := strings.Cut(version, ".")
	return major
}

// latestStable reads kernel.org's releases.json.
func latestStable(ctx context.Context, c httpDoer, url string) (string, error) {
	body, err := fetchSmall(ctx, c, url)
	if err != nil {
		return "", fmt.Errorf("find the latest stable kernel: %w (or name a version: gauntlet kernel build 6.12.8)", err)
	}
	var rel struct {
		LatestStable struct {
			Version string `json:"version"`
		} `json:"latest_stable"`
	}
	if err := json.Unmarshal(body, &rel); err != nil {
		return "", fmt.Errorf("read %s: %w", url, err)
	}
	if err := kernel.CheckVersion(rel.LatestStable.Version); err != nil {
		return "", fmt.Errorf("read %s: latest_stable: %w", url, err)
	}
	return rel.LatestStable.Version, nil
}

// TreeVersion checks that dir is a kernel source tree for arch and
// returns its release from the top Makefile, e.g. "6.12.8" or "6.15.0-rc2".
func TreeVersion(dir string, arch kernel.Arch) (string, error) {
	vars, err := makefileVersion(filepath.Join(dir, "Makefile"))
	switch {
	case err != nil || vars["VERSION"] == "":
		return "", fmt.Errorf("not a kernel source tree (no Makefile with a VERSION line at its top); want a kernel tree or a linux-*.tar.xz")
	case !exists(filepath.Join(dir, "Kconfig")):
		return "", fmt.Errorf("not a kernel source tree (no Kconfig at its top); want a kernel tree or a linux-*.tar.xz")
	case !exists(filepath.Join(dir, "arch", arch.SrcDir)):
		return "", fmt.Errorf("not a kernel source tree for %s (no arch/%s)", arch.Name, arch.SrcDir)
	}
	v := vars["VERSION"] + "." + vars["PATCHLEVEL"] + "." + vars["SUBLEVEL"] + vars["EXTRAVERSION"]
	if kernel.CheckRelease(v) != nil {
		return "", fmt.Errorf("odd kernel version %q in its Makefile", v)
	}
	return v, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// makefileVersion reads VERSION, PATCHLEVEL, SUBLEVEL and EXTRAVERSION.
func makefileVersion(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 0; sc.Scan() && n < 50; n++ {
		k, v, ok := strings.Cut(sc.Text(), "=")
		k = strings.TrimSpace(k)
		switch k {
		case "VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION":
			if ok {
				vars[k] = strings.TrimSpace(v)
			}
		}
	}
	return vars, sc.Err()
}
