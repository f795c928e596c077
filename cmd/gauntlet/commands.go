package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"

	"github.com/gauntlet-sched/gauntlet/internal/nearest"
	"github.com/gauntlet-sched/gauntlet/run"
)

// command is one subcommand. Each lives in its own file and registers
// itself from an init function, so subcommands do not touch each other.
type command struct {
	name    string
	summary string
	// run parses args and does the work. It returns a *exitError for
	// anything but a plain setup failure. Commands with dependencies
	// tests replace set runCLI instead, which gets them from the cli.
	run    func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	runCLI func(c *cli, ctx context.Context, args []string) error
}

// cli is one invocation of gauntlet: its streams and its commands'
// dependencies on the machine. Nil fields are the real ones, so a cli
// with only its streams set is the command; tests set fakes per value
// and run in parallel.
type cli struct {
	stdout, stderr io.Writer
	// stdin is the shell's terminal; nil means os.Stdin.
	stdin io.Reader
	// getenv reads --shard auto's CI variables; nil means os.Getenv.
	getenv func(string) string
	// runner plans, checks the host and boots VMs (package run).
	runner run.Runner
	// busybox is the shell VM's init; "" means vm.DefaultBusybox.
	busybox string
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("duplicate command " + c.name)
	}
	commands[c.name] = c
}

// Exit codes.
const (
	exitPass  = 0
	exitFail  = 1 // a test failed
	exitSetup = 2 // usage or setup error
)

// exitError carries an exit code with its one-line reason. A nil Err
// means the reason is already reported.
type exitError struct {
	Code int
	Err  error
}

func (e *exitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *exitError) Unwrap() error { return e.Err }

// usageErrorf reports bad input: exit 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{Code: exitSetup, Err: fmt.Errorf(format, args...)}
}

// defaultCommand runs when the first argument is not a subcommand.
const defaultCommand = "run"

// run runs the command args name (the default command when args start
// with a flag or a package) and returns the exit status.
func (c *cli) run(ctx context.Context, args []string) int {
	name := defaultCommand
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "help" || a == "-h" || a == "--help" || a == "-help":
			return c.help(ctx, args[1:])
		case !strings.HasPrefix(a, "-"):
			if _, ok := commands[a]; ok {
				name, args = a, args[1:]
			} else if looksLikeCommand(a) {
				fmt.Fprintf(c.stderr, "gauntlet: unknown command %q%s (and no package directory of that name); run 'gauntlet help'\n", a, nearest.Hint(a, commandNames()))
				return exitSetup
			}
		}
	}
	return c.exitCode(ctx, c.runCommand(ctx, commands[name], args))
}

// help prints the usage, or a command's with its flags.
func (c *cli) help(ctx context.Context, args []string) int {
	if len(args) > 0 {
		if cmd, ok := commands[args[0]]; ok {
			return c.exitCode(ctx, c.runCommand(ctx, cmd, []string{"-h"}))
		}
		fmt.Fprintf(c.stderr, "gauntlet: help: unknown command %q%s; the commands are below\n", args[0], nearest.Hint(args[0], commandNames()))
	}
	printUsage(c.stdout)
	return exitPass
}

func (c *cli) runCommand(ctx context.Context, cmd command, args []string) error {
	if cmd.runCLI != nil {
		return cmd.runCLI(c, ctx, args)
	}
	return cmd.run(ctx, args, c.stdout, c.stderr)
}

// looksLikeCommand reports whether a first argument that names no command
// is more likely a mistyped command than a package pattern for the default
// run: a bare word that is no directory here (package patterns are ./x,
// x/..., example.com/x, or a directory).
func looksLikeCommand(a string) bool {
	if strings.ContainsAny(a, "./") || a == "all" {
		return false
	}
	_, err := os.Stat(a)
	return err != nil
}

// exitCode maps a command's error to the exit status and prints it: 0
// for none (or -h), 1 for [run.ErrTestsFailed] (already reported) and
// [run.ErrTimeout] (like go test's -timeout), an
// *exitError's own code, 128+SIGINT when interrupted, and 2 for anything
// else: bad input (*run.UsageError, flag errors) and setup problems.
func (c *cli) exitCode(ctx context.Context, err error) int {
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return exitPass
	case errors.Is(err, run.ErrTestsFailed):
		return exitFail
	case errors.Is(err, run.ErrTimeout):
		fmt.Fprintf(c.stderr, "gauntlet: %v\n", err)
		return exitFail
	}
	code := exitSetup
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.Code
		if ee.Err == nil {
			return code
		}
	}
	if ctx.Err() != nil {
		code = 128 + int(syscall.SIGINT)
	}
	fmt.Fprintf(c.stderr, "gauntlet: %v\n", err)
	return code
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `gauntlet tests Linux schedulers in throwaway VMs across CPU topologies.

Usage:
  gauntlet [run] [flags] [packages]   run the gauntlet (default command)
  gauntlet <command> [flags] [args]

Commands:
`)
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Examples:
  gauntlet --budget 20m ./...          run what fits in 20 minutes
  gauntlet plan --budget 20m ./...     show the plan without booting
  gauntlet presets                     list the topology presets
  gauntlet kernel which                show the kernel a run would boot

Run 'gauntlet help <command>' for a command's flags.
`)
}

// newFlagSet returns a FlagSet for a subcommand. Parse errors are not
// printed by the flag package: [parseFlags] turns them into one-line usage
// errors, and -h prints usage (with the command's examples) to stdout.
func newFlagSet(name, usage string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gauntlet "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "%s\n\nFlags:\n", strings.TrimSpace(usage))
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args; a bad flag is a usage error (exit 2), -h prints
// usage and returns flag.ErrHelp (exit 0). Flags may follow positional
// arguments; "--" ends flag parsing.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package calls Usage on every parse error; print it only
	// for -h, so a bad flag gets one line.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return nil, err
			}
			return nil, usageErrorf("%v%s (run '%s -h' for usage)", err, flagHint(fs, err), fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// commandNames returns the subcommands' names, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// flagHint suggests the nearest defined flag for the flag package's
// "flag provided but not defined: -x" error.
func flagHint(fs *flag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if n := nearest.Name(strings.TrimPrefix(name, "-"), names); n != "" {
		return fmt.Sprintf(" (did you mean --%s?)", n)
	}
	return ""
}
