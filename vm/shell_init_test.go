package vm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// shellInitCases are the /init scripts pinned in testdata.
var shellInitCases = []struct {
	name string
	init shellInit
}{
	{"interactive", shellInit{Topology: topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 1, ThreadsPerCore: 1}, Term: "xterm-256color", Rows: 50, Cols: 132}},
	{"command", shellInit{
		Topology:    topo.Topology{NUMA: 2, LLCs: 2, CoresPerLLC: 2, ThreadsPerCore: 1},
		Command:     []string{"sh", "-c", "nproc; echo 'it''s' \"$HOME\"; exit 7"},
		LibraryPath: []string{"/opt/app/lib", "/usr/local/lib"},
	}},
}

// TestShellInitScript pins the generated /init scripts. Regenerate
// testdata/shell-init-*.golden with:
//
//	go test ./vm -run TestShellInitScript -update
func TestShellInitScript(t *testing.T) {
	for _, tc := range shellInitCases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, "shell-init-"+tc.name+".golden", tc.init.script())
		})
	}
}

func TestShellInitScriptContents(t *testing.T) {
	interactive, command := shellInitCases[0].init.script(), shellInitCases[1].init.script()
	for _, want := range []string{"TERM=xterm-256color", "stty rows 50 cols 132", "setsid cttyhack sh\n", "report \"exit $status\"\n", "poweroff -f\n"} {
		if !strings.Contains(interactive, want) {
			t.Errorf("interactive script lacks %q", want)
		}
	}
	if strings.Contains(interactive, "LD_LIBRARY_PATH") || strings.Contains(interactive, "sh -c") {
		t.Error("interactive script sets LD_LIBRARY_PATH or runs a command")
	}
	for _, want := range []string{"TERM=linux", "export LD_LIBRARY_PATH=/opt/app/lib:/usr/local/lib", "setsid cttyhack sh -c ", "requested topology 2n2l2c1t, vCPUs: 4"} {
		if !strings.Contains(command, want) {
			t.Errorf("command script lacks %q", want)
		}
	}
	if strings.Contains(command, "stty rows") {
		t.Error("command script sets a console size nobody gave")
	}
}

// TestShellInitCommandQuoting runs the command line of the generated
// script with the host's sh and checks that the guest would see exactly
// the words given.
func TestShellInitCommandQuoting(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on this host")
	}
	words := []string{"printf", "[%s]", "a b", "it's", "$HOME", `"q"`, "*", ""}
	script := shellInit{Command: words}.script()
	i := strings.Index(script, "setsid cttyhack ")
	line, _, _ := strings.Cut(script[i+len("setsid cttyhack "):], "\n")
	out, err := exec.Command(sh, "-c", line).Output()
	if want := `[a b][it's][$HOME]["q"][*][]`; err != nil || string(out) != want {
		t.Errorf("%s -> %q, %v; want %q", line, out, err, want)
	}
}

// TestShellInitSyntax parses the scripts with busybox sh -n, the shell
// that runs them.
func TestShellInitSyntax(t *testing.T) {
	if CheckStaticBinary(DefaultBusybox) != nil {
		t.Skipf("no static busybox at %s (apt-get install busybox-static)", DefaultBusybox)
	}
	for _, tc := range shellInitCases {
		p := filepath.Join(t.TempDir(), "init")
		if err := os.WriteFile(p, []byte(tc.init.script()), 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(DefaultBusybox, "sh", "-n", p).CombinedOutput(); err != nil {
			t.Errorf("%s: busybox sh -n: %v\n%s", tc.name, err, out)
		}
	}
}
