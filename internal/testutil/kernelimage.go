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
