package guest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// fakeSchedExt points the sched_ext sysfs at a temp dir with state and
// ops files.
func fakeSchedExt(t *testing.T, state, ops string) string {
	t.Helper()
	dir := t.TempDir()
	old := scxRoot
	scxRoot = dir
	t.Cleanup(func() { scxRoot = old })
	os.MkdirAll(filepath.Join(dir, "root"), 0o755)
	setSchedExt(t, state, ops)
	return dir
}

func setSchedExt(t *testing.T, state, ops string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(scxRoot, "state"), []byte(state+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(scxRoot, "root", "ops"), []byte(ops+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckSchedExtMissingIsNotSupported(t *testing.T) {
	old := scxRoot
	scxRoot = filepath.Join(t.TempDir(), "none")
	defer func() { scxRoot = old }()
	err := checkSchedExt()
	if !errors.Is(err, spec.ErrNotSupported) || !strings.Contains(err.Error(), spec.EnvSchedExtKernel) {
		t.Errorf("err %v: want ErrNotSupported naming %s", err, spec.EnvSchedExtKernel)
	}
}

func TestCheckSchedExtBusy(t *testing.T) {
	fakeSchedExt(t, "enabled", "other")
	if err := checkSchedExt(); err == nil || !strings.Contains(err.Error(), `"other"`) {
		t.Errorf("err %v: want one naming the loaded scheduler", err)
	}
}

func TestSchedulerLiveness(t *testing.T) {
	fakeSchedExt(t, "enabled", "mysched")
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep binary:", err)
	}
	sc := &scheduler{name: "mysched", cmd: cmd, exited: make(chan struct{}), out: &tailBuffer{max: 100}}
	go func() { sc.waitErr = cmd.Wait(); close(sc.exited) }()
	if err := sc.alive(); err != nil {
		t.Fatalf("alive: %v", err)
	}
	setSchedExt(t, "enabled", "someone_else")
	if err := sc.alive(); err == nil || !strings.Contains(err.Error(), "someone_else") {
		t.Errorf("replaced scheduler: %v", err)
	}
	setSchedExt(t, "disabled", "")
	if err := sc.alive(); err == nil || !strings.Contains(err.Error(), `state "disabled"`) {
		t.Errorf("disabled sched_ext: %v", err)
	}
	setSchedExt(t, "enabled", "mysched")
	cmd.Process.Kill()
	<-sc.exited
	if err := sc.alive(); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("dead process: %v", err)
	}
}

func TestSchedulerArgs(t *testing.T) {
	s := &spec.Scheduler{Name: "x", Args: []string{"-v"}, Flags: []spec.Flag{
		{Name: "a", Args: []string{"--a"}}, {Name: "b", Args: []string{"--b", "1"}},
	}}
	got, err := schedulerArgs(s, []string{"b", "a"})
	if err != nil || strings.Join(got, " ") != "-v --a --b 1" {
		t.Errorf("args %q, %v; want declaration order", got, err)
	}
	if _, err := schedulerArgs(s, []string{"c"}); err == nil {
		t.Error("undeclared flag accepted")
	}
}

func TestBuiltinArgsAndSpec(t *testing.T) {
	o, err := parseBuiltinArgs([]string{"--timeout-ms=5000", "--switch-partial"})
	if err != nil || o.timeoutMS != 5000 || !o.partial {
		t.Errorf("options %+v, %v", o, err)
	}
	for _, bad := range []string{"--timeout-ms=0", "--timeout-ms=x", "--fast"} {
		if _, err := parseBuiltinArgs([]string{bad}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	cs, err := builtinSpec("gauntlet_min", o)
	if err != nil {
		t.Fatal(err)
	}
	m := cs.Maps["gauntlet_ops"]
	val := m.Contents[0].Value.([]byte)
	if m.Flags != bpfFLink || len(val) != opsSize || string(val[:12]) != "gauntlet_min" || val[opsFlagsOff] != scxOpsSwitchPartial {
		t.Errorf("map spec flags %#x value % x", m.Flags, val[:16])
	}
	if _, err := builtinSpec("bad name", o); err == nil {
		t.Error("a name the kernel rejects was accepted")
	}
}
