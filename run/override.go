package run

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// The --scheduler binaries ([PlanConfig.Schedulers]): the tests whose
// Spec has no scheduler also run under each, as a profile named by its
// base name. A binary that cannot be used, or a kernel without sched_ext,
// leaves its variants out with one line saying so (as does a guest that
// skipped them for want of sched_ext); the rest of the plan runs, and the
// run then exits 2.

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
		n, excluded, why := 0, 0, ""
		for _, v := range pl.variants {
			if v.Override != nil && expand.OverrideProfile(*v.Override) == name {
				n++
				if v.Excluded == expand.ByKernel {
					excluded++
					why = v.Reason
				}
			}
		}
		switch {
		case excluded > 0:
			pl.schedProblems = append(pl.schedProblems, fmt.Sprintf("--scheduler %s: %s left out: %s", used[i].Binary, itsVariants(excluded), why))
		case n == 0:
			pl.warnings = append(pl.warnings, fmt.Sprintf("--scheduler %s: no selected test runs under it; it runs the tests whose Spec declares no scheduler", used[i].Binary))
		}
	}
}

// reportSchedulers writes the --scheduler problems not written yet to w
// and returns a [*UsageError] when there are any.
func (pl *Plan) reportSchedulers(w io.Writer) error {
	if len(pl.schedProblems) == 0 {
		return nil
	}
	for _, s := range pl.schedProblems[pl.schedReported:] {
		fmt.Fprintf(w, "gauntlet: %s\n", s)
	}
	pl.schedReported = len(pl.schedProblems)
	return usageErrorf("%d --scheduler problems (see above)", len(pl.schedProblems))
}

// noteSkippedOverrides records a problem for each --scheduler whose
// variants the guest skipped for want of sched_ext (a kernel whose
// config the host could not read): the scheduler asked for did not run.
// cases are by index into the plan's selection.
func (pl *Plan) noteSkippedOverrides(cases []report.Case) {
	skipped := map[string]int{}
	var order []string
	for i, a := range pl.plan.Selected {
		c := cases[i]
		if c.Outcome != spec.OutcomeSkip || !strings.Contains(c.Detail(), spec.ErrNoSchedExt.Error()) {
			continue
		}
		for _, o := range pl.overrides {
			if expand.OverrideProfile(o) == a.Profile && !pl.hasOwnScheduler(a.Package, a.Test) {
				if skipped[o.Binary] == 0 {
					order = append(order, o.Binary)
				}
				skipped[o.Binary]++
			}
		}
	}
	for _, bin := range order {
		pl.schedProblems = append(pl.schedProblems, fmt.Sprintf("--scheduler %s: %s skipped: the kernel has no sched_ext; set %s to a sched_ext image (scripts/scx-setup.sh builds one)",
			bin, itsVariants(skipped[bin]), spec.EnvSchedExtKernel))
	}
}

// hasOwnScheduler reports whether test of pkg declares a scheduler.
func (pl *Plan) hasOwnScheduler(pkg, test string) bool {
	for _, p := range pl.pkgs {
		for _, d := range p.Descriptions {
			if p.ImportPath == pkg && d.Test == test {
				return d.Spec.Scheduler != nil
			}
		}
	}
	return false
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

// itsVariants reads "its variant was" or "its 3 variants were".
func itsVariants(n int) string {
	if n == 1 {
		return "its variant was"
	}
	return fmt.Sprintf("its %d variants were", n)
}
