package kbuild

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
)

type tarEntry struct {
	name, body, link string
	typ              byte
}

func tarOf(t *testing.T, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func extractBytes(t *testing.T, data []byte) (string, error) {
	t.Helper()
	src := testutil.WriteFile(t, filepath.Join(t.TempDir(), "src.tar"), data)
	dst := filepath.Join(t.TempDir(), "out")
	return dst, extractTarball(context.Background(), src, dst)
}

func TestExtractTarball(t *testing.T) {
	dst, err := extractBytes(t, tarOf(t,
		tarEntry{name: "linux-6.1/", typ: tar.TypeDir},
		tarEntry{name: "linux-6.1/Makefile", body: "VERSION = 6\n"},
		tarEntry{name: "linux-6.1/scripts/a.sh", body: "#!/bin/sh\n"},
		tarEntry{name: "linux-6.1/include/link", link: "../scripts/a.sh", typ: tar.TypeSymlink},
		tarEntry{name: "linux-6.1/hard", link: "linux-6.1/Makefile", typ: tar.TypeLink},
	))
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"Makefile": "VERSION = 6\n", "include/link": "#!/bin/sh\n", "hard": "VERSION = 6\n"} {
		b, err := os.ReadFile(filepath.Join(dst, p))
		if err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", p, b, err, want)
		}
	}
}

func TestExtractFlatArchive(t *testing.T) {
	dst, err := extractBytes(t, tarOf(t,
		tarEntry{name: "./", typ: tar.TypeDir},
		tarEntry{name: "./arch/", typ: tar.TypeDir},
		tarEntry{name: "./Makefile", body: "x"},
	))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "Makefile")); err != nil {
		t.Errorf("a ./-rooted archive keeps its layout: %v", err)
	}
}

func TestExtractRejects(t *testing.T) {
	tests := []struct {
		name    string
		entries []tarEntry
		want    string
	}{
		{"outside top", []tarEntry{{name: "linux/a", body: "x"}, {name: "other/b", body: "y"}}, "outside the archive's top directory"},
		{"dot dot", []tarEntry{{name: "linux/a", body: "x"}, {name: "linux/../../evil", body: "y"}}, "outside"},
		{"through symlink", []tarEntry{
			{name: "linux/", typ: tar.TypeDir},
			{name: "linux/esc", link: "/tmp", typ: tar.TypeSymlink},
			{name: "linux/esc/gauntlet-escape-test", body: "y"},
		}, "escape"},
		{"empty", nil, "empty archive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := extractBytes(t, tarOf(t, tt.entries...))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if _, err := os.Stat("/tmp/gauntlet-escape-test"); err == nil {
				os.Remove("/tmp/gauntlet-escape-test")
				t.Fatal("an entry was written outside the destination")
			}
		})
	}
}

// TestExtractXZ unpacks through the xz command, as for kernel.org and
// Debian source tarballs.
func TestExtractXZ(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		testutil.SkipNotPossible(t, "xz is not installed (apt-get install xz-utils)")
	}
	cmd := exec.Command("xz", "-c")
	cmd.Stdin = bytes.NewReader(tarOf(t, tarEntry{name: "linux/Makefile", body: "VERSION = 6\n"}))
	xzData, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	dst, err := extractBytes(t, xzData)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "Makefile")); string(b) != "VERSION = 6\n" {
		t.Errorf("Makefile = %q", b)
	}
	_, err = extractBytes(t, xzData[:len(xzData)/2])
	if err == nil || !strings.Contains(err.Error(), "xz") {
		t.Errorf("truncated .tar.xz: err = %v, want the xz failure", err)
	}
}

const debianSource = "/usr/src/linux-source-6.12.tar.xz"

// BenchmarkExtractKernelSource unpacks Debian's kernel source tarball
// (about 90,000 files); BenchmarkExtractGNUTar does the same with tar,
// for comparison:
//
//	go test -run '^$' -bench Extract -benchtime 1x ./kernel/kbuild
func BenchmarkExtractKernelSource(b *testing.B) {
	if _, err := os.Stat(debianSource); err != nil {
		b.Skipf("no %s (apt-get install linux-source-6.12)", debianSource)
	}
	for b.Loop() {
		dst := filepath.Join(b.TempDir(), "src")
		if err := extractTarball(context.Background(), debianSource, dst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExtractGNUTar(b *testing.B) {
	if _, err := os.Stat(debianSource); err != nil {
		b.Skipf("no %s (apt-get install linux-source-6.12)", debianSource)
	}
	for b.Loop() {
		if out, err := exec.Command("tar", "-C", b.TempDir(), "-xf", debianSource).CombinedOutput(); err != nil {
			b.Fatalf("tar: %v\n%s", err, out)
		}
	}
}
