package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
	"github.com/gauntlet-sched/gauntlet/vm"
)

func init() {
	register(command{name: "shell", summary: "boot a throwaway VM with a busybox shell on this terminal", runCLI: (*cli).runShell})
}

const shellUsage = `Usage: gauntlet shell [--topology T] [--kernel IMAGE] [--memory MiB] [--accel auto|kvm|tcg] [-i PATH]... [-- COMMAND [ARG]...]

Boots a throwaway VM whose init is a static busybox and gives you its
shell on this terminal, to explore a kernel and a CPU topology by hand.
The init mounts /proc, /sys, /dev, /tmp, cgroup2 (cpuset and cpu
controllers enabled), bpffs, debugfs and tracefs, and prints the CPU
topology the guest sees. Leave with exit or Ctrl-D (the VM powers off)
or Ctrl-A X (quits QEMU). Ctrl-C goes to the guest (it interrupts the
guest's foreground command); Ctrl-A C switches to the QEMU monitor.
SIGINT or SIGTERM sent to gauntlet stop the VM.

With a COMMAND after --, the guest runs it (sh -c, its words quoted)
instead of the shell, then powers off; gauntlet shell exits with the
command's exit status.

-i puts a host file in the guest at /include-files/NAME, or a directory,
recursively, under /include-files/DIRNAME/; /include-files is first on
the guest's PATH. A dynamically linked program brings its interpreter
and shared libraries along, at their host paths, found as the loader
finds them (RPATH, LD_LIBRARY_PATH, RUNPATH, /etc/ld.so.cache,
/lib/x86_64-linux-gnu, ...).

The kernel is found as 'gauntlet kernel which' shows unless --kernel
names one. Needs qemu-system-x86_64 and a static busybox at /bin/busybox
(apt-get install busybox-static).

Examples:
  gauntlet shell                                  1 CPU, interactive
  gauntlet shell --topology 2,4,1                 2 sockets (LLCs) x 4 cores
  gauntlet shell --topology 1n2l4c2t -i ./my-scheduler -i ./test-data/
  gauntlet shell --topology 1,2,1 -- nproc        run one command, exit with its status
  gauntlet shell -i /usr/bin/taskset -- sh -c 'taskset -p 1; cat /proc/schedstat'
  gauntlet shell --kernel ~/linux/arch/x86/boot/bzImage --accel tcg`

// shellConfig is `gauntlet shell`'s configuration.
type shellConfig struct {
	topology string // --topology as typed
	kernel   string // --kernel: image path; "" = discovery
	memory   int    // --memory MiB; 0 = topo.GuestMemoryMiB's default
	accel    spec.Accel
	include  []string // -i paths
	command  []string // after --; empty = interactive

	topo topo.Topology // parsed by Validate
}

// Validate parses the topology and checks the numbers and include paths.
func (c *shellConfig) Validate() error {
	t, err := topo.Parse(c.topology)
	if err != nil {
		return usageErrorf("shell: --topology: %v", err)
	}
	c.topo = t
	if c.memory < 0 {
		return usageErrorf("shell: --memory %d: want a size in MiB, or 0 for the default", c.memory)
	}
	for _, p := range c.include {
		if _, err := os.Stat(p); err != nil {
			return usageErrorf("shell: -i %s: %v", p, errors.Unwrap(err))
		}
	}
	return nil
}

func (c *cli) runShell(ctx context.Context, args []string) error {
	cfg, err := parseShellArgs(args, c.stdout)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	vmc, err := c.shellVM(ctx, cfg)
	if err != nil {
		return err
	}
	return c.bootShell(ctx, cfg, vmc)
}

// parseShellArgs parses flags up to "--" and takes the rest as the
// command.
func parseShellArgs(args []string, stdout io.Writer) (*shellConfig, error) {
	cfg := &shellConfig{}
	fs := newFlagSet("shell", shellUsage, stdout)
	fs.StringVar(&cfg.topology, "topology", "1,1,1", "CPU `topology`: 1n2l4c2t, S,C,T (sockets,cores,threads) or N,L,C,T")
	fs.StringVar(&cfg.kernel, "kernel", "", "boot this kernel `image` instead of the discovered one")
	fs.IntVar(&cfg.memory, "memory", 0, "guest memory in `MiB` (default 256 + 32 per vCPU)")
	cfg.accel = spec.AccelAuto
	fs.Var(accelFlag{&cfg.accel}, "accel", "accelerator: `auto`, kvm or tcg")
	fs.Func("i", "include host file or directory `PATH` under /include-files (repeatable)", func(s string) error {
		cfg.include = append(cfg.include, s)
		return nil
	})
	flagArgs, command, dashes := args, []string(nil), false
	if i := slices.Index(args, "--"); i >= 0 {
		flagArgs, command, dashes = args[:i], args[i+1:], true
	}
	rest, err := parseFlags(fs, flagArgs)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, usageErrorf("shell: unexpected argument %q; put a command after --, e.g. gauntlet shell -- %s", rest[0], strings.Join(rest, " "))
	}
	if dashes && len(command) == 0 {
		return nil, usageErrorf("shell: no command after --; give one, or leave out -- for an interactive shell")
	}
	cfg.command = command
	return cfg, nil
}

// shellVM checks the host (busybox, then QEMU, kernel and accelerator
// as a run does) and returns the VM to boot.
func (c *cli) shellVM(ctx context.Context, cfg *shellConfig) (vm.ShellConfig, error) {
	busybox := cmp.Or(c.busybox, vm.DefaultBusybox)
	if err := vm.CheckStaticBinary(busybox); err != nil {
		return vm.ShellConfig{}, usageErrorf("shell: no static busybox at %s (%s); apt-get install busybox-static", busybox, shortReason(err))
	}
	m, err := c.runner.Preflight(ctx, cfg.kernel, cfg.accel)
	if err != nil {
		return vm.ShellConfig{}, shellPreflightError(err)
	}
	if err := vm.CheckTopology(cfg.topo, m.Accel); err != nil {
		return vm.ShellConfig{}, usageErrorf("shell: %s", oneLine(err))
	}
	memory := cfg.memory
	if memory == 0 {
		memory = topo.GuestMemoryMiB(cfg.topo, 0)
	}
	fmt.Fprintf(c.stderr, "gauntlet shell: %s (%d vCPUs), %d MiB, %s (%s), kernel %s; Ctrl-A X quits\n",
		cfg.topo, cfg.topo.CPUs(), memory, m.Accel, m.AccelNote, m.Kernel)
	return vm.ShellConfig{
		Kernel: m.Kernel.Path, Busybox: busybox, Topology: cfg.topo, MemoryMiB: memory,
		Accel: m.Accel, Include: cfg.include, Command: cfg.command,
	}, nil
}

// shellPreflightError is one line for what the host lacks.
func shellPreflightError(err error) error {
	var nk *kernel.NotFoundError
	if errors.As(err, &nk) {
		return usageErrorf("shell: no kernel found ('gauntlet kernel which -v' lists the places tried); %s", kernel.FixHint)
	}
	return usageErrorf("shell: %s", oneLine(err))
}

// shortReason is the last clause of a check's error: "no such file or
// directory", "init binary is dynamically linked ...".
func shortReason(err error) string {
	s := oneLine(err)
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// bootShell runs the VM on this terminal and turns its end into an exit
// status: the guest command's (or shell's) own.
func (c *cli) bootShell(ctx context.Context, cfg *shellConfig, vmc vm.ShellConfig) error {
	stdin := c.stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	term := openTerminal(stdin)
	defer term.restore()
	vmc.Stdin, vmc.Stderr = stdin, c.stderr
	vmc.Term, vmc.Rows, vmc.Cols = term.env()
	out, flush := consoleWriter(c.stdout)
	vmc.Stdout = out
	res, err := vmc.Run(ctx)
	flush()
	switch {
	case err != nil:
		return &exitError{Code: exitSetup, Err: err}
	case res.ExitCode > 0:
		return &exitError{Code: res.ExitCode}
	case res.ExitCode < 0 && len(cfg.command) > 0:
		return &exitError{Code: exitFail, Err: errors.New("shell: the guest ended without reporting the command's exit status (QEMU was quit, or the guest kernel died: see the console output above)")}
	}
	return nil
}
