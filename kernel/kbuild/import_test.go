package kbuild

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func importOpts(c *kernel.Cache, path string) ImportOptions {
	return ImportOptions{Path: path, Cache: c, Arch: x86}
}

func TestImportBzImage(t *testing.T) {
	c := &kernel.Cache{Root: t.TempDir()}
	cfg := []byte("CONFIG_SCHED_CLASS_EXT=y\n")
	text := append(append([]byte("text IKCFG_ST"), gz(t, cfg)...), "IKCFG_ED"...)
	img := testutil.WriteFile(t, filepath.Join(t.TempDir(), "bzImage"), fakeBzImageWithPayload(t, text))
	e, err := Import(context.Background(), importOpts(c, img))
	if err != nil {
		t.Fatal(err)
	}
	sum, _, _ := kernel.HashFile(img)
	m := e.Meta
	if e.Key != "6.12.8-import-"+sum[:8]+"-x86_64" || m.Source != kernel.SourceImport || m.Origin != img ||
		m.SchedExt == nil || !*m.SchedExt || m.ConfigHash != kernel.HashString(string(cfg)) || m.FragmentHash != "" {
		t.Errorf("entry %s: %+v", e.Key, m)
	}
	stored, _ := os.ReadFile(filepath.Join(e.Dir, "config"))
	if !bytes.Equal(stored, cfg) {
		t.Errorf("stored config %q", stored)
	}
	again, err := Import(context.Background(), importOpts(c, img))
	if err != nil || again.Key != e.Key || !again.Meta.BuiltAt.Equal(m.BuiltAt) {
		t.Errorf("second import: %+v, %v; want the existing entry", again, err)
	}
	if entries, _ := c.List(); len(entries) != 1 {
		t.Errorf("%d entries after importing one image twice", len(entries))
	}
}

func TestImportVersionAndConfigBeside(t *testing.T) {
	c := &kernel.Cache{Root: t.TempDir()}
	dir := t.TempDir()
	img := testutil.WriteFile(t, filepath.Join(dir, "vmlinuz-6.12.5-test"), testutil.FakeBzImage(""))
	testutil.WriteFile(t, filepath.Join(dir, "config-6.12.5-test"), []byte("# CONFIG_SCHED_CLASS_EXT is not set\nCONFIG_SMP=y\n"))
	e, err := Import(context.Background(), importOpts(c, img))
	if err != nil {
		t.Fatal(err)
	}
	if e.Meta.Version != "6.12.5-test" || e.Meta.SchedExt == nil || *e.Meta.SchedExt {
		t.Errorf("version %q sched_ext %v; want 6.12.5-test and false", e.Meta.Version, e.Meta.SchedExt)
	}
	o := importOpts(c, img)
	o.Version = "6.12.5-custom"
	o.Config = testutil.WriteFile(t, filepath.Join(t.TempDir(), "cfg"), []byte("CONFIG_SCHED_CLASS_EXT=y\n"))
	e, err = Import(context.Background(), o)
	if err != nil || e.Meta.Version != "6.12.5-custom" || !*e.Meta.SchedExt {
		t.Errorf("--version and --config: %+v, %v", e.Meta, err)
	}
}

func TestImportUnknownConfig(t *testing.T) {
	c := &kernel.Cache{Root: t.TempDir()}
	img := testutil.WriteFile(t, filepath.Join(t.TempDir(), "bzImage"), testutil.FakeBzImage("6.12.8"))
	e, err := Import(context.Background(), importOpts(c, img))
	if err != nil || e.Meta.SchedExt != nil || e.Meta.ConfigHash != "" {
		t.Errorf("no config anywhere: %+v, %v; want sched_ext unknown", e.Meta, err)
	}
}

// fakeDeb builds a Debian package (ar: debian-binary, control.tar.gz,
// data.tar.gz) whose data holds files.
func fakeDeb(t *testing.T, files map[string][]byte) []byte {
	var data bytes.Buffer
	zw := gzip.NewWriter(&data)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "./boot/", Mode: 0o755})
	for name, b := range files {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(b))})
		tw.Write(b)
	}
	tw.Close()
	zw.Close()
	var ar bytes.Buffer
	ar.WriteString(arMagic)
	for _, m := range []struct {
		name string
		data []byte
	}{{"debian-binary", []byte("2.0\n")}, {"control.tar.gz", gz(t, []byte("x"))}, {"data.tar.gz", data.Bytes()}} {
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 0, 0, 0, "100644", len(m.data))
		ar.Write(m.data)
		if len(m.data)%2 == 1 {
			ar.WriteByte('\n')
		}
	}
	return ar.Bytes()
}

func TestImportDeb(t *testing.T) {
	const rel = "6.12.117+deb12-cloud-amd64"
	c := &kernel.Cache{Root: t.TempDir()}
	deb := testutil.WriteFile(t, filepath.Join(t.TempDir(), "linux-image-"+rel+"_6.12.117-1_amd64.deb"), fakeDeb(t, map[string][]byte{
		"./boot/vmlinuz-" + rel:    testutil.FakeBzImage(rel),
		"./boot/config-" + rel:     []byte("# CONFIG_SCHED_CLASS_EXT is not set\n"),
		"./boot/System.map-" + rel: []byte("ffffffff81000000 T _text\n"),
		"./usr/share/doc/x":        []byte("doc"),
	}))
	e, err := Import(context.Background(), importOpts(c, deb))
	if err != nil {
		t.Fatal(err)
	}
	if e.Meta.Version != rel || e.Meta.Image != "bzImage" || e.Meta.SchedExt == nil || *e.Meta.SchedExt || e.Meta.Origin != deb {
		t.Errorf("deb import: %+v", e.Meta)
	}
	if !strings.HasPrefix(e.Key, rel+"-import-") {
		t.Errorf("key %s", e.Key)
	}
}

func TestImportBadInput(t *testing.T) {
	dir := t.TempDir()
	arm := make([]byte, 0x100)
	copy(arm[0x38:], "ARM\x64") // arm64 Image magic
	files := map[string]string{
		"text":     testutil.WriteFile(t, filepath.Join(dir, "notes.txt"), []byte("hello")),
		"noVer":    testutil.WriteFile(t, filepath.Join(dir, "bzImage"), testutil.FakeBzImage("")),
		"arm":      testutil.WriteFile(t, filepath.Join(dir, "Image"), arm),
		"emptyDeb": testutil.WriteFile(t, filepath.Join(dir, "linux-doc.deb"), fakeDeb(t, map[string][]byte{"./usr/share/doc/x": []byte("x")})),
		"badCfg":   testutil.WriteFile(t, filepath.Join(dir, "cfg"), []byte("not a config")),
		"good":     testutil.WriteFile(t, filepath.Join(dir, "good"), testutil.FakeBzImage("6.12.8")),
	}
	tests := []struct {
		name string
		opts func(o *ImportOptions)
		want string
	}{
		{"no file", func(o *ImportOptions) { o.Path = "" }, "no file given"},
		{"missing file", func(o *ImportOptions) { o.Path = filepath.Join(dir, "missing") }, "no such file"},
		{"not a kernel", func(o *ImportOptions) { o.Path = files["text"] }, "not a kernel image"},
		{"no version", func(o *ImportOptions) { o.Path = files["noVer"] }, "cannot tell the kernel version of " + files["noVer"] + ": pass --version"},
		{"bad version", func(o *ImportOptions) { o.Path, o.Version = files["good"], "../etc" }, `version "../etc": want a release`},
		{"other arch", func(o *ImportOptions) { o.Path = files["arm"] }, "is an Image, but x86_64 kernels boot from a bzImage"},
		{"deb without kernel", func(o *ImportOptions) { o.Path = files["emptyDeb"] }, "no boot/vmlinuz-* in the package"},
		{"bad config", func(o *ImportOptions) { o.Path, o.Config = files["good"], files["badCfg"] }, "no CONFIG_ lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &kernel.Cache{Root: t.TempDir()}
			o := importOpts(c, "")
			tt.opts(&o)
			_, err := Import(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, tt.want)
			}
			if entries, _ := c.List(); len(entries) != 0 {
				t.Errorf("entries after a failed import: %q", keys(entries))
			}
		})
	}
}

// TestImportSchedExtKernel imports the sched_ext kernel
// spec.EnvSchedExtKernel names: its version comes from the bzImage
// header, sched_ext from its embedded config.
func TestImportSchedExtKernel(t *testing.T) {
	img := testutil.SchedExtFile(t, spec.EnvSchedExtKernel)
	e, err := Import(context.Background(), importOpts(&kernel.Cache{Root: t.TempDir()}, img))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.Meta.Version, "6.12.") || e.Meta.SchedExt == nil || !*e.Meta.SchedExt {
		t.Errorf("imported %s: version %q sched_ext %v", e.Key, e.Meta.Version, e.Meta.SchedExt)
	}
}
