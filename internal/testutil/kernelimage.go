package testutil

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// FakeBzImage returns the bytes of a minimal bzImage for tests of kernel
// discovery and caching: a setup header with the "HdrS" magic, boot
// protocol 2.15, and the version string version (none when "").
func FakeBzImage(version string) []byte {
	img := make([]byte, 0x400)
	copy(img[0x202:], "HdrS")
	binary.LittleEndian.PutUint16(img[0x206:], 0x20f)
	if version != "" {
		binary.LittleEndian.PutUint16(img[0x20e:], 0x100) // version string at 0x100+0x200
		copy(img[0x300:], version+" (test@host) #1 SMP\x00")
	}
	return img
}

// FakeBzImageWithPayload returns [FakeBzImage] (version 6.12.8) with
// payload as its compressed kernel, at the place the setup header says:
// one setup sector, then 0x10 bytes, then payload.
func FakeBzImageWithPayload(payload []byte) []byte {
	img := FakeBzImage("6.12.8")
	img[0x1f1] = 1 // protected-mode code at (1+1)*512
	binary.LittleEndian.PutUint32(img[0x248:], 0x10)
	binary.LittleEndian.PutUint32(img[0x24c:], uint32(len(payload)))
	img = append(img, make([]byte, 0x10)...)
	return append(img, payload...)
}

// ELFNote encodes one little-endian ELF note, name and desc padded to 4
// bytes, as a PT_NOTE segment holds them.
func ELFNote(name string, typ uint32, desc []byte) []byte {
	pad := func(b []byte) []byte { return append(b, make([]byte, (4-len(b)%4)%4)...) }
	nm := []byte(name + "\x00")
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(nm)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(desc)))
	b = binary.LittleEndian.AppendUint32(b, typ)
	b = append(b, pad(nm)...)
	return append(b, pad(append([]byte(nil), desc...))...)
}

// PVHNote is the ELF note of a vmlinux built with CONFIG_PVH: Xen's
// XEN_ELFNOTE_PHYS32_ENTRY (18), an 8-byte entry address.
func PVHNote(entry uint64) []byte {
	return ELFNote("Xen", 18, binary.LittleEndian.AppendUint64(nil, entry))
}

// FakeVmlinux returns a minimal little-endian ELF64 x86-64 executable
// whose only program header is a PT_NOTE segment holding notes (see
// [ELFNote], [PVHNote]), followed by pad zero bytes.
func FakeVmlinux(notes []byte, pad int) []byte {
	const ehsize, phsize = 64, 56
	le := binary.LittleEndian
	b := make([]byte, ehsize+phsize)
	copy(b, "\x7fELF\x02\x01\x01")
	le.PutUint16(b[16:], 2)  // ET_EXEC
	le.PutUint16(b[18:], 62) // EM_X86_64
	le.PutUint32(b[20:], 1)  // EV_CURRENT
	le.PutUint64(b[32:], ehsize)
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[54:], phsize)
	le.PutUint16(b[56:], 1)
	ph := b[ehsize:]
	le.PutUint32(ph[0:], 4) // PT_NOTE
	le.PutUint64(ph[8:], uint64(len(b)))
	le.PutUint64(ph[32:], uint64(len(notes)))
	le.PutUint64(ph[40:], uint64(len(notes)))
	le.PutUint64(ph[48:], 4)
	b = append(b, notes...)
	return append(b, make([]byte, pad)...)
}

// WriteFile creates path (and its directories) with data and returns
// path; any error fails t.
func WriteFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
