package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gauntlet-sched/gauntlet/internal/loadcache"
)

// TestMain makes this test binary the commands of the txtar scripts
// (testdata/script): run as gauntlet it is the command, run as
// qemu-system-x86_64 a fake QEMU that plays a guest (fakeQEMUMain).
// testscript.Main puts both on PATH; they stay on the scripts' PATH only
// (see hideScriptBin), so this package's VM tests boot the real QEMU.
func TestMain(m *testing.M) {
	testscript.Main(scriptMain{m}, map[string]func(){
		"gauntlet":           main,
		"qemu-system-x86_64": fakeQEMUMain,
	})
}

// scriptMain runs the tests: with the fixture load cache, and without
// the scripts' commands on PATH.
type scriptMain struct{ m *testing.M }

func (s scriptMain) Run() int {
	dir, err := os.MkdirTemp("", "gauntlet-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(dir)
	loadCache = loadcache.New(dir)
	if err := hideScriptBin(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return s.m.Run()
}

// scriptBin is the directory of the scripts' commands, which
// testscript.Main put first on PATH.
var scriptBin string

// hideScriptBin takes scriptBin off this process's PATH; scriptSetup puts
// it back on each script's.
func hideScriptBin() error {
	first, rest, _ := strings.Cut(os.Getenv("PATH"), string(os.PathListSeparator))
	if _, err := os.Stat(filepath.Join(first, "qemu-system-x86_64")); err != nil {
		return fmt.Errorf("testscript's command directory is not first on PATH: %w", err)
	}
	scriptBin = first
	return os.Setenv("PATH", rest)
}
