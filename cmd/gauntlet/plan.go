package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/gauntlet-sched/gauntlet/run"
)

func init() {
	register(command{name: "plan", summary: "show which test variants a run would execute, without booting", runCLI: (*cli).runPlan})
}

const planUsage = `Usage: gauntlet plan [flags] [packages]

Lists the tests of the packages (default "."), builds each test binary,
asks every test for its Spec, expands each across topology presets and
scheduler flag profiles, and chooses what fits the budget on this host.
Nothing is booted. Prints a test x preset table per package with a
legend, then one summary line; --explain adds the reason every variant is
left out (so does -v), --json prints one JSON object instead.

The go test flags -count, -tags, -run and -skip shape the plan as they
shape a run (-count N plans VARIANT#2 ... VARIANT#N next to each
variant); -timeout bounds the planning; -failfast is accepted and
changes nothing here. With --retries the summary says what retries may
add: they are not booked in the estimate.

A package that fails to build is reported with the compiler's message, the
others are still planned, and the exit status is 2. So is a --scheduler
binary that cannot run (see 'gauntlet help run').

Examples:
  gauntlet plan ./...                           everything that fits this host
  gauntlet plan --budget 20m ./...              what fits in 20 minutes
  gauntlet plan --budget 1h --shard 2/4 ./...   the second of four CI shards
  gauntlet plan --presets tiny-1llc,smt-2llc --run TestSteady ./sched
  gauntlet plan --topology 1n2l2c2t --topology 2,2,1 ./sched    custom topologies only
  gauntlet plan --budget 20m --json ./... | jq .est_wall_s
  gauntlet plan --explain --skip '//borrow' ./...
  gauntlet plan --presets tiny-2llc --scheduler ./scx_simple ./sched   EEVDF tests under scx_simple too
  gauntlet plan -v -tags slow -count 3 --retries 1 ./sched
  gauntlet plan --kernel /boot/vmlinuz-6.12.117+deb12-cloud-amd64 --kernel scx=$HOME/bzImage ./...   each variant on both`

func (c *cli) runPlan(ctx context.Context, args []string) error {
	var pf planFlags
	fs := newFlagSet("plan", planUsage, c.stdout)
	pf.add(fs)
	explain := fs.Bool("explain", false, "list the reason for every variant left out")
	fs.BoolVar(explain, "v", false, "verbose: the same as --explain")
	asJSON := fs.Bool("json", false, "print the plan as one JSON object")
	patterns, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	cfg, err := pf.config(patterns, c.getenv)
	if err != nil {
		return err
	}
	if cfg.Kernels, cfg.SchedExtKernel, err = c.runner.PlanKernels(pf.kernels); err != nil {
		return err
	}
	if pf.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, pf.timeout, fmt.Errorf("%w: -timeout %s passed", run.ErrTimeout, pf.timeout))
		defer cancel()
	}
	p, err := c.runner.Planner.Plan(ctx, cfg)
	if cause := context.Cause(ctx); err != nil && errors.Is(cause, run.ErrTimeout) {
		return fmt.Errorf("%w while planning (%v)", cause, err)
	}
	if err != nil {
		return err
	}
	defer p.Close()
	if *asJSON {
		err = p.WriteJSON(c.stdout)
	} else {
		err = p.WriteText(c.stdout, *explain)
	}
	if err != nil {
		return fmt.Errorf("print plan: %w", err)
	}
	return p.Report(c.stderr)
}
