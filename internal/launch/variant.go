package launch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gauntlet-sched/gauntlet/internal/elfdeps"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// VariantConfig returns the VM config that runs the test called test (as
// described by its Spec s) from test binary bin as variant v on kernel k:
// v's topology, the memory and timeout s asks for, s's scheduler binary
// (or v's, [spec.Variant.Scheduler], when s has none) in the guest, and
// the test selected exactly by [spec.RunPattern]. The
// caller sets Accel, Output and ConsoleLog. `go test` (one base variant)
// and `gauntlet run` (many) build their VMs with it.
//
// A dynamically linked scheduler binary brings its interpreter and
// libraries (at their host paths; [spec.EnvSchedulerLibPath] tells the
// guest their directories). When [SchedulerFiles] fails (the binary is
// missing, a library is not found), the config holds the binary alone
// and the VM or the guest reports the problem; callers that want it
// reported before a boot call SchedulerFiles first. The Spec's payload
// binaries come the same way ([PayloadFiles]); when one cannot be packed
// none are, and the guest fails the payload op that starts it.
func VariantConfig(bin, test string, s spec.Spec, v spec.Variant, k kernel.Kernel) vm.Config {
	if v.Kernel == "" {
		v.Kernel = k.String()
	}
	s.Scheduler = spec.SchedulerOf(s, v) // a --scheduler override is packed like a Spec's own
	env := guestEnv()
	files, libPath, err := SchedulerFiles(s)
	if err != nil {
		files = []vm.File{{Host: s.Scheduler.Binary, Guest: spec.SchedulerGuestPath(s.Scheduler.Binary)}}
	}
	if len(libPath) > 0 {
		env = append(env, spec.EnvSchedulerLibPath+"="+strings.Join(libPath, ":"))
	}
	if pf, plib, err := PayloadFiles(s); err == nil {
		files = appendFiles(files, pf...)
		if len(plib) > 0 {
			env = append(env, spec.EnvPayloadLibPath+"="+strings.Join(plib, ":"))
		}
	}
	cfg := vm.Config{
		Kernel:    k.Path,
		Init:      bin,
		Topology:  v.Topology,
		Args:      []string{"-test.run", spec.RunPattern(test), "-test.v"},
		Env:       env,
		Variant:   &v,
		Files:     files,
		MemoryMiB: topo.GuestMemoryMiB(v.Topology, s.MemoryMiB),
		Timeout:   s.Timeout,
		Duration:  s.WithDefaults().Duration,
	}
	return cfg
}

// SchedExtKernel returns the kernel [spec.EnvSchedExtKernel]
// (GAUNTLET_SCX_KERNEL) names, or nil when it is unset. Tests whose Spec
// has a scheduler boot it instead of the discovered kernel, which may lack
// sched_ext. A set variable that names no kernel image is an error.
func SchedExtKernel() (*kernel.Kernel, error) {
	p := os.Getenv(spec.EnvSchedExtKernel)
	if p == "" {
		return nil, nil
	}
	if err := kernel.CheckImage(p); err != nil {
		return nil, fmt.Errorf("%s=%s: %w", spec.EnvSchedExtKernel, p, err)
	}
	yes := true
	rel, _ := kernel.ImageVersion(p)
	return &kernel.Kernel{Path: p, Step: spec.EnvSchedExtKernel, SchedExt: &yes, Release: rel}, nil
}

// guestEnv passes settings that must hold inside the guest too.
func guestEnv() []string {
	var env []string
	for _, name := range []string{spec.EnvRequireVM, spec.EnvRequireSchedExt, spec.EnvSchedulers} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// SchedulerBinaryError is a scheduler binary the host cannot pack: it
// does not exist, is not an executable file, or a library it needs is
// found nowhere.
type SchedulerBinaryError struct {
	Scheduler string // the Spec's scheduler name
	Binary    string // Spec.Scheduler.Binary
	Err       error
}

func (e *SchedulerBinaryError) Error() string {
	return fmt.Sprintf("scheduler %s: binary %s: %v (Spec.Scheduler.Binary is a path on the host)", e.Scheduler, e.Binary, e.Err)
}

func (e *SchedulerBinaryError) Unwrap() error { return e.Err }

// SchedulerFiles returns the files that put s's scheduler binary, if any,
// where the guest looks for it ([spec.SchedulerGuestPath]) and, for a
// dynamically linked one, its interpreter and library closure at their
// host paths (found as the host's loader finds them, LD_LIBRARY_PATH
// included), with the libraries' directories for the guest's
// LD_LIBRARY_PATH. A missing or non-executable binary, or a missing
// library, is a *SchedulerBinaryError.
func SchedulerFiles(s spec.Spec) (files []vm.File, libPath []string, err error) {
	if s.Scheduler == nil || s.Scheduler.Binary == "" {
		return nil, nil, nil
	}
	files, libPath, err = binaryFiles(s.Scheduler.Binary, spec.SchedulerGuestPath(s.Scheduler.Binary))
	if err != nil {
		return nil, nil, &SchedulerBinaryError{Scheduler: s.Scheduler.Name, Binary: s.Scheduler.Binary, Err: err}
	}
	return files, libPath, nil
}

// binaryFiles returns the files that put the host binary bin at guest
// path in the guest, with its ELF closure at the host paths, and the
// libraries' directories.
func binaryFiles(bin, guest string) (files []vm.File, libPath []string, err error) {
	info, err := os.Stat(bin)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, errors.New("not a regular file")
	}
	if info.Mode().Perm()&0o111 == 0 {
		return nil, nil, errors.New("not executable (chmod +x it)")
	}
	real, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return nil, nil, err
	}
	// The guest gets the file a symbolic link names, under the link's name.
	files = []vm.File{{Host: real, Guest: guest}}
	r := &elfdeps.Resolver{LibraryPath: elfdeps.SplitLibraryPath(os.Getenv("LD_LIBRARY_PATH"))}
	deps, err := r.Closure(bin)
	if errors.Is(err, elfdeps.ErrNotELF) {
		return files, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{files[0].Guest: true}
	for _, d := range deps {
		host, err := filepath.EvalSymlinks(d.Path)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		if seen[d.Path] {
			continue
		}
		seen[d.Path] = true
		files = append(files, vm.File{Host: host, Guest: d.Path})
		if dir := path.Dir(d.Path); !d.Interp && !slices.Contains(libPath, dir) {
			libPath = append(libPath, dir)
		}
	}
	return files, libPath, nil
}
