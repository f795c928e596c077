package run

import (
	"errors"
	"fmt"
	"io"

	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// The --scheduler binaries ([PlanConfig.Schedulers]): the tests whose
// Spec has no scheduler also run under each, as a profile named by its
// base name. A binary that cannot be used, or a kernel without sched_ext,
// leaves its variants out with one line saying so; the rest of the plan
// runs, and the run then exits 2.

// usableSchedulers keeps in pl.overrides the schedulers of pl's config
// whose binary the host can pack, recording one problem line for each
// other.
func (pl *Plan) usableSchedulers() {
	for _, sc := range pl.cfg.Schedulers {
		_, _, err := launch.SchedulerFiles(spec.Spec{Scheduler: &sc})
		if err == nil {
			pl.overrides = append(pl.overrides, sc)
			continue
		}
		var be *launch.SchedulerBinaryError
		if errors.As(err, &be) {
			err = be.Err
		}
		pl.schedProblems = append(pl.schedProblems, fmt.Sprintf(
			"--scheduler %s: %v; give the path of a sched_ext scheduler binary (its variants are left out, the others run)", sc.Binary, err))
	}
}

// checkOverrides records, after expansion, a scheduler whose variants the
// kernel excluded (a problem) and one no test runs under (a warning).
func (pl *Plan) checkOverrides() {
	used := pl.overrides
	for i := range used {
		name := expand.OverrideProfile(used[i])
		n, excluded := 0, 0
		for _, v := range pl.variants {
			if v.Override != nil && expand.OverrideProfile(*v.Override) == name {
				n++
				if v.Excluded == expand.ByKernel {
					excluded++
				}
			}
		}
		switch {
		case excluded > 0:
			pl.schedProblems = append(pl.schedProblems, fmt.Sprintf("--scheduler %s: its %d variants are left out: %s", used[i].Binary, excluded, pl.cfg.NoSchedExt))
		case n == 0:
			pl.warnings = append(pl.warnings, fmt.Sprintf("--scheduler %s: no selected test runs under it; it runs the tests whose Spec declares no scheduler", used[i].Binary))
		}
	}
}

// reportSchedulers writes the --scheduler problems to w, once, and
// returns a [*UsageError] when there are any.
func (pl *Plan) reportSchedulers(w io.Writer) error {
	if len(pl.schedProblems) == 0 {
		return nil
	}
	if !pl.schedReported {
		for _, s := range pl.schedProblems {
			fmt.Fprintf(w, "gauntlet: %s\n", s)
		}
		pl.schedReported = true
	}
	return usageErrorf("%d of %d --scheduler binaries cannot run (see above)", len(pl.schedProblems), len(pl.cfg.Schedulers))
}

// override returns the --scheduler the variant with profile of the test
// described by d runs under, nil when none (the Spec's own scheduler, or
// EEVDF).
func (pl *Plan) override(d spec.Description, profile string) *spec.Scheduler {
	if d.Spec.Scheduler != nil {
		return nil
	}
	for i := range pl.overrides {
		if expand.OverrideProfile(pl.overrides[i]) == profile {
			return &pl.overrides[i]
		}
	}
	return nil
}
