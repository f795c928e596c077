package vm

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// newcEntry is one entry read back by readNewc.
type newcEntry struct {
	name               string
	mode               uint32
	devMajor, devMinor uint32
	data               string
}

// readNewc parses a newc archive the way the kernel's unpacker does,
// checking magic, alignment and the trailer.
func readNewc(t *testing.T, b []byte) []newcEntry {
	t.Helper()
	var out []newcEntry
	off := 0
	field := func(i int) uint32 {
		v, err := strconv.ParseUint(string(b[off+6+8*i:off+14+8*i]), 16, 32)
		if err != nil {
			t.Fatalf("offset %d field %d: %v", off, i, err)
		}
		return uint32(v)
	}
	for {
		if off%4 != 0 || off+110 > len(b) || string(b[off:off+6]) != "070701" {
			t.Fatalf("no newc header at offset %d", off)
		}
		mode, size, nameSize := field(1), int(field(6)), int(field(11))
		nameAt := off + 110
		name := string(b[nameAt : nameAt+nameSize-1])
		dataAt := align4(nameAt + nameSize)
		e := newcEntry{name: name, mode: mode, devMajor: field(9), devMinor: field(10), data: string(b[dataAt : dataAt+size])}
		off = align4(dataAt + size)
		if name == cpioTrailer {
			if len(b)%512 != 0 {
				t.Errorf("archive length %d is not a multiple of 512", len(b))
			}
			return out
		}
		out = append(out, e)
	}
}

func align4(n int) int { return (n + 3) &^ 3 }

func TestCPIOWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := newCPIOWriter(&buf)
	files := []struct {
		h    cpioHeader
		data string
	}{
		{cpioHeader{Name: "dev", Mode: cpioDir | 0o755}, ""},
		{cpioHeader{Name: "dev/console", Mode: cpioCharDev | 0o600, DevMajor: 5, DevMinor: 1}, ""},
		{cpioHeader{Name: "/init", Mode: cpioRegular | 0o755, Size: 5}, "12345"},
		{cpioHeader{Name: "a/odd-length-name", Mode: cpioRegular | 0o644, Size: 1}, "x"},
		{cpioHeader{Name: "link", Mode: cpioSymlink | 0o777, Size: 4}, "init"},
	}
	for _, f := range files {
		if err := w.WriteHeader(f.h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readNewc(t, buf.Bytes())
	if len(got) != len(files) {
		t.Fatalf("read %d entries, want %d", len(got), len(files))
	}
	for i, f := range files {
		g := got[i]
		if want := filepath.Clean("/" + f.h.Name)[1:]; g.name != want || g.mode != f.h.Mode || g.data != f.data ||
			g.devMajor != f.h.DevMajor || g.devMinor != f.h.DevMinor {
			t.Errorf("entry %d = %+v, want %+v data %q", i, g, f.h, f.data)
		}
	}
}

func TestCPIOWriterRejects(t *testing.T) {
	w := newCPIOWriter(io.Discard)
	if err := w.WriteHeader(cpioHeader{Name: "/"}); err == nil {
		t.Error("empty name accepted")
	}
	if err := w.WriteHeader(cpioHeader{Name: "f", Mode: cpioRegular, Size: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("abc")); err == nil {
		t.Error("data beyond the entry's size accepted")
	}
	if err := w.WriteHeader(cpioHeader{Name: "g"}); err == nil {
		t.Error("a short entry was not reported")
	}
}

// TestCPIOSystemTool checks the archive with GNU cpio, an independent
// reader, when it is installed.
func TestCPIOSystemTool(t *testing.T) {
	cpio, err := exec.LookPath("cpio")
	if err != nil {
		t.Skip("cpio not installed (apt-get install cpio); the round-trip test still covers the format")
	}
	dir := t.TempDir()
	payload := bytes.Repeat([]byte("gauntlet"), 1000)
	src := filepath.Join(dir, "payload")
	if err := os.WriteFile(src, payload, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := archiveEntries(src, []File{{Host: src, Guest: "/opt/x/payload"}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeArchive(t.Context(), &buf, entries); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	cmd := exec.Command(cpio, "-id", "--quiet", "--no-absolute-filenames")
	cmd.Dir, cmd.Stdin = out, &buf
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio -i: %v\n%s", err, b)
	}
	for _, p := range []string{"init", "opt/x/payload"} {
		got, err := os.ReadFile(filepath.Join(out, p))
		if err != nil || !bytes.Equal(got, payload) {
			t.Errorf("%s: %d bytes, %v; want the payload", p, len(got), err)
		}
	}
	if info, err := os.Stat(filepath.Join(out, "init")); err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("init mode: %v, %v", info, err)
	}
}
