package kbuild

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// compression magic numbers at the start of a file.
var (
	magicXZ    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicGzip  = []byte{0x1f, 0x8b}
	magicBzip2 = []byte("BZh")
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// openDecompressed returns the decompressed stream of f, sniffing the format:
// xz and zstd through the xz and zstd commands (stopped with ctx), gzip
// and bzip2 in Go, plain tar as is. wait reports the command's failure.
func openDecompressed(ctx context.Context, f io.Reader) (r io.Reader, wait func() error, err error) {
	br := bufio.NewReaderSize(f, 1<<16)
	head, _ := br.Peek(6)
	noWait := func() error { return nil }
	switch {
	case bytes.HasPrefix(head, magicXZ):
		return decompressCmd(ctx, br, "xz", "xz-utils")
	case bytes.HasPrefix(head, magicZstd):
		return decompressCmd(ctx, br, "zstd", "zstd")
	case bytes.HasPrefix(head, magicGzip):
		zr, err := gzip.NewReader(br)
		return zr, noWait, err
	case bytes.HasPrefix(head, magicBzip2):
		return bzip2.NewReader(br), noWait, nil
	}
	return br, noWait, nil
}

func decompressCmd(ctx context.Context, in io.Reader, tool, pkg string) (io.Reader, func() error, error) {
	if _, err := exec.LookPath(tool); err != nil {
		return nil, nil, fmt.Errorf("%s is needed to unpack this archive: apt-get install -y %s", tool, pkg)
	}
	cmd := exec.CommandContext(ctx, tool, "-dc")
	cmd.Stdin = in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	wait := func() error {
		io.Copy(io.Discard, out)
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("%s: %w: %s", tool, err, strings.TrimSpace(stderr.String()))
		}
		return nil
	}
	return out, wait, nil
}

// extractTarball unpacks the archive at src into dst (created), dropping
// the single top directory kernel tarballs have (linux-6.12.8/). Writes go
// through an os.Root, so no entry can land outside dst.
func extractTarball(ctx context.Context, src, dst string) (err error) {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	r, wait, err := openDecompressed(dctx, f)
	if err != nil {
		return fmt.Errorf("extract %s: %w (want a complete .tar.xz, .tar.gz or .tar)", src, err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return err
	}
	defer root.Close()
	xerr := extractInto(ctx, tar.NewReader(r), root)
	if xerr != nil {
		stop() // the rest of the stream is not needed
	}
	werr := wait()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("extract %s: %w", src, ctx.Err())
	case xerr == nil && werr != nil:
		xerr = werr
	}
	if xerr != nil {
		return fmt.Errorf("extract %s: %w (want a complete .tar.xz, .tar.gz or .tar)", src, xerr)
	}
	return nil
}

func extractInto(ctx context.Context, tr *tar.Reader, root *os.Root) error {
	x := extractor{root: root, dirs: map[string]bool{".": true}}
	var strip stripper
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			if n == 0 {
				return errors.New("empty archive")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		name, ok, err := strip.name(h)
		if err == nil && ok && h.Typeflag == tar.TypeLink {
			h.Linkname, _, err = strip.name(&tar.Header{Name: h.Linkname, Typeflag: tar.TypeReg})
		}
		if err != nil {
			return err
		}
		if ok {
			if err := x.entry(tr, h, name); err != nil {
				return fmt.Errorf("%s: %w", h.Name, err)
			}
		}
	}
}

// stripper removes the archive's top directory from entry names.
type stripper struct {
	decided bool
	top     string // "" when entries are not under one directory
}

// name returns h's path inside the tree; ok is false for entries to skip
// (global headers, the top directory itself).
func (s *stripper) name(h *tar.Header) (string, bool, error) {
	if h.Typeflag == tar.TypeXGlobalHeader {
		return "", false, nil
	}
	raw := h.Name
	name := path.Clean(strings.TrimPrefix(raw, "./"))
	if name == "." {
		return "", false, nil
	}
	if !s.decided {
		s.decided = true
		first, _, nested := strings.Cut(name, "/")
		if !strings.HasPrefix(raw, "./") && (nested || h.Typeflag == tar.TypeDir) {
			s.top = first
		}
	}
	if s.top != "" {
		rest, ok := strings.CutPrefix(name, s.top+"/")
		if name == s.top {
			return "", false, nil
		}
		if !ok {
			return "", false, fmt.Errorf("entry %q is outside the archive's top directory %s/", raw, s.top)
		}
		name = rest
	}
	if !filepath.IsLocal(name) {
		return "", false, fmt.Errorf("entry %q points outside the tree", raw)
	}
	return name, true, nil
}

// extractor writes entries under root, remembering the directories it
// made so each is created once.
type extractor struct {
	root *os.Root
	dirs map[string]bool
}

func (x *extractor) mkdir(dir string) error {
	if x.dirs[dir] {
		return nil
	}
	if err := x.root.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	x.dirs[dir] = true
	return nil
}

func (x *extractor) entry(tr *tar.Reader, h *tar.Header, name string) error {
	if err := x.mkdir(path.Dir(name)); err != nil {
		return err
	}
	switch h.Typeflag {
	case tar.TypeDir:
		return x.mkdir(name)
	case tar.TypeReg:
		f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, os.FileMode(h.Mode)&0o755|0o644)
		if err != nil {
			return err
		}
		_, cerr := io.Copy(f, tr)
		return errors.Join(cerr, f.Close())
	case tar.TypeSymlink:
		x.root.Remove(name)
		return x.root.Symlink(h.Linkname, name)
	case tar.TypeLink:
		return x.root.Link(h.Linkname, name)
	}
	return nil // devices, fifos: not part of a source tree
}
