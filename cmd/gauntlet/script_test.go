package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
)

// TestScripts runs the end-to-end scripts of testdata/script: each is a
// txtar archive whose commands run gauntlet (this test binary, see
// TestMain) against the files it holds. In the scripts:
//
//   - gauntlet is the command and qemu-system-x86_64 a fake QEMU that
//     passes every test unless $FAKE_FAIL matches the variant, or fails
//     only the first boot of variants matching $FAKE_FLAKY
//     (fakeQEMUMain);
//   - exits N CMD [ARGS...] runs CMD like exec and fails unless its exit
//     status is N (exec and ! exec tell only zero from non-zero; the
//     statuses 1 and 2 are gauntlet's contract);
//   - rundir DIR VAR sets $VAR to the one run directory under DIR (their
//     names hold the time and a random suffix);
//   - mkbzimage FILE writes a kernel image that passes the image check;
//   - $GAUNTLET_ROOT is this module's root; go.mod files in the archive
//     may name it in a replace directive, which Setup expands;
//   - the go command runs offline (GOPROXY=off, GOFLAGS=-mod=mod) on
//     this machine's module and build caches.
func TestScripts(t *testing.T) {
	t.Parallel()
	goEnv := hostGoEnv(t)
	testscript.Run(t, testscript.Params{
		Dir:   filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error { return scriptSetup(e, goEnv) },
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits": cmdExits, "rundir": cmdRunDir, "mkbzimage": cmdMkBzImage,
		},
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	})
}

// scriptSetup gives a script the commands, the module root and an
// offline go command, and expands $GAUNTLET_ROOT in its go.mod files.
func scriptSetup(e *testscript.Env, goEnv map[string]string) error {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	e.Setenv("PATH", scriptBin+string(os.PathListSeparator)+e.Getenv("PATH"))
	e.Setenv("GAUNTLET_ROOT", root)
	for k, v := range goEnv {
		e.Setenv(k, v)
	}
	for k, v := range map[string]string{
		"GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOSUMDB": "off", "GOTOOLCHAIN": "local",
		"CGO_ENABLED": "0", "XDG_CACHE_HOME": filepath.Join(e.WorkDir, ".cache"),
	} {
		e.Setenv(k, v)
	}
	return expandGoMods(e.WorkDir, root)
}

// expandGoMods replaces $GAUNTLET_ROOT with root in every go.mod under
// dir.
func expandGoMods(dir, root string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "go.mod" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(p, bytes.ReplaceAll(b, []byte("$GAUNTLET_ROOT"), []byte(root)), 0o644)
	})
}

var goEnvOnce = sync.OnceValues(func() (map[string]string, error) {
	out, err := exec.Command("go", "env", "-json", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	return env, json.Unmarshal(out, &env)
})

// hostGoEnv is where this machine's go command keeps its caches, which
// the scripts share (their HOME is /no-home).
func hostGoEnv(t *testing.T) map[string]string {
	env, err := goEnvOnce()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	return env
}

// cmdMkBzImage is `mkbzimage FILE`: it writes a minimal bzImage
// ([testutil.FakeBzImage]) to FILE.
func cmdMkBzImage(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkbzimage FILE")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), testutil.FakeBzImage("6.12.0-fake"), 0o644))
}

// cmdExits is `exits N CMD [ARGS...]`.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N CMD [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdRunDir is `rundir DIR VAR`.
func cmdRunDir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: rundir DIR VAR")
	}
	dirs, err := filepath.Glob(filepath.Join(ts.MkAbs(args[0]), "2*-*"))
	ts.Check(err)
	if len(dirs) != 1 {
		ts.Fatalf("run directories under %s: %q, want one", args[0], dirs)
	}
	ts.Setenv(args[1], dirs[0])
}

// The scripts' commands must not be found by the other tests.
func TestScriptCommandsOffPath(t *testing.T) {
	t.Parallel()
	for _, p := range filepath.SplitList(os.Getenv("PATH")) {
		if p == scriptBin || strings.HasPrefix(p, filepath.Dir(scriptBin)) {
			t.Errorf("PATH holds the scripts' commands: %s", p)
		}
	}
}
