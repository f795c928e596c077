package elfdeps

import (
	"bufio"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// depPaths renders deps as "name=path" (interpreter: "interp=path").
func depPaths(deps []Dep) []string {
	var out []string
	for _, d := range deps {
		if d.Interp {
			out = append(out, "interp="+d.Path)
		} else {
			out = append(out, d.Name+"="+d.Path)
		}
	}
	return out
}

func TestClosureBreadthFirst(t *testing.T) {
	r := &Resolver{
		FS: elfFS(t, map[string]elfSpec{
			"/bin/prog":                 {interp: "/lib64/ld.so.2", needed: []string{"liba.so.1", "libb.so"}},
			"/lib64/ld.so.2":            {soname: "ld.so.2"},
			"/opt/cache/liba.so.1":      {needed: []string{"libc.so.6", "libb.so"}},
			"/usr/lib/libb.so":          {needed: []string{"libc.so.6"}},
			"/lib/x86_64-gnu/libc.so.6": {needed: []string{"ld.so.2"}, soname: "libc.so.6"},
		}),
		Cache:       map[string][]string{"liba.so.1": {"/opt/cache/liba.so.1"}},
		DefaultDirs: []string{"/lib/x86_64-gnu", "/usr/lib"},
	}
	deps, err := r.Closure("/bin/prog")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"interp=/lib64/ld.so.2", "liba.so.1=/opt/cache/liba.so.1", "libb.so=/usr/lib/libb.so", "libc.so.6=/lib/x86_64-gnu/libc.so.6"}
	if got := depPaths(deps); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if deps[3].By != "/opt/cache/liba.so.1" {
		t.Errorf("libc needed by %q, want the first loader, liba", deps[3].By)
	}
}

// TestClosureSearchOrder places libx.so in several directories and checks
// which one wins: DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH, cache, default.
func TestClosureSearchOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prog    elfSpec
		llp     []string
		present []string // directories holding libx.so
		want    string
	}{
		{"rpath first", elfSpec{rpath: []string{"/rp"}}, []string{"/llp"}, []string{"/rp", "/llp", "/cache", "/lib"}, "/rp"},
		{"ld_library_path next", elfSpec{rpath: []string{"/rp"}}, []string{"/llp"}, []string{"/llp", "/run", "/cache", "/lib"}, "/llp"},
		{"runpath disables rpath", elfSpec{rpath: []string{"/rp"}, runpath: []string{"/run"}}, []string{"/llp"}, []string{"/rp", "/llp", "/run"}, "/llp"},
		{"runpath before cache", elfSpec{runpath: []string{"/run"}}, nil, []string{"/rp", "/run", "/cache", "/lib"}, "/run"},
		{"cache before default", elfSpec{}, nil, []string{"/cache", "/lib"}, "/cache"},
		{"default last", elfSpec{}, nil, []string{"/lib"}, "/lib"},
		{"origin", elfSpec{runpath: []string{"$ORIGIN/../lib:/x/${ORIGIN}"}}, nil, []string{"/opt/lib", "/lib"}, "/opt/lib"},
		{"unknown token skipped", elfSpec{runpath: []string{"/$LIB"}}, nil, []string{"/$LIB", "/lib"}, "/lib"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.prog.needed = []string{"libx.so"}
			files := map[string]elfSpec{"/opt/bin/prog": tc.prog}
			for _, d := range tc.present {
				files[d+"/libx.so"] = elfSpec{}
			}
			r := &Resolver{FS: elfFS(t, files), LibraryPath: tc.llp, DefaultDirs: []string{"/lib"}}
			if slices.Contains(tc.present, "/cache") {
				r.Cache = map[string][]string{"libx.so": {"/cache/libx.so"}}
			} else {
				r.Cache = map[string][]string{}
			}
			deps, err := r.Closure("/opt/bin/prog")
			if err != nil {
				t.Fatal(err)
			}
			if got := depPaths(deps); !reflect.DeepEqual(got, []string{"libx.so=" + tc.want + "/libx.so"}) {
				t.Errorf("got %q, want libx.so from %s", got, tc.want)
			}
		})
	}
}

// TestClosureLoaderRPath: a library without DT_RUNPATH also searches the
// DT_RPATH of the objects that loaded it; one with DT_RUNPATH does not.
func TestClosureLoaderRPath(t *testing.T) {
	for _, tc := range []struct {
		liba elfSpec
		want string
	}{
		{elfSpec{needed: []string{"libb.so"}}, "libb.so=/rp/libb.so"},
		{elfSpec{needed: []string{"libb.so"}, runpath: []string{"/nowhere"}}, "libb.so=/lib/libb.so"},
	} {
		r := &Resolver{FS: elfFS(t, map[string]elfSpec{
			"/bin/prog":   {needed: []string{"liba.so"}, rpath: []string{"/rp"}},
			"/rp/liba.so": tc.liba, "/rp/libb.so": {}, "/lib/libb.so": {},
		}), Cache: map[string][]string{}, DefaultDirs: []string{"/lib"}}
		deps, err := r.Closure("/bin/prog")
		if err != nil {
			t.Fatal(err)
		}
		if got := depPaths(deps); len(got) != 2 || got[1] != tc.want {
			t.Errorf("liba %+v: got %q, want second %q", tc.liba, got, tc.want)
		}
	}
}

func TestClosureSkipsWrongMachine(t *testing.T) {
	r := &Resolver{FS: elfFS(t, map[string]elfSpec{
		"/bin/prog":    {needed: []string{"libx.so"}},
		"/arm/libx.so": {machine: elf.EM_AARCH64},
		"/lib/libx.so": {},
	}), LibraryPath: []string{"/arm"}, Cache: map[string][]string{}, DefaultDirs: []string{"/lib"}}
	deps, err := r.Closure("/bin/prog")
	if err != nil || len(deps) != 1 || deps[0].Path != "/lib/libx.so" {
		t.Errorf("got %+v, %v; want /lib/libx.so, skipping the aarch64 one", deps, err)
	}
}

func TestClosureCyclesAndSlashes(t *testing.T) {
	r := &Resolver{FS: elfFS(t, map[string]elfSpec{
		"/bin/prog":       {needed: []string{"liba.so", "/opt/x/libq.so"}},
		"/lib/liba.so":    {needed: []string{"libb.so"}},
		"/lib/libb.so":    {needed: []string{"liba.so"}},
		"/opt/x/libq.so":  {needed: []string{"liba.so"}},
		"/bin/static":     {},
		"/bin/notelf.txt": {},
	}), Cache: map[string][]string{}, DefaultDirs: []string{"/lib"}}
	deps, err := r.Closure("/bin/prog")
	want := []string{"liba.so=/lib/liba.so", "/opt/x/libq.so=/opt/x/libq.so", "libb.so=/lib/libb.so"}
	if got := depPaths(deps); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if deps, err := r.Closure("/bin/static"); err != nil || len(deps) != 0 {
		t.Errorf("static: got %+v, %v; want nothing", deps, err)
	}
}

func TestClosureErrors(t *testing.T) {
	fsys := elfFS(t, map[string]elfSpec{
		"/bin/prog":  {needed: []string{"libgone.so.3"}},
		"/bin/noint": {interp: "/lib64/missing.so"},
	})
	fsys["/bin/script"] = []byte("#!/bin/sh\n")
	r := &Resolver{FS: fsys, LibraryPath: []string{"/llp"}, Cache: map[string][]string{}, DefaultDirs: []string{"/lib"}}
	_, err := r.Closure("/bin/prog")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Name != "libgone.so.3" || nf.By != "/bin/prog" || !reflect.DeepEqual(nf.Searched, []string{"/llp", "/lib"}) {
		t.Errorf("got %v, want libgone.so.3 not found after /llp and /lib", err)
	}
	if err != nil && !strings.Contains(err.Error(), "LD_LIBRARY_PATH") {
		t.Errorf("message lacks the fix: %v", err)
	}
	if _, err := r.Closure("/bin/script"); !errors.Is(err, ErrNotELF) {
		t.Errorf("script: got %v, want ErrNotELF", err)
	}
	if _, err := r.Closure("/bin/noint"); err == nil || !strings.Contains(err.Error(), "/lib64/missing.so") {
		t.Errorf("missing interpreter: got %v", err)
	}
}

// TestClosureHostBinaries resolves real programs on this machine with the
// host's cache and compares the result with ldd's.
func TestClosureHostBinaries(t *testing.T) {
	for _, prog := range []string{"/bin/ls", "/usr/bin/nproc", "/usr/bin/qemu-system-x86_64"} {
		t.Run(filepath.Base(prog), func(t *testing.T) {
			if _, err := os.Stat(prog); err != nil {
				t.Skipf("no %s on this host", prog)
			}
			deps, err := new(Resolver).Closure(prog)
			if err != nil {
				t.Fatal(err)
			}
			got := depPaths(deps)
			if len(deps) == 0 || !deps[0].Interp || deps[0].Path != "/lib64/ld-linux-x86-64.so.2" {
				t.Errorf("%s: %q; want the interpreter /lib64/ld-linux-x86-64.so.2 first", prog, got)
			}
			if !slices.ContainsFunc(deps, func(d Dep) bool { return d.Name == "libc.so.6" && strings.HasSuffix(d.Path, "/libc.so.6") }) {
				t.Errorf("%s: %q lacks libc.so.6", prog, got)
			}
			if want := lddDeps(t, prog); want != nil && !reflect.DeepEqual(got[1:], want) {
				t.Errorf("%s:\n got %q\nldd %q", prog, got[1:], want)
			}
		})
	}
}

// TestClosureTransitive: /bin/ls needs libselinux, which needs libpcre2.
func TestClosureTransitive(t *testing.T) {
	deps, err := new(Resolver).Closure("/bin/ls")
	if err != nil {
		t.Skipf("/bin/ls: %v", err)
	}
	i := slices.IndexFunc(deps, func(d Dep) bool { return d.Name == "libselinux.so.1" })
	if i < 0 {
		t.Skip("this /bin/ls is built without SELinux")
	}
	if !slices.ContainsFunc(deps, func(d Dep) bool { return strings.HasPrefix(d.Name, "libpcre2-8.so") && d.By == deps[i].Path }) {
		t.Errorf("%q: want libpcre2-8 needed by %s", depPaths(deps), deps[i].Path)
	}
}

// lddDeps runs ldd on prog and returns its "name=path" lines sorted the
// way the loader loaded them (ldd lists in load order), or nil without
// ldd.
func lddDeps(t *testing.T, prog string) []string {
	out, err := exec.Command("ldd", prog).Output()
	if err != nil {
		t.Logf("ldd %s: %v; not comparing", prog, err)
		return nil
	}
	var deps []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		name, rest, ok := strings.Cut(strings.TrimSpace(sc.Text()), " => ")
		if !ok {
			continue // linux-vdso.so.1, the interpreter
		}
		p, _, _ := strings.Cut(rest, " (")
		deps = append(deps, name+"="+p)
	}
	return deps
}
