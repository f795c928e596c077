package vm

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os/exec"
)

// CheckStaticBinary checks that path is an x86-64 ELF executable without
// an interpreter (PT_INTERP), i.e. one that runs in an initramfs with no
// shared libraries. The error wraps [ErrNotStatic] when it is dynamic.
func CheckStaticBinary(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("init %s: not an ELF executable: %w", path, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("init %s: built for %s, want x86-64 (GOARCH=amd64)", path, f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			interp, _ := io.ReadAll(io.LimitReader(p.Open(), 256))
			return fmt.Errorf("init %s: %w; it needs %s", path, ErrNotStatic, bytes.TrimRight(interp, "\x00"))
		}
	}
	return nil
}

// QEMUBinary is the QEMU system emulator the runner starts.
const QEMUBinary = "qemu-system-x86_64"

// LookQEMU returns the path of [QEMUBinary] or an error wrapping
// [ErrNoQEMU].
func LookQEMU() (string, error) {
	p, err := exec.LookPath(QEMUBinary)
	if err != nil {
		return "", ErrNoQEMU
	}
	return p, nil
}
