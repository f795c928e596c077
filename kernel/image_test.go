package kernel

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
)

func TestCheckImage(t *testing.T) {
	dir := t.TempDir()
	arm := make([]byte, 0x100)
	copy(arm[arm64MagicOff:], "ARM\x64")
	files := map[string][]byte{
		"bzImage": testutil.FakeBzImage("6.12.8"),
		"Image":   arm,
		"vmlinux": []byte("\x7fELF\x02\x01\x01rest"),
		"text":    []byte("#!/bin/sh\necho hi\n"),
		"empty":   nil,
		"short":   []byte("Hd"),
	}
	arm64, _ := archFor("arm64")
	for name, data := range files {
		p := testutil.WriteFile(t, filepath.Join(dir, name), data)
		for _, a := range []Arch{x86, arm64} {
			err := checkImage(p, a)
			if ok := name == a.Image; ok != (err == nil) {
				t.Errorf("%s on %s: checkImage = %v, want ok=%v", name, a.Name, err, ok)
			}
			if err != nil && (!errors.Is(err, ErrNotImage) || !strings.Contains(err.Error(), p) ||
				!strings.Contains(err.Error(), "no "+a.Image+" header")) {
				t.Errorf("%s on %s: error %q should wrap ErrNotImage, name the file and the image kind", name, a.Name, err)
			}
		}
		kind, err := ImageKind(p)
		if want := map[string]bool{"bzImage": true, "Image": true, "vmlinux": true}[name]; want != (err == nil) || want && kind != name {
			t.Errorf("%s: ImageKind = %q, %v", name, kind, err)
		}
	}
	if err := CheckImage(filepath.Join(dir, "bzImage")); runtime.GOARCH == "amd64" && err != nil {
		t.Errorf("CheckImage(bzImage) on amd64: %v", err)
	}
	if err := CheckImage(dir); !errors.Is(err, ErrNotImage) {
		t.Errorf("a directory: %v", err)
	}
	if err := CheckImage(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing file: %v, want a not-exist error naming it", err)
	}
}

func TestPayload(t *testing.T) {
	payload := []byte("compressed kernel")
	img := testutil.FakeBzImageWithPayload(payload)
	if got := Payload(img); !bytes.Equal(got, payload) {
		t.Errorf("Payload = %q, want %q", got, payload)
	}
	for name, img := range map[string][]byte{
		"truncated":   img[:len(img)-1],
		"no payload":  testutil.FakeBzImage(""),
		"not bzImage": append([]byte("\x7fELF"), img[4:0x202]...),
		"empty":       nil,
	} {
		if got := Payload(img); got != nil {
			t.Errorf("%s: Payload = %q, want nil", name, got)
		}
	}
}

func TestImageVersion(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ name, version, want string }{
		{"versioned", "6.12.117+deb12-cloud-amd64", "6.12.117+deb12-cloud-amd64"},
		{"unversioned", "", ""},
	} {
		p := testutil.WriteFile(t, filepath.Join(dir, tt.name), testutil.FakeBzImage(tt.version))
		got, err := ImageVersion(p)
		if err != nil || got != tt.want {
			t.Errorf("%s: ImageVersion = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	p := testutil.WriteFile(t, filepath.Join(dir, "elf"), []byte("\x7fELF"))
	if got, err := ImageVersion(p); got != "" || err != nil {
		t.Errorf("ELF: ImageVersion = %q, %v; want empty", got, err)
	}
}
