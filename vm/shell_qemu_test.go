package vm

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// TestShellArgv pins a shell VM's QEMU command line. Regenerate
// testdata/shell-args.golden with:
//
//	go test ./vm -run TestShellArgv -update
func TestShellArgv(t *testing.T) {
	var b strings.Builder
	b.WriteString("# QEMU argv of shell VMs. Regenerate: go test ./vm -run TestShellArgv -update\n")
	for _, tc := range []struct {
		topology string
		accel    spec.Accel
	}{{"1n1l1c1t", spec.AccelTCG}, {"2n2l2c1t", spec.AccelTCG}, {"1n14l9c2t", spec.AccelKVM}} {
		tp, err := topo.Parse(tc.topology)
		if err != nil {
			t.Fatal(err)
		}
		m := testMachine(tp)
		m.name, m.accel, m.consoleLog = "gauntlet-shell-1-1", tc.accel, ""
		m.kernelArgs = append(slices.Clone(shellKernelArgs), "sched_verbose")
		argv := shellArgv(m, 3)
		fmt.Fprintf(&b, "\n%s %s:\n%s\n", tc.topology, tc.accel, QuoteArgs(argv))

		// The platform part is a test VM's, exactly.
		base := m.argv()
		if i := slices.Index(base, "-chardev"); i < 0 || !slices.Equal(argv[:i], base[:i]) {
			t.Errorf("%s: shell argv does not start with the test VM's platform args:\n%s\n%s", tc.topology, QuoteArgs(argv), QuoteArgs(base))
		}
		for _, want := range [][2]string{{"-serial", "mon:stdio"}, {"-chardev", "socket,id=status,fd=3"},
			{"-device", "virtserialport,bus=vser0.0,chardev=status,name=" + ShellPortName}, {"-initrd", m.initrd}} {
			if !containsPair(argv, want[0], want[1]) {
				t.Errorf("%s: no %s %s in %s", tc.topology, want[0], want[1], QuoteArgs(argv))
			}
		}
		if app := argv[len(argv)-1]; !strings.Contains(app, "console=ttyS0") || !strings.HasSuffix(app, "quiet sched_verbose") {
			t.Errorf("%s: kernel command line %q", tc.topology, app)
		}
		if slices.Contains(argv, "file,id=console,path=") || strings.Contains(QuoteArgs(argv), "console.log") {
			t.Errorf("%s: the console must be the terminal, not a log file: %s", tc.topology, QuoteArgs(argv))
		}
	}
	golden(t, "shell-args.golden", b.String())
}

func TestPlatformArgs(t *testing.T) {
	if got := platformArgs([]string{"q", "-m", "1", "-chardev", "x", "-chardev", "y"}); !slices.Equal(got, []string{"q", "-m", "1"}) {
		t.Errorf("got %q", got)
	}
	if got := platformArgs([]string{"q", "-m", "1"}); len(got) != 3 {
		t.Errorf("without devices: got %q", got)
	}
}
