package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/run"
)

func init() {
	register(command{name: "report", summary: "print and merge results of earlier runs (JUnit ingestion)", run: runReport})
}

const reportUsage = `Usage: gauntlet report [--junit FILE] [--results FILE] [--matrix=false] PATH...
       gauntlet report --compare [--gate PATTERN=SPEC]... OLD NEW

Reads the results of earlier runs and prints the results table, the test x
preset matrix, the BPF verifier's work per scheduler x profile (verified
instructions of each program, most first; when a scheduler reported its
programs) and a summary line. Each PATH is a run directory (its
junit.xml is read, and its results.json for --results) or a JUnit XML
file, from gauntlet or any other tool.

Several PATHs are merged without losing a testcase: suites with the same
name become one; gauntlet's variants are kept apart by their full names
(TestX and TestX/PRESET/PROFILE are different testcases); a testcase found
in several inputs keeps its worst result, so a failure in any shard is a
failure of the merge, whatever the order of the PATHs. Go's subtest
folding (TestA/sub shown under TestA) applies to other tools' testcases.
Exit status is 1 when any merged testcase failed.

--compare reads two results, OLD and NEW (run directories, JUnit files
or results.json files, merged ones too), pairs their variants by name and prints, per metric,
old, new, delta and relative change: the payloads' metrics
(gauntlet.metric.*) and the workers' numbers (s<i>.<cgroup>.work_units,
spread_pct, max_gap_ms, wake_p50_us, wake_p99_us, run_delay_us,
migrations). A metric that moved the worse way past its gate, both its
absolute and its relative limit, is flagged REGRESSION and the exit
status is 1. Defaults: work units and stress-ng bogo ops -10 %, spread
+5 points, max gap +50 ms and +25 %, wake latency, run delay and
cyclictest latencies +100/+50 us and +25 %, hackbench time +10 %; other
metrics are shown, never flagged. Variants that ran under TCG are
counted in a note: their timing numbers are noisy. --gate PATTERN=SPEC (repeatable, first
match wins) overrides them: PATTERN matches metric names as in
path.Match, SPEC lists N% (relative), N (absolute, in the metric's
unit), higher or lower (the better direction) or off.

--profiles OLD,NEW compares two profiles instead of two results: with
one input, the run's TestX/PRESET/OLD variants against its
TestX/PRESET/NEW ones (with --scheduler, EEVDF against the scheduler in
one run: --profiles default,scx_simple RUN); with two, OLD's profile of
the first against NEW's of the second.

Examples:
  gauntlet report gauntlet-runs/20261126-120000-ab12
  gauntlet report --junit all.xml --results all/results.json shard*/
  gauntlet report build/test-results/*.xml
  gauntlet report --compare runs/before runs/after
  gauntlet report --compare --profiles default,scx_simple runs/20261202-0900
  gauntlet report --compare --gate '*.latency_max_us=lower,20%,100' old.xml new.xml`

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg run.MergeConfig
	var matrix bool
	fs := newFlagSet("report", reportUsage, stdout)
	fs.StringVar(&cfg.JUnit, "junit", "", "write the merged JUnit XML to `FILE`")
	fs.StringVar(&cfg.Results, "results", "", "write the run directories' results.json files, merged, to `FILE` (one history for shards)")
	fs.BoolVar(&matrix, "matrix", true, "print the test x preset matrix")
	var compare bool
	var gates gateFlag
	fs.BoolVar(&compare, "compare", false, "compare the metrics of two results, OLD and NEW; exit 1 on a regression")
	fs.Var(&gates, "gate", "override a metric's regression gate with --compare: `PATTERN=SPEC` (repeatable)")
	profiles := fs.String("profiles", "", "with --compare: compare profile `OLD,NEW` (e.g. default,scx_simple) of one result (or OLD's of the first and NEW's of the second), paired by test, preset and kernel")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if compare {
		return runCompare(paths, gates, *profiles, stdout)
	}
	cfg.Paths = paths
	merged, err := run.Merge(cfg)
	if err != nil {
		return err
	}
	cases := report.CasesFromJUnit(merged)
	if err := report.WriteTables(stdout, cases, matrix); err != nil {
		return err
	}
	fmt.Fprintln(stdout, report.Summary(cases, 0))
	if merged.Failures+merged.Errors > 0 {
		return run.ErrTestsFailed
	}
	return nil
}

// gateFlag collects repeated --gate values.
type gateFlag []string

func (g *gateFlag) String() string     { return strings.Join(*g, " ") }
func (g *gateFlag) Set(s string) error { *g = append(*g, s); return nil }

// runCompare prints the A/B comparison of OLD and NEW.
func runCompare(paths []string, gates []string, profiles string, stdout io.Writer) error {
	cfg := run.CompareConfig{Gates: gates}
	if profiles != "" {
		old, new, _ := strings.Cut(profiles, ",")
		cfg.Profiles = [2]string{old, new}
		if len(paths) == 1 {
			paths = append(paths, paths[0]) // one run: its two profiles
		}
	}
	if len(paths) != 2 {
		return &run.UsageError{Err: fmt.Errorf("report --compare: want OLD and NEW, got %d inputs", len(paths))}
	}
	cfg.Old, cfg.New = paths[0], paths[1]
	c, err := run.Compare(cfg)
	if err != nil {
		return err
	}
	if err := c.WriteText(stdout); err != nil {
		return err
	}
	if c.Regressions() > 0 {
		return run.ErrRegression
	}
	return nil
}
