package kbuild

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

const arMagic = "!<arch>\n"

// debKernel is what a Debian kernel package holds for us.
type debKernel struct {
	image   string // extracted boot/vmlinuz-RELEASE
	config  string // extracted boot/config-RELEASE, "" when absent
	release string // RELEASE
}

// isDeb reports whether the file at path is an ar archive (a .deb).
func isDeb(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(arMagic))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == arMagic
}

// extractDebKernel copies boot/vmlinuz-* and boot/config-* out of the
// Debian package at deb into dir.
func extractDebKernel(ctx context.Context, deb, dir string) (debKernel, error) {
	f, err := os.Open(deb)
	if err != nil {
		return debKernel{}, err
	}
	defer f.Close()
	data, err := arMember(bufio.NewReader(f), "data.tar")
	if err != nil {
		return debKernel{}, fmt.Errorf("%s: %w", deb, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r, wait, err := openDecompressed(ctx, data)
	if err != nil {
		return debKernel{}, fmt.Errorf("%s: %w", deb, err)
	}
	k, err := copyBootFiles(tar.NewReader(r), dir)
	cancel()
	wait()
	if err != nil {
		return debKernel{}, fmt.Errorf("%s: %w", deb, err)
	}
	if k.image == "" {
		return debKernel{}, fmt.Errorf("%s: no boot/vmlinuz-* in the package; want a linux-image-*.deb", deb)
	}
	return k, nil
}

// arMember returns a reader of the first ar member whose name starts
// with prefix ("data.tar" matches data.tar.xz, data.tar.zst, ...).
func arMember(r io.Reader, prefix string) (io.Reader, error) {
	magic := make([]byte, len(arMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != arMagic {
		return nil, errors.New("not an ar archive")
	}
	for {
		var hdr [60]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, fmt.Errorf("no %s* member: %w", prefix, err)
		}
		name := strings.TrimRight(strings.TrimSpace(string(hdr[:16])), "/")
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil || string(hdr[58:60]) != "`\n" {
			return nil, errors.New("corrupt ar header")
		}
		if strings.HasPrefix(name, prefix) {
			return io.LimitReader(r, size), nil
		}
		if _, err := io.CopyN(io.Discard, r, size+size%2); err != nil {
			return nil, fmt.Errorf("corrupt ar member %s: %w", name, err)
		}
	}
}

func copyBootFiles(tr *tar.Reader, dir string) (debKernel, error) {
	var k debKernel
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return k, nil
		}
		if err != nil {
			return k, err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if h.Typeflag != tar.TypeReg || path.Dir(name) != "boot" {
			continue
		}
		base := path.Base(name)
		switch {
		case strings.HasPrefix(base, "vmlinuz-"):
			k.image, k.release = filepath.Join(dir, "vmlinuz"), strings.TrimPrefix(base, "vmlinuz-")
			err = copyTo(k.image, tr)
		case strings.HasPrefix(base, "config-"):
			k.config = filepath.Join(dir, "config")
			err = copyTo(k.config, tr)
		}
		if err != nil {
			return k, err
		}
	}
}

func copyTo(dst string, r io.Reader) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	_, cerr := io.Copy(f, r)
	return errors.Join(cerr, f.Close())
}
