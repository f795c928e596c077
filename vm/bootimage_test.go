package vm

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// fakeKernel writes a bzImage whose gzip payload (with the kernel's
// 4-byte size trailer) is vmlinux.
func fakeKernel(t *testing.T, path string, vmlinux []byte) string {
	t.Helper()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(vmlinux)
	zw.Close()
	payload := binary.LittleEndian.AppendUint32(gz.Bytes(), uint32(len(vmlinux)))
	return testutil.WriteFile(t, path, testutil.FakeBzImageWithPayload(payload))
}

// ikconfig is an embedded config block as kernel/configs.c lays it out.
func ikconfig(cfg string) []byte {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(cfg))
	zw.Close()
	return append(append([]byte("IKCFG_ST"), gz.Bytes()...), "IKCFG_ED"...)
}

func TestChooseImage(t *testing.T) {
	pvh := kernelInfo{PVH: true, HZ: 1000}
	for _, tt := range []struct {
		name     string
		info     kernelInfo
		besideHZ int
		off      bool
		path     string
		hz       int
		note     string
	}{
		{"pvh", pvh, 0, false, "/c/k.vmlinux", 1000, "booted its vmlinux by the PVH entry (/c/k.vmlinux)"},
		{"the config beside wins", pvh, 250, false, "/c/k.vmlinux", 250, "PVH entry"},
		{"turned off", pvh, 0, true, "/boot/bz", 1000, "booted the bzImage: GAUNTLET_NO_PVH is set"},
		{"no note", kernelInfo{Why: "no PVH entry note"}, 100, false, "/boot/bz", 100, "booted the bzImage: no PVH entry note"},
		{"nothing known", kernelInfo{Why: "cannot take its vmlinux out: xz"}, 0, true, "/boot/bz", 0, "booted the bzImage: cannot take its vmlinux out: xz"},
	} {
		b := chooseImage("/boot/bz", "/c/k.vmlinux", tt.info, tt.besideHZ, tt.off)
		if b.path != tt.path || b.pvh != (tt.path != "/boot/bz") || b.hz != tt.hz || !strings.Contains(b.note, tt.note) {
			t.Errorf("%s: chooseImage = %+v; want path %s, hz %d, note containing %q", tt.name, b, tt.path, tt.hz, tt.note)
		}
	}
}

func TestPrepareKernel(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	withPVH := testutil.FakeVmlinux(testutil.PVHNote(0x1000a30), 4096)
	withPVH = append(withPVH, ikconfig("CONFIG_HZ_300=y\nCONFIG_HZ=300\n")...)
	withoutPVH := testutil.FakeVmlinux(testutil.ELFNote("Xen", 6, []byte("linux\x00")), 4096)
	pvhImg := fakeKernel(t, filepath.Join(dir, "pvh", "bzImage"), withPVH)
	plainImg := fakeKernel(t, filepath.Join(dir, "plain", "bzImage"), withoutPVH)
	xzImg := testutil.WriteFile(t, filepath.Join(dir, "xz", "bzImage"), testutil.FakeBzImageWithPayload([]byte{0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4}))
	noPayload := testutil.WriteFile(t, filepath.Join(dir, "old", "bzImage"), testutil.FakeBzImage("6.1"))
	testutil.WriteFile(t, filepath.Join(dir, "plain", "config"), []byte("CONFIG_HZ=250\n"))

	b := prepareKernel(cache, pvhImg)
	if !b.pvh || b.hz != 300 || !strings.HasPrefix(b.path, filepath.Join(cache, "vmlinux")+"/") || !strings.HasSuffix(b.path, ".vmlinux") {
		t.Fatalf("PVH kernel: %+v; want its cached vmlinux and CONFIG_HZ 300 from the embedded config", b)
	}
	if got, err := os.ReadFile(b.path); err != nil || !bytes.Equal(got, withPVH) {
		t.Errorf("cached vmlinux: %d bytes, %v; want the %d bytes of the payload", len(got), err, len(withPVH))
	}
	// A second look uses the cache: a changed cached file is not rewritten.
	if err := os.WriteFile(b.path, []byte("marker"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again := prepareKernel(cache, pvhImg); again != b {
		t.Errorf("second prepareKernel = %+v, want %+v", again, b)
	}
	if got, _ := os.ReadFile(b.path); string(got) != "marker" {
		t.Errorf("the cached vmlinux was taken out again")
	}
	// A removed vmlinux is taken out again.
	os.Remove(b.path)
	if again := prepareKernel(cache, pvhImg); !again.pvh {
		t.Errorf("after the vmlinux was removed: %+v", again)
	} else if got, _ := os.ReadFile(again.path); !bytes.Equal(got, withPVH) {
		t.Errorf("the vmlinux was not taken out again")
	}
	t.Setenv(EnvNoPVH, "1")
	if off := prepareKernel(cache, pvhImg); off.pvh || off.path != pvhImg || !strings.Contains(off.note, EnvNoPVH) || off.hz != 300 {
		t.Errorf("with %s=1: %+v; want the bzImage, saying why, and still CONFIG_HZ", EnvNoPVH, off)
	}
	t.Setenv(EnvNoPVH, "0")
	if on := prepareKernel(cache, pvhImg); !on.pvh {
		t.Errorf("with %s=0: %+v; want the vmlinux", EnvNoPVH, on)
	}

	for _, tt := range []struct {
		img, why string
		hz       int
	}{
		{plainImg, "its vmlinux has no PVH entry note", 250},
		{xzImg, "cannot take its vmlinux out: unsupported kernel payload compression: xz", 0},
		{noPayload, "no compressed kernel in its setup header", 0},
	} {
		b := prepareKernel(cache, tt.img)
		if b.pvh || b.path != tt.img || b.hz != tt.hz || !strings.Contains(b.note, "booted the bzImage: "+tt.why) {
			t.Errorf("%s: %+v; want the bzImage, hz %d, a note saying %q", tt.img, b, tt.hz, tt.why)
		}
	}
	ents, _ := os.ReadDir(filepath.Join(cache, "vmlinux"))
	var vmlinuxes, jsons int
	for _, e := range ents {
		switch {
		case strings.HasSuffix(e.Name(), ".vmlinux"):
			vmlinuxes++
		case strings.HasSuffix(e.Name(), ".json"):
			jsons++
		case strings.HasPrefix(e.Name(), ".tmp-"):
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	if vmlinuxes != 1 || jsons != 4 {
		t.Errorf("cache holds %d vmlinux and %d json files, want 1 (the PVH kernel's) and 4 (every image's verdict)", vmlinuxes, jsons)
	}
}

// TestPrepareKernelConcurrent: VMs starting at once on a new kernel all
// get its vmlinux, taken out once, with no temporary file left.
func TestPrepareKernelConcurrent(t *testing.T) {
	dir := t.TempDir()
	img := fakeKernel(t, filepath.Join(dir, "bzImage"), testutil.FakeVmlinux(testutil.PVHNote(0x1000a30), 1<<20))
	cache := filepath.Join(dir, "cache")
	var wg sync.WaitGroup
	got := make([]bootImage, 8)
	for i := range got {
		wg.Go(func() { got[i] = prepareKernel(cache, img) })
	}
	wg.Wait()
	for i, b := range got {
		if !b.pvh || b != got[0] {
			t.Errorf("VM %d: %+v, want the vmlinux like VM 0 (%+v)", i, b, got[0])
		}
	}
	ents, _ := os.ReadDir(filepath.Join(cache, "vmlinux"))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestPrepareRealKernel takes the vmlinux out of the kernel the VM tests
// boot and checks it is an ELF QEMU can boot by PVH when the kernel's
// config has CONFIG_PVH=y, and that CONFIG_HZ is known.
func TestPrepareRealKernel(t *testing.T) {
	k := testKernel(t)
	b := prepareKernel(t.TempDir(), k)
	t.Logf("%s: %+v", k, b)
	cfg := kernel.ConfigBeside(k)
	if cfg == nil {
		t.Skipf("%s has no config beside it to check against", k)
	}
	if want := kernel.ParseConfig(cfg)["PVH"] == "y"; b.pvh != want {
		t.Errorf("PVH boot %v, but CONFIG_PVH=%q: %s", b.pvh, kernel.ParseConfig(cfg)["PVH"], b.note)
	}
	if b.hz != kernel.ConfigHZ(cfg) || b.hz == 0 {
		t.Errorf("hz %d, config says %d", b.hz, kernel.ConfigHZ(cfg))
	}
	if b.pvh {
		f, err := elf.Open(b.path)
		if err != nil {
			t.Fatalf("cached vmlinux: %v", err)
		}
		defer f.Close()
		if f.Machine != elf.EM_X86_64 || f.Type != elf.ET_EXEC {
			t.Errorf("cached vmlinux is %v %v, want an x86-64 executable", f.Machine, f.Type)
		}
	}
}

func TestLPJ(t *testing.T) {
	for _, tt := range []struct {
		tscHz uint64
		hz    int
		want  uint64
	}{
		{2_596_150_138, 250, 10_384_600},
		{2_596_150_138, 1000, 2_596_150},
		{3_000_000_000, 100, 30_000_000},
		{0, 250, 0},
		{2_596_150_138, 0, 0},
		{2_596_150_138, -1, 0},
	} {
		if got := lpjFor(tt.tscHz, tt.hz); got != tt.want {
			t.Errorf("lpjFor(%d, %d) = %d, want %d", tt.tscHz, tt.hz, got, tt.want)
		}
	}
	if n := lpjNote(10_384_600, 2_596_150_138, 250, ""); n != "lpj=10384600 (host TSC 2596.15 MHz / CONFIG_HZ 250) skips the delay-loop calibration" {
		t.Errorf("lpjNote = %q", n)
	}
	if n := lpjNote(0, 0, 250, "the host's TSC is not constant_tsc"); n != "no lpj=: the host's TSC is not constant_tsc" {
		t.Errorf("lpjNote without a TSC rate = %q", n)
	}
	b := bootImage{path: "/k", hz: 250, note: "booted"}
	for _, tt := range []struct {
		a    spec.Accel
		args []string
		img  bootImage
		note string
	}{
		{spec.AccelKVM, nil, b, "booted"},
		{spec.AccelTCG, []string{"quiet", "lpj=4000000"}, b, "booted; lpj= as given"},
		{spec.AccelTCG, nil, bootImage{path: "/k", note: "booted"}, "booted; no lpj=: the kernel's CONFIG_HZ is unknown"},
	} {
		lpj, note := tt.img.lpj(tt.a, t.TempDir(), tt.args)
		if lpj != 0 || !strings.HasPrefix(note, tt.note) {
			t.Errorf("%s %q hz %d: lpj %d, note %q; want no lpj, note %q", tt.a, tt.args, tt.img.hz, lpj, note, tt.note)
		}
	}
}

// TestLPJHost: under TCG, with CONFIG_HZ known, a host whose TSC is
// constant gets lpj= of its rate over HZ (within 1 %).
func TestLPJHost(t *testing.T) {
	cpuinfo, _ := os.ReadFile("/proc/cpuinfo")
	lpj, note := bootImage{path: "/k", hz: 250, note: "booted"}.lpj(spec.AccelTCG, t.TempDir(), nil)
	if !bytes.Contains(cpuinfo, []byte(" constant_tsc")) {
		if lpj != 0 {
			t.Errorf("no constant_tsc, yet lpj %d (%s)", lpj, note)
		}
		t.Skipf("no constant_tsc on this host: %s", note)
	}
	hz, _ := hostTSC("")
	if lpj == 0 || lpj != hz/250 || hz < 100e6 || !strings.Contains(note, "lpj=") {
		t.Errorf("lpj %d, TSC %d Hz, note %q; want TSC/250", lpj, hz, note)
	}
	t.Log(note)
}
