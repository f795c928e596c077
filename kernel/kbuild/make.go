package kbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gauntlet-sched/gauntlet/kernel"
)

// configure writes the tree's .config: the base config target, the
// fragment merged in, olddefconfig. It fails before the long compile when
// an option the harness needs did not survive, and returns the fragment
// settings that were dropped.
func (b *builder) configure(ctx context.Context, tree string) ([]string, error) {
	if err := b.make(ctx, tree, "configure: "+b.opts.BaseConfig, b.opts.BaseConfig); err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(tree, ".config")
	base, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("configure: %w", err)
	}
	if err := os.WriteFile(cfgPath, kernel.MergeConfig(base, b.opts.Fragment), 0o644); err != nil {
		return nil, fmt.Errorf("configure: %w", err)
	}
	if err := b.make(ctx, tree, "configure: merge the fragment, olddefconfig", "olddefconfig"); err != nil {
		return nil, err
	}
	final, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("configure: %w", err)
	}
	dropped := kernel.DroppedOptions(final, b.opts.Fragment)
	for _, d := range dropped {
		b.logf("configure: fragment option not in the final config: %s", d)
	}
	if err := kernel.CheckConfig(final, b.opts.Arch.Name); err != nil {
		return dropped, fmt.Errorf("configure: %w", err)
	}
	return dropped, nil
}

// make runs make in tree with the given targets, its output appended to
// the build log and counted for progress. Cancelling ctx kills make's
// whole process group (compilers included).
func (b *builder) make(ctx context.Context, tree, phase string, targets ...string) error {
	b.logf("%s", phase)
	logf, err := os.OpenFile(b.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	// The compilers' temporary files go to a directory of ours, so a
	// cancelled build (its compilers killed mid-file) leaves none behind.
	tmp, err := os.MkdirTemp("", "gauntlet-make-")
	if err != nil {
		return fmt.Errorf("%s: %w", phase, err)
	}
	defer os.RemoveAll(tmp)
	prog := &progress{log: b.opts.Log, start: time.Now(), every: 250}
	args := append([]string{"-C", tree, "-j" + strconv.Itoa(b.opts.Jobs)}, targets...)
	cmd := exec.CommandContext(ctx, "make", args...)
	cmd.Env = append(os.Environ(), "KBUILD_BUILD_USER=gauntlet", "KBUILD_BUILD_HOST=gauntlet", "TMPDIR="+tmp)
	cmd.Stdout = io.MultiWriter(logf, prog)
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	prog.done(phase)
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", phase, ctx.Err())
	case errors.Is(err, exec.ErrNotFound):
		return fmt.Errorf("%s: make not found: apt-get install -y build-essential", phase)
	case err != nil:
		b.keepLog = true
		return fmt.Errorf("%s: make %s: %w%s; last lines: %s; full log: %s",
			phase, strings.Join(targets, " "), err, missingToolsHint(), logTail(b.logPath, 5), b.logPath)
	}
	return nil
}

// progress counts compiled files in make's output and reports every
// `every` of them with the elapsed time.
type progress struct {
	log     io.Writer
	start   time.Time
	every   int
	files   int
	partial []byte
}

func (p *progress) Write(b []byte) (int, error) {
	data := append(p.partial, b...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		p.line(data[:i])
		data = data[i+1:]
	}
	p.partial = append(p.partial[:0], data...)
	return len(b), nil
}

// line counts a compile line and passes on the milestones of the final
// link (vmlinux, BTF, the boot image), which take minutes without one.
func (p *progress) line(l []byte) {
	f := bytes.Fields(l)
	switch {
	case len(f) == 2 && string(f[0]) == "CC":
		p.files++
		if p.files%p.every == 0 {
			fmt.Fprintf(p.log, "  %d files compiled, %s (%s)\n", p.files, time.Since(p.start).Round(time.Second), f[1])
		}
	case len(f) >= 2 && (string(f[0]) == "BTF" || string(f[0]) == "BUILD" || string(f[0]) == "Kernel:" ||
		string(f[0]) == "LD" && bytes.HasPrefix(f[1], []byte("vmlinux"))):
		fmt.Fprintf(p.log, "  %s, %s\n", bytes.Join(f, []byte(" ")), time.Since(p.start).Round(time.Second))
	}
}

func (p *progress) done(phase string) {
	if p.files > 0 {
		fmt.Fprintf(p.log, "  %s: %d files compiled in %s\n", phase, p.files, time.Since(p.start).Round(time.Second))
	}
}

// logTail returns the last n non-empty lines of the log, joined by " | ".
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	lines := strings.FieldsFunc(string(b), func(r rune) bool { return r == '\n' })
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " | ")
}

// buildTools are what building a kernel needs, with their Debian package.
var buildTools = []struct{ file, pkg string }{
	{"make", "make"}, {"gcc", "build-essential"}, {"flex", "flex"}, {"bison", "bison"},
	{"bc", "bc"}, {"pahole", "dwarves"}, {"perl", "perl"},
	{"/usr/include/libelf.h", "libelf-dev"}, {"/usr/include/openssl/opensslv.h", "libssl-dev"},
}

// missingToolsHint names the build tools that are not installed and the
// apt-get line that installs them, or "" when all are there.
func missingToolsHint() string {
	var names, pkgs []string
	for _, t := range buildTools {
		var err error
		if filepath.IsAbs(t.file) {
			_, err = os.Stat(t.file)
		} else {
			_, err = exec.LookPath(t.file)
		}
		if err != nil {
			names = append(names, filepath.Base(t.file))
			pkgs = append(pkgs, t.pkg)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf(" (missing %s: apt-get install -y %s)", strings.Join(names, ", "), strings.Join(pkgs, " "))
}
