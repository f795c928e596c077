package kernel

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestPayloadCompression(t *testing.T) {
	for _, tt := range []struct {
		head []byte
		want string
	}{
		{[]byte{0x1f, 0x8b, 8, 0}, "gzip"},
		{[]byte{0x28, 0xb5, 0x2f, 0xfd, 0x64}, "zstd"},
		{[]byte{0xfd, '7', 'z', 'X', 'Z', 0, 0}, "xz"},
		{[]byte("BZh91AY"), "bzip2"},
		{[]byte{0x5d, 0, 0, 0x80}, "lzma"},
		{[]byte{0x02, 0x21, 0x4c, 0x18, 0}, "lz4"},
		{[]byte("\x89LZO\x00"), "lzo"},
		{[]byte("\x7fELF"), ""},
		{[]byte{0x28, 0xb5}, ""}, // a truncated zstd magic
		{nil, ""},
	} {
		if got := PayloadCompression(tt.head); got != tt.want {
			t.Errorf("PayloadCompression(% x) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

// withSizeTrailer appends the uncompressed size the kernel's build
// appends after the compressed stream.
func withSizeTrailer(compressed []byte, size int) []byte {
	return binary.LittleEndian.AppendUint32(compressed, uint32(size))
}

func TestDecompressPayload(t *testing.T) {
	vmlinux := bytes.Repeat([]byte("\x7fELF vmlinux text "), 5000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(vmlinux)
	zw.Close()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	zs := enc.EncodeAll(vmlinux, nil)
	enc.Close()
	for name, payload := range map[string][]byte{
		"gzip": withSizeTrailer(gz.Bytes(), len(vmlinux)),
		"zstd": withSizeTrailer(zs, len(vmlinux)),
	} {
		var out bytes.Buffer
		if err := DecompressPayload(payload, &out); err != nil || !bytes.Equal(out.Bytes(), vmlinux) {
			t.Errorf("%s: DecompressPayload = %d bytes, %v; want the %d bytes compressed", name, out.Len(), err, len(vmlinux))
		}
	}
	for name, tt := range map[string]struct {
		payload []byte
		want    string
	}{
		"xz":        {[]byte{0xfd, '7', 'z', 'X', 'Z', 0, 1, 2}, "compression: xz"},
		"lz4":       {[]byte{0x02, 0x21, 0x4c, 0x18, 1, 2}, "compression: lz4"},
		"unknown":   {[]byte("plain bytes"), "compression: unknown (payload starts 70 6c 61 69 6e 20)"},
		"empty":     {nil, "compression: unknown"},
		"truncated": {withSizeTrailer(zs[:len(zs)/2], len(vmlinux)), "decompress kernel payload"},
	} {
		err := DecompressPayload(tt.payload, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) || (name != "truncated") != errors.Is(err, ErrCompression) {
			t.Errorf("%s: DecompressPayload error %v, want one containing %q (wrapping ErrCompression unless truncated)", name, err, tt.want)
		}
	}
}

var note = testutil.ELFNote

func TestPVHNote(t *testing.T) {
	le := binary.LittleEndian
	buildID := note("GNU", 3, bytes.Repeat([]byte{0xab}, 20))
	xenOther := note("Xen", 6, []byte("linux\x00")) // XEN_ELFNOTE_GUEST_OS
	entry8 := note("Xen", 18, le.AppendUint64(nil, 0x1000e30))
	entry4 := note("Xen", 18, le.AppendUint32(nil, 0x1000e30))
	for _, tt := range []struct {
		name  string
		notes []byte
		ok    bool
	}{
		{"8-byte entry after other notes", concat(buildID, xenOther, entry8), true},
		{"4-byte entry", concat(xenOther, entry4), true},
		{"no Xen entry note", concat(buildID, xenOther), false},
		{"type 18 of another owner", note("GNU", 18, le.AppendUint64(nil, 0x1000e30)), false},
		{"odd desc size", note("Xen", 18, []byte{1, 2}), false},
		{"truncated", entry8[:len(entry8)-4], false},
		{"descsz past the end", concat(le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, 4), 0xffffffff), 18), []byte("Xen\x00")), false},
		{"empty", nil, false},
	} {
		got, ok := pvhNote(tt.notes, le)
		if ok != tt.ok || ok && got != 0x1000e30 {
			t.Errorf("%s: pvhNote = %#x, %v; want ok=%v (0x1000e30)", tt.name, got, ok, tt.ok)
		}
	}
}

func concat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

func fakeELF(notes []byte) []byte { return testutil.FakeVmlinux(notes, 0) }

func TestPVHEntry(t *testing.T) {
	le := binary.LittleEndian
	with := fakeELF(concat(note("GNU", 3, make([]byte, 20)), note("Xen", 18, le.AppendUint64(nil, 0x1000e30))))
	if entry, ok, err := PVHEntry(bytes.NewReader(with)); err != nil || !ok || entry != 0x1000e30 {
		t.Errorf("ELF with the note: PVHEntry = %#x, %v, %v; want 0x1000e30, true", entry, ok, err)
	}
	without := fakeELF(note("Xen", 6, []byte("linux\x00")))
	if entry, ok, err := PVHEntry(bytes.NewReader(without)); err != nil || ok {
		t.Errorf("ELF without it: PVHEntry = %#x, %v, %v; want not ok, no error", entry, ok, err)
	}
	if _, ok, err := PVHEntry(bytes.NewReader([]byte("not an ELF file at all, just text"))); err == nil || ok {
		t.Errorf("not ELF: ok %v, error %v; want an error", ok, err)
	}
}

func TestFindIKConfig(t *testing.T) {
	cfg := []byte("CONFIG_HZ_250=y\nCONFIG_HZ=250\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(cfg)
	zw.Close()
	blob := concat([]byte("IKCFG_ST"), gz.Bytes(), []byte("IKCFG_ED"))
	// The marker at the start, across the scanner's 1 MiB chunk boundary,
	// and at the very end of the chunk.
	for _, at := range []int{0, 1<<20 - 3, 1<<20 - 8} {
		kernel := concat(make([]byte, at), blob, make([]byte, 100))
		got, err := FindIKConfig(bytes.NewReader(kernel))
		if err != nil || !bytes.Equal(got, cfg) {
			t.Errorf("marker at %d: FindIKConfig = %q, %v; want %q", at, got, err, cfg)
		}
	}
	if _, err := FindIKConfig(bytes.NewReader(make([]byte, 3<<20))); !errors.Is(err, io.EOF) {
		t.Errorf("no marker: %v, want io.EOF", err)
	}
}

func TestConfigHZ(t *testing.T) {
	for cfg, want := range map[string]int{
		"CONFIG_HZ_250=y\nCONFIG_HZ=250\n": 250,
		"CONFIG_HZ=1000\n":                 1000,
		"# CONFIG_HZ is not set\n":         0,
		"CONFIG_HZ=fast\n":                 0,
		"CONFIG_HZ=-100\n":                 0,
		"":                                 0,
	} {
		if got := ConfigHZ([]byte(cfg)); got != want {
			t.Errorf("ConfigHZ(%q) = %d, want %d", cfg, got, want)
		}
	}
}

// realKernels are the kernels the VM tests boot: $KTSTR_TEST_KERNEL, else
// the newest /boot/vmlinuz-*, and $GAUNTLET_SCX_KERNEL when set.
func realKernels(t *testing.T) []string {
	var ks []string
	if p := os.Getenv(spec.EnvTestKernel); p != "" {
		ks = append(ks, p)
	} else if imgs, _ := filepath.Glob("/boot/vmlinuz-*"); len(imgs) > 0 {
		sort.Slice(imgs, func(i, j int) bool { return modTimeOf(imgs[i]) > modTimeOf(imgs[j]) })
		ks = append(ks, imgs[0])
	}
	if p := os.Getenv(spec.EnvSchedExtKernel); p != "" {
		ks = append(ks, p)
	}
	if len(ks) == 0 {
		testutil.SkipNotPossible(t, "no kernel image: set "+spec.EnvTestKernel+" or install one (apt-get install linux-image-cloud-amd64)")
	}
	return ks
}

func modTimeOf(p string) int64 {
	info, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return info.ModTime().UnixNano()
}

// TestRealKernelVmlinux takes the vmlinux out of the real kernels' bzImages
// and checks its PVH note against the kernel's config, when one is beside
// it: a PVH entry exactly when CONFIG_PVH=y. An unsupported compression
// must say which.
func TestRealKernelVmlinux(t *testing.T) {
	for _, k := range realKernels(t) {
		t.Run(filepath.Base(k), func(t *testing.T) {
			img, err := os.ReadFile(k)
			if err != nil {
				t.Fatal(err)
			}
			payload := Payload(img)
			if payload == nil {
				t.Fatalf("%s: no payload in the setup header", k)
			}
			out := filepath.Join(t.TempDir(), "vmlinux")
			f, err := os.Create(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			err = DecompressPayload(payload, f)
			if errors.Is(err, ErrCompression) {
				if c := PayloadCompression(payload); c != "" && !strings.Contains(err.Error(), c) {
					t.Errorf("error %q does not name the compression %s", err, c)
				}
				t.Skipf("%s: %v", k, err)
			}
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			entry, ok, err := PVHEntry(f)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			info, _ := f.Stat()
			t.Logf("%s: %s payload of %d bytes, vmlinux %d bytes, PVH entry %#x (%v)", k, PayloadCompression(payload), len(payload), info.Size(), entry, ok)
			cfg := ConfigBeside(k)
			if cfg == nil {
				if _, err := f.Seek(0, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				cfg, _ = FindIKConfig(f)
			}
			if cfg == nil {
				t.Logf("%s: no config beside it or embedded; PVH not checked against CONFIG_PVH", k)
				return
			}
			if want := ParseConfig(cfg)["PVH"] == "y"; ok != want {
				t.Errorf("%s: PVH entry %v, but its config has CONFIG_PVH=%q", k, ok, ParseConfig(cfg)["PVH"])
			}
			if ConfigHZ(cfg) == 0 {
				t.Errorf("%s: its config has no CONFIG_HZ", k)
			}
		})
	}
}
