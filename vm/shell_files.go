package vm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/gauntlet-sched/gauntlet/internal/elfdeps"
)

// Guest paths of a shell VM.
const (
	// ShellIncludeDir is where [ShellConfig.Include] files land in the
	// guest: a file at ShellIncludeDir/<name>, a directory's contents
	// under ShellIncludeDir/<dirname>/.
	ShellIncludeDir = "/include-files"
	// shellBusyboxGuest is busybox in the guest; the init links its
	// applets into /bin.
	shellBusyboxGuest = "/bin/busybox"
)

// shellPlan is what goes into a shell VM's initramfs besides /init.
type shellPlan struct {
	files []File
	// libPath lists the directories of included libraries, for the
	// guest's LD_LIBRARY_PATH: the guest has no ld.so.cache, and the
	// loader's built-in directories differ between distributions.
	libPath []string
}

// planShellFiles lays out busybox, the include paths and, for every ELF
// program among them (directories are walked), its interpreter and
// library closure at their original paths. r resolves the closures.
func planShellFiles(busybox string, include []string, r *elfdeps.Resolver) (shellPlan, error) {
	p := &planner{r: r, byGuest: map[string]string{}}
	p.add(File{Host: busybox, Guest: shellBusyboxGuest})
	for _, inc := range include {
		if err := p.include(inc); err != nil {
			return shellPlan{}, err
		}
	}
	return shellPlan{files: p.files, libPath: p.libPath}, nil
}

// planner accumulates a shell VM's files; byGuest maps guest paths to the
// include that claimed them.
type planner struct {
	r       *elfdeps.Resolver
	files   []File
	byGuest map[string]string
	libPath []string
}

func (p *planner) add(f File) {
	if _, ok := p.byGuest[f.Guest]; !ok {
		p.byGuest[f.Guest] = f.Host
		p.files = append(p.files, f)
	}
}

// include adds one include path: a file or a directory, with the
// dependencies of the ELF programs in it.
func (p *planner) include(inc string) error {
	host, info, err := resolveInclude(inc)
	if err != nil {
		return err
	}
	guest := path.Join(ShellIncludeDir, filepath.Base(host))
	if prev, dup := p.byGuest[guest]; dup {
		return fmt.Errorf("include %s: %s already takes %s; rename or copy one", inc, prev, guest)
	}
	p.add(File{Host: host, Guest: guest})
	if !info.IsDir() {
		return p.deps(host)
	}
	return filepath.WalkDir(host, func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("include %s: %w", inc, err)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return p.deps(f)
	})
}

// resolveInclude returns the real path of an include (a symbolic link is
// followed, so the guest gets the file it names) and its info.
func resolveInclude(inc string) (string, fs.FileInfo, error) {
	abs, err := filepath.Abs(inc)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if err != nil {
		return "", nil, fmt.Errorf("include %s: %w", inc, err)
	}
	if abs == "/" {
		return "", nil, fmt.Errorf("include %s: cannot include the root directory", inc)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", nil, fmt.Errorf("include %s: %w", inc, err)
	}
	if !info.IsDir() && !info.Mode().IsRegular() {
		return "", nil, fmt.Errorf("include %s: not a regular file or directory", inc)
	}
	return abs, info, nil
}

// deps adds the interpreter and libraries the ELF file f needs; other
// files need nothing.
func (p *planner) deps(f string) error {
	deps, err := p.r.Closure(f)
	if errors.Is(err, elfdeps.ErrNotELF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("include %s: %w", f, err)
	}
	for _, d := range deps {
		host, err := filepath.EvalSymlinks(d.Path)
		if err != nil {
			return fmt.Errorf("include %s: %s: %w", f, d.Name, err)
		}
		p.add(File{Host: host, Guest: d.Path})
		if dir := path.Dir(d.Path); !d.Interp && !slices.Contains(p.libPath, dir) {
			p.libPath = append(p.libPath, dir)
		}
	}
	return nil
}
