package elfdeps

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io/fs"
	"testing"
)

// elfSpec describes a synthetic ELF object for the fake file system.
type elfSpec struct {
	machine                elf.Machine // zero: x86-64
	interp, soname         string
	needed, rpath, runpath []string // rpath/runpath: one DT entry each
}

// buildELF writes a minimal 64-bit little-endian ELF shared object with
// an optional PT_INTERP and a .dynamic section holding spec's entries, the
// parts debug/elf reads for Inspect.
func buildELF(t testing.TB, s elfSpec) []byte {
	t.Helper()
	if s.machine == 0 {
		s.machine = elf.EM_X86_64
	}
	dynstr := []byte{0}
	str := func(v string) uint64 {
		off := len(dynstr)
		dynstr = append(append(dynstr, v...), 0)
		return uint64(off)
	}
	var dyn []elf.Dyn64
	add := func(tag elf.DynTag, vals ...string) {
		for _, v := range vals {
			dyn = append(dyn, elf.Dyn64{Tag: int64(tag), Val: str(v)})
		}
	}
	add(elf.DT_NEEDED, s.needed...)
	add(elf.DT_RPATH, s.rpath...)
	add(elf.DT_RUNPATH, s.runpath...)
	if s.soname != "" {
		add(elf.DT_SONAME, s.soname)
	}
	dyn = append(dyn, elf.Dyn64{Tag: int64(elf.DT_NULL)})
	shstr := []byte("\x00.dynstr\x00.dynamic\x00.shstrtab\x00")

	const ehsize, phsize, shsize = 64, 56, 64
	nph, interp := 0, []byte(nil)
	if s.interp != "" {
		nph, interp = 1, append([]byte(s.interp), 0)
	}
	interpOff := uint64(ehsize + phsize*nph)
	dynstrOff := interpOff + uint64(len(interp))
	dynOff := (dynstrOff + uint64(len(dynstr)) + 7) &^ 7
	shstrOff := dynOff + uint64(16*len(dyn))
	shOff := (shstrOff + uint64(len(shstr)) + 7) &^ 7

	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := elf.Header64{
		Type: uint16(elf.ET_DYN), Machine: uint16(s.machine), Version: 1,
		Phoff: ehsize, Shoff: shOff, Ehsize: ehsize, Phentsize: phsize, Phnum: uint16(nph),
		Shentsize: shsize, Shnum: 4, Shstrndx: 3,
	}
	copy(hdr.Ident[:], "\x7fELF\x02\x01\x01")
	binary.Write(&b, le, hdr)
	if nph == 1 {
		binary.Write(&b, le, elf.Prog64{Type: uint32(elf.PT_INTERP), Flags: 4, Off: interpOff,
			Filesz: uint64(len(interp)), Memsz: uint64(len(interp)), Align: 1})
		b.Write(interp)
	}
	b.Write(dynstr)
	pad(&b, dynOff)
	binary.Write(&b, le, dyn)
	b.Write(shstr)
	pad(&b, shOff)
	binary.Write(&b, le, []elf.Section64{
		{},
		{Name: 1, Type: uint32(elf.SHT_STRTAB), Off: dynstrOff, Size: uint64(len(dynstr)), Addralign: 1},
		{Name: 9, Type: uint32(elf.SHT_DYNAMIC), Off: dynOff, Size: uint64(16 * len(dyn)), Link: 1, Addralign: 8, Entsize: 16},
		{Name: 18, Type: uint32(elf.SHT_STRTAB), Off: shstrOff, Size: uint64(len(shstr)), Addralign: 1},
	})
	return b.Bytes()
}

func pad(b *bytes.Buffer, to uint64) {
	for uint64(b.Len()) < to {
		b.WriteByte(0)
	}
}

// fakeFS is an in-memory file system of absolute paths.
type fakeFS map[string][]byte

type fakeFile struct{ *bytes.Reader }

func (fakeFile) Close() error { return nil }

func (f fakeFS) Open(name string) (File, error) {
	b, ok := f[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return fakeFile{bytes.NewReader(b)}, nil
}

// elfFS builds a fake file system of synthetic ELF objects.
func elfFS(t testing.TB, files map[string]elfSpec) fakeFS {
	out := fakeFS{}
	for p, s := range files {
		out[p] = buildELF(t, s)
	}
	return out
}
