package elfdeps

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"reflect"
	"slices"
	"testing"
)

func TestInspectSynthetic(t *testing.T) {
	want := elfSpec{interp: "/lib64/ld.so", soname: "libq.so.1", needed: []string{"liba.so", "libb.so.2"},
		rpath: []string{"/r1:/r2"}, runpath: []string{"$ORIGIN/../lib"}}
	o, err := Inspect(bytes.NewReader(buildELF(t, want)))
	if err != nil {
		t.Fatal(err)
	}
	got := Object{Class: elf.ELFCLASS64, Machine: elf.EM_X86_64, Interp: "/lib64/ld.so", Needed: []string{"liba.so", "libb.so.2"},
		RPath: []string{"/r1", "/r2"}, RunPath: []string{"$ORIGIN/../lib"}, Soname: "libq.so.1"}
	if !reflect.DeepEqual(o, got) {
		t.Errorf("got %+v\nwant %+v", o, got)
	}
}

func TestInspectNotELF(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("#!/bin/sh\necho hi\n"), bytes.Repeat([]byte{0}, 100)} {
		if _, err := Inspect(bytes.NewReader(b)); !errors.Is(err, ErrNotELF) {
			t.Errorf("Inspect(%q) = %v, want ErrNotELF", b, err)
		}
	}
}

// TestInspectHostBinary reads a real dynamically linked program.
func TestInspectHostBinary(t *testing.T) {
	f, err := os.Open("/bin/ls")
	if err != nil {
		t.Skipf("no /bin/ls on this host: %v", err)
	}
	defer f.Close()
	o, err := Inspect(f)
	if err != nil {
		t.Fatal(err)
	}
	if o.Interp != "/lib64/ld-linux-x86-64.so.2" || o.Machine != elf.EM_X86_64 || !slices.Contains(o.Needed, "libc.so.6") {
		t.Errorf("/bin/ls: %+v; want interpreter /lib64/ld-linux-x86-64.so.2 and libc.so.6 needed", o)
	}
}

func TestSplitLibraryPath(t *testing.T) {
	got := SplitLibraryPath("/a::/b;/c:")
	if !reflect.DeepEqual(got, []string{"/a", "/b", "/c"}) {
		t.Errorf("got %q", got)
	}
}
