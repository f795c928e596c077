package run

import (
	"context"
	"fmt"
	"strings"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/report"
)

// retry takes c, the first attempt of variant v, and, while it fails and
// retries are left ([PlanConfig.Retries]), boots v again in a fresh VM
// (also when the first attempt ran in a shared one). The case is the
// last attempt with the earlier ones in its Attempts; it is flaky when
// that attempt passed. Only the test's failures are retried (fail, crash,
// kernel panic, timeout): an infrastructure failure (QEMU failed, the
// accelerator unusable, the VM never started) ends the attempts, and the
// emulator race vm retries on its own is no attempt. An attempt that
// neither passes nor fails (it skips, or is cancelled) never replaces a
// failure: the failure stays the case, and the property gauntlet.retry
// says what became of the attempt.
func (b *batch) retry(ctx context.Context, v variantStart, c report.Case) report.Case {
	var earlier []report.Case
	tries := b.plan.cfg.Retries + 1
	for try := 2; retryable(c) && try <= tries && ctx.Err() == nil; try++ {
		b.retrying(v, c, try, tries)
		next := b.runOne(ctx, v, try)
		if !next.Outcome.Passed() && !next.Outcome.Failed() {
			c.Properties = append(c.Properties, report.Property{Name: "gauntlet.retry",
				Value: fmt.Sprintf("attempt %d of %d: %s: %s", try, tries, next.Outcome, next.Detail())})
			break
		}
		earlier = append(earlier, c)
		c = next
	}
	c.Attempts = earlier
	return c
}

// retryable reports whether c failed in a way a retry may change: the
// test's own failure, not the harness's.
func retryable(c report.Case) bool { return c.Outcome.Failed() && !c.Outcome.Infra() }

// retrying tells the observers that a failed attempt of v is booted
// again, in a line such as "retry FAIL TestX (attempt 1 of 3: ...);
// booting it again".
func (b *batch) retrying(v variantStart, c report.Case, try, tries int) {
	line := fmt.Sprintf("retry %s %s (attempt %d of %d", strings.ToUpper(c.Outcome.String()), c.Variant, try-1, tries)
	if d := c.Detail(); d != "" {
		line += ": " + firstLine(d)
	}
	line += "); booting it again"
	b.observe(func() { b.obs.variantRetrying(v, line) })
}

// attemptSlug names an attempt's log files: the variant's slug for the
// first, SLUG.attemptN for the later ones.
func attemptSlug(slug string, try int) string {
	if try <= 1 {
		return slug
	}
	return fmt.Sprintf("%s.attempt%d", slug, try)
}

// attemptResults are the results.json entries of a case's earlier
// attempts.
func attemptResults(c report.Case) []budget.Attempt {
	var out []budget.Attempt
	for _, a := range c.Attempts {
		out = append(out, budget.Attempt{Outcome: a.Outcome, BootS: a.Boot.Seconds(), TestS: a.TestTime.Seconds(), TotalS: a.Total.Seconds()})
	}
	return out
}
