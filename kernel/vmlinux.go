package kernel

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/klauspost/compress/zstd"
)

// ErrCompression means a bzImage's payload uses a compression
// [DecompressPayload] cannot read.
var ErrCompression = errors.New("unsupported kernel payload compression")

// Compression magic numbers at the start of a bzImage payload, as
// arch/x86/boot/compressed/Makefile's compressors write them.
var payloadMagics = []struct {
	name  string
	magic []byte
}{
	{"gzip", []byte{0x1f, 0x8b}},
	{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}},
	{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}},
	{"bzip2", []byte("BZh")},
	{"lzma", []byte{0x5d, 0x00, 0x00}},
	{"lz4", []byte{0x02, 0x21, 0x4c, 0x18}}, // lz4's legacy frame (lz4 -l)
	{"lzo", []byte{0x89, 'L', 'Z', 'O'}},
}

// PayloadCompression names the compression of a bzImage payload (see
// [Payload]): gzip, zstd, xz, bzip2, lzma, lz4 or lzo; "" when it is
// none of them.
func PayloadCompression(payload []byte) string {
	for _, m := range payloadMagics {
		if bytes.HasPrefix(payload, m.magic) {
			return m.name
		}
	}
	return ""
}

// sizeTrailer is the length of the uncompressed size the kernel's build
// appends to every compressed payload (scripts/Makefile.lib size_append).
const sizeTrailer = 4

// DecompressPayload writes the vmlinux ELF that a bzImage's compressed
// payload holds to w. It reads gzip, bzip2 and zstd (the x86 defaults
// and Debian's choice); any other compression gives an error wrapping
// [ErrCompression] that names it.
func DecompressPayload(payload []byte, w io.Writer) error {
	var r io.Reader
	switch c := PayloadCompression(payload); c {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(payload))
		if err != nil {
			return fmt.Errorf("decompress kernel payload: %w", err)
		}
		zr.Multistream(false) // the size trailer follows the stream
		r = zr
	case "bzip2":
		r = bzip2.NewReader(bytes.NewReader(payload))
	case "zstd":
		if len(payload) <= sizeTrailer {
			return fmt.Errorf("decompress kernel payload: zstd payload of %d bytes is too short", len(payload))
		}
		zr, err := zstd.NewReader(bytes.NewReader(payload[:len(payload)-sizeTrailer]), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return fmt.Errorf("decompress kernel payload: %w", err)
		}
		defer zr.Close()
		r = zr
	case "":
		return fmt.Errorf("%w: unknown (payload starts % x)", ErrCompression, payload[:min(len(payload), 6)])
	default:
		return fmt.Errorf("%w: %s", ErrCompression, c)
	}
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("decompress kernel payload: %w", err)
	}
	return nil
}

// Xen ELF note of the PVH entry point (xen/include/public/elfnote.h),
// which QEMU's -kernel looks for in an ELF vmlinux to boot it directly.
const (
	xenNoteName        = "Xen"
	xenElfnotePhys32   = 18 // XEN_ELFNOTE_PHYS32_ENTRY
	elfNoteHeaderBytes = 12
)

// PVHEntry returns the physical address of the PVH entry point that the
// ELF vmlinux r declares in a PT_NOTE segment's Xen note of type 18
// (XEN_ELFNOTE_PHYS32_ENTRY, there with CONFIG_PVH=y). ok is false when
// it has none; an error means r is not an ELF file that can be read.
func PVHEntry(r io.ReaderAt) (entry uint64, ok bool, err error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return 0, false, fmt.Errorf("read vmlinux: %w", err)
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE || p.Filesz > 1<<20 {
			continue
		}
		notes, err := io.ReadAll(p.Open())
		if err != nil {
			return 0, false, fmt.Errorf("read vmlinux notes: %w", err)
		}
		if entry, ok := pvhNote(notes, f.ByteOrder); ok {
			return entry, true, nil
		}
	}
	return 0, false, nil
}

// pvhNote finds the PVH entry note in the contents of a PT_NOTE segment:
// a sequence of (namesz, descsz, type, name, desc), name and desc padded
// to 4 bytes. The entry is a 4- or 8-byte address.
func pvhNote(notes []byte, order binary.ByteOrder) (uint64, bool) {
	pad := func(n uint32) int { return int((uint64(n) + 3) &^ 3) }
	for len(notes) >= elfNoteHeaderBytes {
		namesz, descsz, typ := order.Uint32(notes), order.Uint32(notes[4:]), order.Uint32(notes[8:])
		rest := notes[elfNoteHeaderBytes:]
		nlen, dlen := pad(namesz), pad(descsz)
		if nlen > len(rest) || dlen > len(rest)-nlen {
			return 0, false
		}
		name := string(bytes.TrimRight(rest[:namesz], "\x00"))
		desc := rest[nlen : nlen+int(descsz)]
		if name == xenNoteName && typ == xenElfnotePhys32 {
			switch len(desc) {
			case 4:
				return uint64(order.Uint32(desc)), true
			case 8:
				return order.Uint64(desc), true
			}
		}
		notes = rest[nlen+dlen:]
	}
	return 0, false
}

// ikconfigStart marks the gzipped .config a kernel built with
// CONFIG_IKCONFIG carries (kernel/configs.c); scripts/extract-ikconfig
// looks for the same.
var ikconfigStart = []byte("IKCFG_ST")

// FindIKConfig scans the decompressed kernel r for the IKCONFIG marker
// and returns the .config gunzipped from the bytes after it; io.EOF when
// there is no marker.
func FindIKConfig(r io.Reader) ([]byte, error) {
	const chunk = 1 << 20
	buf := make([]byte, 0, chunk+len(ikconfigStart))
	for {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if i := bytes.Index(buf, ikconfigStart); i >= 0 {
			rest := io.MultiReader(bytes.NewReader(buf[i+len(ikconfigStart):]), r)
			return gunzipOne(rest)
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF
			}
			return nil, err
		}
		keep := len(ikconfigStart) - 1
		copy(buf, buf[len(buf)-keep:])
		buf = buf[:keep]
	}
}

func gunzipOne(r io.Reader) ([]byte, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	return io.ReadAll(io.LimitReader(zr, 4<<20))
}

// ConfigHZ returns CONFIG_HZ from the .config in data, 0 when it does not
// set a positive one.
func ConfigHZ(data []byte) int {
	hz, err := strconv.Atoi(ParseConfig(data)["HZ"])
	if err != nil || hz <= 0 {
		return 0
	}
	return hz
}
