package vm

import (
	"fmt"
	"io"
	"strings"
)

// cpio "newc" format (the only one the kernel's initramfs unpacker reads):
// each entry is a 110-byte ASCII header, the NUL-terminated name padded to
// 4 bytes, then the data padded to 4 bytes; an entry named TRAILER!!! ends
// the archive. The kernel accepts several archives back to back.

// Mode bits of cpio entries (the st_mode file type bits).
const (
	cpioDir     = 0o040000
	cpioRegular = 0o100000
	cpioCharDev = 0o020000
	cpioSymlink = 0o120000
)

const cpioTrailer = "TRAILER!!!"

// cpioHeader is one entry's metadata.
type cpioHeader struct {
	Name     string // leading slash optional
	Mode     uint32 // file type and permission bits
	Size     int64  // data length, under 4 GiB
	Mtime    int64
	DevMajor uint32 // for device nodes
	DevMinor uint32
	NLink    uint32 // zero: 2 for directories, else 1
}

// cpioWriter writes a newc archive; it tracks the offset for padding.
type cpioWriter struct {
	w    io.Writer
	off  int64
	ino  uint32
	left int64 // data bytes the current entry still expects
}

func newCPIOWriter(w io.Writer) *cpioWriter { return &cpioWriter{w: w, ino: 1} }

// WriteHeader starts an entry; for regular files and symlinks the caller
// then writes exactly h.Size bytes of data with Write.
func (c *cpioWriter) WriteHeader(h cpioHeader) error {
	if c.left != 0 {
		return fmt.Errorf("cpio: previous entry is %d bytes short", c.left)
	}
	if err := c.pad(); err != nil {
		return err
	}
	name := strings.TrimPrefix(h.Name, "/")
	if name == "" || len(name) > 4095 {
		return fmt.Errorf("cpio: bad entry name %q", h.Name)
	}
	if h.Size < 0 || h.Size > 1<<32-1 {
		return fmt.Errorf("cpio: %s: size %d does not fit the newc format", name, h.Size)
	}
	if h.NLink == 0 {
		h.NLink = 1
		if h.Mode&0o170000 == cpioDir {
			h.NLink = 2
		}
	}
	c.ino++
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, h.Mode, 0, 0, h.NLink, uint32(h.Mtime), uint32(h.Size),
		0, 0, h.DevMajor, h.DevMinor, len(name)+1, 0)
	if err := c.write([]byte(hdr + name + "\x00")); err != nil {
		return err
	}
	if err := c.pad(); err != nil {
		return err
	}
	c.left = h.Size
	return nil
}

// Write writes entry data.
func (c *cpioWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		return 0, fmt.Errorf("cpio: %d bytes of data beyond the entry's size", int64(len(p))-c.left)
	}
	n, err := c.w.Write(p)
	c.off += int64(n)
	c.left -= int64(n)
	return n, err
}

// Close writes the trailer and pads the archive to 512 bytes. It does not
// close the underlying writer.
func (c *cpioWriter) Close() error {
	if err := c.WriteHeader(cpioHeader{Name: cpioTrailer}); err != nil {
		return err
	}
	if rem := c.off % 512; rem != 0 {
		return c.write(make([]byte, 512-rem))
	}
	return nil
}

func (c *cpioWriter) pad() error {
	if rem := c.off % 4; rem != 0 {
		return c.write(make([]byte, 4-rem))
	}
	return nil
}

func (c *cpioWriter) write(p []byte) error {
	n, err := c.w.Write(p)
	c.off += int64(n)
	if err != nil {
		return fmt.Errorf("cpio: %w", err)
	}
	return nil
}
