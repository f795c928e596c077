package kernel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrNotImage means a file is not a boot image QEMU's -kernel takes.
var ErrNotImage = errors.New("not a kernel image")

// Offsets in the x86 boot protocol's setup header (Documentation/arch/x86/boot.rst).
const (
	bzSetupSectsOff  = 0x1f1 // u8: setup sectors after the boot sector (0 means 4)
	bzMagicOff       = 0x202 // "HdrS"
	bzProtocolOff    = 0x206 // u16: boot protocol version
	bzVersionPtrOff  = 0x20e // u16: offset of the version string, minus 0x200
	bzHeaderLen      = 0x210
	bzPayloadOffOff  = 0x248 // u32: compressed kernel, from the protected-mode code
	bzPayloadLenOff  = 0x24c // u32: its length
	bzMinPayloadProt = 0x208 // the first protocol with the payload fields
	arm64MagicOff    = 0x38  // "ARM\x64"
)

// CheckImage checks that path holds a boot image of the host's
// architecture, the one check of kernel images in gauntlet: on x86_64 a
// bzImage (the setup header's "HdrS" magic at offset 0x202), on aarch64
// an arm64 Image. An error names the path and wraps [ErrNotImage] or the
// file system's error.
func CheckImage(path string) error {
	a, err := HostArch()
	if err != nil {
		return err
	}
	return checkImage(path, a)
}

func checkImage(path string, a Arch) error {
	head, err := readHead(path, bzHeaderLen)
	if err != nil {
		return err
	}
	if imageKind(head) != a.Image {
		return fmt.Errorf("%s: %w: no %s header (want a boot image such as /boot/vmlinuz-* or %s)",
			path, ErrNotImage, a.Image, a.TreeImage(""))
	}
	return nil
}

// ImageKind names the boot image format of the file at path: "bzImage",
// "Image" (arm64) or "vmlinux" (ELF). Other files give an error wrapping
// [ErrNotImage] that names the file.
func ImageKind(path string) (string, error) {
	head, err := readHead(path, bzHeaderLen)
	if err != nil {
		return "", err
	}
	kind := imageKind(head)
	if kind == "" {
		return "", fmt.Errorf("%s: %w (want a bzImage or vmlinuz, e.g. arch/x86/boot/bzImage)", path, ErrNotImage)
	}
	return kind, nil
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, %w", path, ErrNotImage)
	}
	buf := make([]byte, n)
	got, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:got], nil
}

// imageKind names the image format in head, or "" when it is none.
func imageKind(head []byte) string {
	switch {
	case len(head) >= bzMagicOff+4 && string(head[bzMagicOff:bzMagicOff+4]) == "HdrS":
		return "bzImage"
	case len(head) >= arm64MagicOff+4 && string(head[arm64MagicOff:arm64MagicOff+4]) == "ARM\x64":
		return "Image"
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "vmlinux"
	}
	return ""
}

// ImageVersion reads the kernel release string a bzImage carries in its
// setup header, e.g. "6.12.8" from "6.12.8 (builder@host) #1 SMP ...". It
// returns "" when the image is not a bzImage or carries no version.
func ImageVersion(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, bzHeaderLen)
	if _, err := io.ReadFull(f, head); err != nil || imageKind(head) != "bzImage" {
		return "", nil
	}
	ptr := int64(binary.LittleEndian.Uint16(head[bzVersionPtrOff:]))
	if ptr == 0 {
		return "", nil
	}
	buf := make([]byte, 256)
	n, err := f.ReadAt(buf, ptr+0x200)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read version of %s: %w", path, err)
	}
	s, _, _ := strings.Cut(string(buf[:n]), "\x00")
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return "", nil
	}
	return fields[0], nil
}

// Payload returns the compressed kernel inside the bzImage img, as the
// setup header locates it; nil when img is not a bzImage of boot protocol
// 2.08 or newer or the header points outside img.
func Payload(img []byte) []byte {
	if len(img) < bzPayloadLenOff+4 || imageKind(img) != "bzImage" ||
		binary.LittleEndian.Uint16(img[bzProtocolOff:]) < bzMinPayloadProt {
		return nil
	}
	sects := int(img[bzSetupSectsOff])
	if sects == 0 {
		sects = 4
	}
	start := (sects + 1) * 512
	off := int(binary.LittleEndian.Uint32(img[bzPayloadOffOff:]))
	n := int(binary.LittleEndian.Uint32(img[bzPayloadLenOff:]))
	if n <= 0 || off < 0 || start+off+n > len(img) {
		return nil
	}
	return img[start+off : start+off+n]
}
