package vm

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeELF writes a minimal x86-64 ELF executable with a PT_LOAD program
// header and, when interp is set, a PT_INTERP naming it.
func fakeELF(t *testing.T, interp string, machine uint16) string {
	t.Helper()
	const ehdr, phdr = 64, 56
	nph := 1
	if interp != "" {
		nph = 2
	}
	b := make([]byte, ehdr+phdr*nph+len(interp)+1)
	copy(b, "\x7fELF\x02\x01\x01")
	le := binary.LittleEndian
	le.PutUint16(b[16:], 2) // ET_EXEC
	le.PutUint16(b[18:], machine)
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[32:], ehdr) // phoff
	le.PutUint16(b[52:], ehdr)
	le.PutUint16(b[54:], phdr)
	le.PutUint16(b[56:], uint16(nph))
	p := b[ehdr:]
	le.PutUint32(p[0:], 1) // PT_LOAD
	if interp != "" {
		q := b[ehdr+phdr:]
		off := uint64(ehdr + phdr*nph)
		le.PutUint32(q[0:], 3) // PT_INTERP
		le.PutUint64(q[8:], off)
		le.PutUint64(q[32:], uint64(len(interp)+1))
		le.PutUint64(q[40:], uint64(len(interp)+1))
		copy(b[off:], interp)
	}
	f := filepath.Join(t.TempDir(), "elf")
	if err := os.WriteFile(f, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCheckStaticBinary(t *testing.T) {
	const x86 = 62
	if err := CheckStaticBinary(fakeELF(t, "", x86)); err != nil {
		t.Errorf("static: %v", err)
	}
	err := CheckStaticBinary(fakeELF(t, "/lib64/ld-linux-x86-64.so.2", x86))
	if !errors.Is(err, ErrNotStatic) || !strings.Contains(err.Error(), "ld-linux") || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
		t.Errorf("dynamic: %v", err)
	}
	if err := CheckStaticBinary(fakeELF(t, "", 183)); err == nil || !strings.Contains(err.Error(), "want x86-64") {
		t.Errorf("arm64: %v", err)
	}
	notELF := filepath.Join(t.TempDir(), "script")
	os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755)
	if err := CheckStaticBinary(notELF); err == nil || !strings.Contains(err.Error(), "not an ELF executable") {
		t.Errorf("script: %v", err)
	}
}
