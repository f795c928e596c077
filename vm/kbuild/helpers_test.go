package kbuild

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/vm"
)

var x86 = vm.KernelArch{Name: "x86_64", SrcDir: "x86", Image: "bzImage"}

// fakeBzImage returns the bytes of a minimal bzImage: a setup header with
// the "HdrS" magic, boot protocol 2.15, and the version string version
// (none when "").
func fakeBzImage(version string) []byte {
	img := make([]byte, 0x400)
	copy(img[bzMagicOff:], "HdrS")
	binary.LittleEndian.PutUint16(img[bzProtocolOff:], 0x20f)
	if version != "" {
		binary.LittleEndian.PutUint16(img[0x20e:], 0x100) // version string at 0x100+0x200
		copy(img[0x300:], version+" (test@host) #1 SMP\x00")
	}
	return img
}

// writeFile creates path (and its directories) with data.
func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func keys(es []vm.CacheEntry) string {
	var k []string
	for _, e := range es {
		k = append(k, e.Key)
	}
	return strings.Join(k, " ")
}

// hidden lists the cache root's dot-names (staging, trash) but the lock.
func hidden(t *testing.T, c *vm.Cache) []string {
	t.Helper()
	des, err := os.ReadDir(c.Root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") && de.Name() != ".lock" {
			out = append(out, de.Name())
		}
	}
	return out
}
