package elfdeps

import (
	"fmt"
	"io"
	"path"
	"strings"
)

// DefaultDirs are the directories searched last, after the cache: Debian's
// multiarch directories for x86-64, then the traditional ones.
var DefaultDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/lib", "/usr/lib"}

// Dep is one file a program needs besides itself.
type Dep struct {
	// Name is the DT_NEEDED entry, or the PT_INTERP path for the
	// interpreter.
	Name string
	// Path is where it was found: an absolute path as the loader would
	// open it (symbolic links not resolved).
	Path string
	// Interp marks the program's interpreter (the dynamic loader).
	Interp bool
	// By is the path of the object that needed it.
	By string
}

// NotFoundError is a library that no search directory holds.
type NotFoundError struct {
	Name     string   // the DT_NEEDED entry
	By       string   // the object that needs it
	Searched []string // directories tried, in order
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s needs %s, found in none of %s; put its directory in LD_LIBRARY_PATH",
		e.By, e.Name, strings.Join(e.Searched, ":"))
}

// Resolver finds the interpreter and library closure of ELF programs. The
// zero value searches the host's file system with its ld.so.cache and
// [DefaultDirs] and no LD_LIBRARY_PATH. A Resolver caches the parsed
// ld.so.cache; it is not safe for concurrent use.
type Resolver struct {
	// FS is the file system searched; nil means [OS].
	FS FS
	// LibraryPath is LD_LIBRARY_PATH's directories (see
	// [SplitLibraryPath]); nil means none.
	LibraryPath []string
	// Cache maps sonames to library paths in order of preference; nil
	// means read [CachePath] through FS (a missing or unreadable cache
	// is skipped, as the loader skips it).
	Cache map[string][]string
	// DefaultDirs are searched last; nil means [DefaultDirs].
	DefaultDirs []string
}

// node is a loaded object in the search: its path, its dynamic info and
// the object that loaded it.
type node struct {
	path   string
	obj    Object
	loader *node
}

// closure is one walk: what is loaded, by every name it answers to.
type closure struct {
	r      *Resolver
	root   Object
	loaded map[string]bool
	deps   []Dep
}

// Closure returns what the ELF program (or library) at path needs: its
// interpreter first, then its libraries, breadth first as the loader
// loads them. A static program needs nothing. A file that is not ELF
// gives an error wrapping [ErrNotELF]; a library found nowhere gives a
// [*NotFoundError].
func (r *Resolver) Closure(p string) ([]Dep, error) {
	root, err := r.inspect(p)
	if err != nil {
		return nil, err
	}
	c := &closure{r: r, root: root, loaded: map[string]bool{p: true}}
	if root.Interp != "" {
		if err := c.addInterp(p, root.Interp); err != nil {
			return nil, err
		}
	}
	queue := []*node{{path: p, obj: root}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, name := range n.obj.Needed {
			next, err := c.need(n, name)
			if err != nil {
				return nil, err
			}
			if next != nil {
				queue = append(queue, next)
			}
		}
	}
	return c.deps, nil
}

// addInterp records the interpreter, which the kernel loads by its exact
// path; it answers to its soname too (glibc's libc needs it by soname).
func (c *closure) addInterp(by, interp string) error {
	o, err := c.r.inspect(interp)
	if err != nil {
		return fmt.Errorf("%s: interpreter: %w", by, err)
	}
	c.mark(interp, interp, o)
	c.deps = append(c.deps, Dep{Name: interp, Path: interp, Interp: true, By: by})
	return nil
}

// need resolves one DT_NEEDED entry of n; it returns the new node, or nil
// when the library was already loaded.
func (c *closure) need(n *node, name string) (*node, error) {
	if c.loaded[name] {
		return nil, nil
	}
	p, o, err := c.find(n, name)
	if err != nil {
		return nil, err
	}
	if c.loaded[p] || o.Soname != "" && c.loaded[o.Soname] {
		c.loaded[name] = true
		return nil, nil
	}
	c.mark(name, p, o)
	c.deps = append(c.deps, Dep{Name: name, Path: p, By: n.path})
	return &node{path: p, obj: o, loader: n}, nil
}

func (c *closure) mark(name, p string, o Object) {
	c.loaded[name], c.loaded[p] = true, true
	if o.Soname != "" {
		c.loaded[o.Soname] = true
	}
}

// find searches for library name needed by n in the loader's order.
func (c *closure) find(n *node, name string) (string, Object, error) {
	if strings.Contains(name, "/") {
		o, err := c.r.inspect(name)
		if err != nil {
			return "", Object{}, fmt.Errorf("%s needs %s: %w", n.path, name, err)
		}
		return name, o, nil
	}
	var searched []string
	try := func(p string) (Object, bool) {
		o, err := c.r.inspect(p)
		return o, err == nil && o.Class == c.root.Class && o.Machine == c.root.Machine
	}
	for _, dir := range c.r.searchDirs(n) {
		searched = append(searched, dir)
		if o, ok := try(path.Join(dir, name)); ok {
			return path.Join(dir, name), o, nil
		}
	}
	for _, p := range c.r.cached(name) {
		if o, ok := try(p); ok {
			return p, o, nil
		}
	}
	for _, dir := range c.r.defaultDirs() {
		searched = append(searched, dir)
		if o, ok := try(path.Join(dir, name)); ok {
			return path.Join(dir, name), o, nil
		}
	}
	return "", Object{}, &NotFoundError{Name: name, By: n.path, Searched: searched}
}

// searchDirs are the directories searched before the cache: DT_RPATH of
// n and its loaders (only when n has no DT_RUNPATH; an object's own
// DT_RPATH counts only when it has no DT_RUNPATH), LD_LIBRARY_PATH, then
// n's DT_RUNPATH.
func (r *Resolver) searchDirs(n *node) []string {
	var dirs []string
	if len(n.obj.RunPath) == 0 {
		for l := n; l != nil; l = l.loader {
			if len(l.obj.RunPath) == 0 {
				dirs = append(dirs, expand(l.obj.RPath, l.path)...)
			}
		}
	}
	dirs = append(dirs, r.LibraryPath...)
	return append(dirs, expand(n.obj.RunPath, n.path)...)
}

// expand substitutes $ORIGIN (the directory of the object at p) in dirs
// and drops directories with other substitutions, which the resolver does
// not model ($LIB, $PLATFORM), and relative ones.
func expand(dirs []string, p string) []string {
	var out []string
	origin := path.Dir(p)
	for _, d := range dirs {
		d = strings.ReplaceAll(strings.ReplaceAll(d, "${ORIGIN}", origin), "$ORIGIN", origin)
		if !strings.Contains(d, "$") && path.IsAbs(d) {
			out = append(out, path.Clean(d))
		}
	}
	return out
}

func (r *Resolver) defaultDirs() []string {
	if r.DefaultDirs != nil {
		return r.DefaultDirs
	}
	return DefaultDirs
}

// cached returns the cache's paths for name, loading the cache on first
// use.
func (r *Resolver) cached(name string) []string {
	if r.Cache == nil {
		r.Cache = r.loadCache()
	}
	return r.Cache[name]
}

// loadCache reads and indexes [CachePath] with [CacheIndex].
func (r *Resolver) loadCache() map[string][]string {
	b, err := readAll(r.fs(), CachePath)
	if err != nil {
		return map[string][]string{}
	}
	entries, err := ParseCache(b)
	if err != nil {
		return map[string][]string{}
	}
	return CacheIndex(entries)
}

// CacheIndex indexes parsed cache entries the way a nil [Resolver.Cache]
// is filled: soname to paths, baseline libraries (HWCap 0) before
// hardware-capability variants, so a closure holds the copy that runs on
// any x86-64 CPU.
func CacheIndex(entries []CacheEntry) map[string][]string {
	m := map[string][]string{}
	for _, pass := range []bool{false, true} {
		for _, e := range entries {
			if (e.HWCap != 0) == pass {
				m[e.Name] = append(m[e.Name], e.Path)
			}
		}
	}
	return m
}

func (r *Resolver) fs() FS {
	if r.FS == nil {
		return OS
	}
	return r.FS
}

// inspect opens p and reads its ELF information.
func (r *Resolver) inspect(p string) (Object, error) {
	f, err := r.fs().Open(p)
	if err != nil {
		return Object{}, err
	}
	defer f.Close()
	o, err := Inspect(f)
	if err != nil {
		return Object{}, fmt.Errorf("%s: %w", p, err)
	}
	return o, nil
}

// readAll reads the whole file p from fsys.
func readAll(fsys FS, p string) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []byte
	buf := make([]byte, 64<<10)
	for off := int64(0); ; {
		n, err := f.ReadAt(buf, off)
		out = append(out, buf[:n]...)
		off += int64(n)
		switch {
		case err == io.EOF:
			return out, nil
		case err != nil:
			return nil, err
		}
	}
}
