package kernel

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
)

func TestCheckImage(t *testing.T) {
	dir := t.TempDir()
	arm := make([]byte, 0x100)
	copy(arm[arm64MagicOff:], "ARM\x64")
	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"bzImage", testutil.FakeBzImage("6.12.8"), true},
		{"arm64 Image", arm, true},
		{"vmlinux", []byte("\x7fELF\x02\x01\x01rest"), true},
		{"text", []byte("#!/bin/sh\necho hi\n"), false},
		{"empty", nil, false},
		{"short", []byte("Hd"), false},
	}
	for _, tt := range tests {
		p := testutil.WriteFile(t, filepath.Join(dir, tt.name), tt.data)
		err := CheckImage(p)
		if tt.ok != (err == nil) {
			t.Errorf("%s: CheckImage = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if !tt.ok && (!errors.Is(err, ErrNotImage) || !strings.Contains(err.Error(), p)) {
			t.Errorf("%s: error %q should wrap ErrNotImage and name the file", tt.name, err)
		}
	}
	if err := CheckImage(dir); !errors.Is(err, ErrNotImage) {
		t.Errorf("a directory: %v", err)
	}
	if err := CheckImage(filepath.Join(dir, "missing")); err == nil || errors.Is(err, ErrNotImage) {
		t.Errorf("a missing file: %v, want a not-exist error", err)
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
