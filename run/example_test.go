package run_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gauntlet-sched/gauntlet/run"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// A plan of what fits 20 minutes on this host, printed as `gauntlet
// plan` prints it.
func ExamplePlanner_Plan() {
	var p run.Planner // the real dependencies
	pl, err := p.Plan(context.Background(), run.PlanConfig{Patterns: []string{"./..."}, Budget: 20 * time.Minute})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer pl.Close()
	pl.WriteText(os.Stdout, false)
	pl.Report(os.Stderr)
}

// A run whose VMs are played by a fake: every field of the Runner left
// nil is the real dependency.
func ExampleRunner_Run() {
	r := run.Runner{
		BootVM: func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
			return vm.Result{Outcome: spec.OutcomePass, Accel: cfg.Accel}, nil
		},
	}
	res, err := r.Run(context.Background(), run.Config{
		Plan: run.PlanConfig{Patterns: []string{"./sched"}, Accel: spec.AccelTCG},
		Out:  "gauntlet-runs", Stdout: os.Stdout, Stderr: os.Stderr,
	})
	switch {
	case errors.Is(err, run.ErrTestsFailed):
		fmt.Println("failed; see", res.Dir)
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
	}
}
