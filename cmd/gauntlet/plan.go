package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

func init() {
	register(command{name: "plan", summary: "show which test variants a run would execute, without booting", run: runPlan})
}

const planUsage = `Usage: gauntlet plan [flags] [packages]

Lists the tests of the packages (default "."), builds each test binary,
asks every test for its Spec, expands each across topology presets and
scheduler flag profiles, and chooses what fits the budget on this host.
Nothing is booted. Prints a test x preset table per package with a
legend, then one summary line; --explain adds the reason every variant is
left out, --json prints one JSON object instead.

A package that fails to build is reported with the compiler's message, the
others are still planned, and the exit status is 2.

Examples:
  gauntlet plan ./...                           everything that fits this host
  gauntlet plan --budget 20m ./...              what fits in 20 minutes
  gauntlet plan --budget 1h --shard 2/4 ./...   the second of four CI shards
  gauntlet plan --presets tiny-1llc,smt-2llc --run TestSteady ./sched
  gauntlet plan --topology 1n2l2c2t --topology 2,2,1 ./sched    custom topologies only
  gauntlet plan --budget 20m --json ./... | jq .est_wall_s
  gauntlet plan --explain --skip '//borrow' ./...`

// Seams for tests: the host facts and the KVM probe.
var (
	planHost           = gatherHost
	planProbe kvmProbe = probeKVM
)

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg planConfig
	fs := newFlagSet("plan", planUsage, stdout)
	cfg.addPlanFlags(fs)
	explain := fs.Bool("explain", false, "list the reason for every variant left out")
	asJSON := fs.Bool("json", false, "print the plan as one JSON object")
	patterns, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	cfg.Patterns = patterns
	if err := cfg.Validate(); err != nil {
		return err
	}
	host, err := planHost()
	if err != nil {
		return &exitError{Code: exitSetup, Err: err}
	}
	binDir, err := os.MkdirTemp("", "gauntlet-plan-")
	if err != nil {
		return &exitError{Code: exitSetup, Err: fmt.Errorf("plan: %w", err)}
	}
	defer os.RemoveAll(binDir)
	p, err := makePlan(ctx, cfg, host, planProbe, binDir)
	if err != nil {
		return err
	}
	if *asJSON {
		err = writePlanJSON(stdout, p)
	} else {
		err = writePlanText(stdout, p, *explain)
	}
	if err != nil {
		return fmt.Errorf("print plan: %w", err)
	}
	return p.finish(stderr)
}

// finish prints warnings and package failures to stderr; failures make
// the exit status 2.
func (p *planned) finish(stderr io.Writer) error {
	for _, w := range p.warnings {
		fmt.Fprintf(stderr, "gauntlet: %s\n", w)
	}
	failed := p.failed()
	if len(failed) == 0 {
		return nil
	}
	printFailures(stderr, failed)
	return usageErrorf("%d of %d packages could not be planned", len(failed), len(p.pkgs))
}
