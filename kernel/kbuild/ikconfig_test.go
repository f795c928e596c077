package kbuild

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fakeBzImageWithPayload is a bzImage whose compressed kernel (gzip) is
// kernel, at the place the setup header says.
func fakeBzImageWithPayload(t testing.TB, text []byte) []byte {
	return testutil.FakeBzImageWithPayload(gz(t, text))
}

func TestEmbeddedConfig(t *testing.T) {
	cfg := []byte("CONFIG_SCHED_CLASS_EXT=y\nCONFIG_SMP=y\n")
	filler := bytes.Repeat([]byte("kernel text "), 200000) // crosses the 1 MiB scan chunks
	text := append(append(append(filler, "IKCFG_ST"...), gz(t, cfg)...), "IKCFG_ED more"...)
	dir := t.TempDir()
	p := testutil.WriteFile(t, filepath.Join(dir, "bzImage"), fakeBzImageWithPayload(t, text))
	got, ok, err := EmbeddedConfig(context.Background(), p)
	if err != nil || !ok || !bytes.Equal(got, cfg) {
		t.Fatalf("EmbeddedConfig = %q, %v, %v; want %q", got, ok, err, cfg)
	}
	p = testutil.WriteFile(t, filepath.Join(dir, "noconfig"), fakeBzImageWithPayload(t, filler))
	if got, ok, err := EmbeddedConfig(context.Background(), p); ok || err != nil {
		t.Errorf("no IKCONFIG: %q, %v, %v; want not ok", got, ok, err)
	}
	p = testutil.WriteFile(t, filepath.Join(dir, "old"), testutil.FakeBzImage(""))
	if _, ok, err := EmbeddedConfig(context.Background(), p); ok || err != nil {
		t.Errorf("no payload: ok=%v err=%v", ok, err)
	}
}

// TestEmbeddedConfigSchedExtKernel reads the config out of the sched_ext
// kernel spec.EnvSchedExtKernel names and compares it with the .config
// spec.EnvSchedExtKernelConfig names.
func TestEmbeddedConfigSchedExtKernel(t *testing.T) {
	img := testutil.SchedExtFile(t, spec.EnvSchedExtKernel)
	cfg := testutil.SchedExtFile(t, spec.EnvSchedExtKernelConfig)
	want, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := EmbeddedConfig(context.Background(), img)
	if err != nil || !ok {
		t.Fatalf("EmbeddedConfig(%s): ok=%v err=%v", img, ok, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("embedded config of %s (%d bytes) differs from %s (%d bytes)", img, len(got), cfg, len(want))
	}
	if !kernel.SchedExtEnabled(got) {
		t.Errorf("%s has no sched_ext", img)
	}
}
