package vm

import (
	"bytes"
	"debug/elf"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/elfdeps"
)

// hostProgram returns a dynamically linked program of this host, or
// skips.
func hostProgram(t *testing.T) string {
	t.Helper()
	const p = "/usr/bin/nproc"
	f, err := elf.Open(p)
	if err != nil {
		t.Skipf("no %s on this host: %v", p, err)
	}
	defer f.Close()
	return p
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestShellArchiveLayout plans a shell VM's files for an included file, a
// symlink to a program and a directory holding a program, writes the
// initramfs and reads it back.
func TestShellArchiveLayout(t *testing.T) {
	prog := hostProgram(t)
	tmp := t.TempDir()
	note := writeTestFile(t, tmp, "note.txt", "hello guest\n")
	data := filepath.Join(tmp, "data")
	writeTestFile(t, filepath.Join(data, "sub"), "b.txt", "nested\n")
	copyFile(t, prog, filepath.Join(data, "bin", "tool"))
	link := filepath.Join(tmp, "nproc")
	if err := os.Symlink(prog, link); err != nil {
		t.Fatal(err)
	}
	busybox := fakeELF(t, "", 62)
	plan, err := planShellFiles(busybox, []string{note, link, data + "/"}, &elfdeps.Resolver{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(plan.libPath, "/lib/x86_64-linux-gnu") || slices.Contains(plan.libPath, "/lib64") {
		t.Errorf("libPath %q: want libc's directory, not the interpreter's", plan.libPath)
	}
	entries := archiveOf(t, plan.files)
	for name, want := range map[string]string{
		"include-files/note.txt":       "hello guest\n",
		"include-files/data/sub/b.txt": "nested\n",
		"include-files/nproc":          fileString(t, prog),
		"include-files/data/bin/tool":  fileString(t, prog),
		"bin/busybox":                  fileString(t, busybox),
		"lib64/ld-linux-x86-64.so.2":   fileString(t, "/lib64/ld-linux-x86-64.so.2"),
	} {
		e, ok := entries[name]
		if !ok {
			t.Errorf("archive lacks %s; has %q", name, entryNames(entries))
			continue
		}
		if e.mode&0o170000 != cpioRegular || e.data != want {
			t.Errorf("%s: mode %o, %d bytes; want a regular file of %d bytes", name, e.mode, len(e.data), len(want))
		}
	}
	libc := slices.IndexFunc(entryNames(entries), func(k string) bool { return strings.HasSuffix(k, "/libc.so.6") })
	if libc < 0 {
		t.Errorf("archive lacks libc.so.6: %q", entryNames(entries))
	} else if e := entries[entryNames(entries)[libc]]; !bytes.HasPrefix([]byte(e.data), []byte("\x7fELF")) {
		t.Errorf("%s is not the library itself (mode %o)", entryNames(entries)[libc], e.mode)
	}
}

// TestShellFilesLibraryPath: libraries found through LD_LIBRARY_PATH keep
// their path in the guest, which gets that directory in its
// LD_LIBRARY_PATH.
func TestShellFilesLibraryPath(t *testing.T) {
	prog := hostProgram(t)
	libs := filepath.Join(t.TempDir(), "mylibs")
	copyFile(t, "/lib/x86_64-linux-gnu/libc.so.6", filepath.Join(libs, "libc.so.6"))
	plan, err := planShellFiles(fakeELF(t, "", 62), []string{prog}, &elfdeps.Resolver{LibraryPath: []string{libs}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plan.libPath, []string{libs}) {
		t.Errorf("libPath %q, want [%s]", plan.libPath, libs)
	}
	if !slices.ContainsFunc(plan.files, func(f File) bool { return f.Guest == libs+"/libc.so.6" }) {
		t.Errorf("files %+v lack %s/libc.so.6", plan.files, libs)
	}
}

func TestShellFilesErrors(t *testing.T) {
	tmp := t.TempDir()
	a := writeTestFile(t, filepath.Join(tmp, "a"), "x", "1")
	b := writeTestFile(t, filepath.Join(tmp, "b"), "x", "2")
	for _, tc := range []struct {
		include []string
		want    string
	}{
		{[]string{filepath.Join(tmp, "missing")}, "include " + filepath.Join(tmp, "missing") + ": no such file or directory"},
		{[]string{a, b}, "already takes /include-files/x"},
		{[]string{"/"}, "cannot include the root directory"},
		{[]string{"/dev/null"}, "not a regular file or directory"},
	} {
		_, err := planShellFiles(fakeELF(t, "", 62), tc.include, &elfdeps.Resolver{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("include %q: got %v, want one line containing %q", tc.include, err, tc.want)
		}
	}
}

// archiveOf writes files into an initramfs (with a dummy /init) and
// returns its entries by name.
func archiveOf(t *testing.T, files []File) map[string]newcEntry {
	t.Helper()
	init := writeTestFile(t, t.TempDir(), "init", "#!/bin/busybox sh\n")
	var buf bytes.Buffer
	if err := WriteInitramfs(t.Context(), &buf, init, files); err != nil {
		t.Fatal(err)
	}
	out := map[string]newcEntry{}
	for _, e := range readNewc(t, buf.Bytes()) {
		out[e.name] = e
	}
	return out
}

func entryNames(m map[string]newcEntry) []string { return slices.Sorted(maps.Keys(m)) }

func fileString(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
