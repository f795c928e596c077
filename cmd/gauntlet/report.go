package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/run"
)

func init() {
	register(command{name: "report", summary: "print and merge results of earlier runs (JUnit ingestion)", run: runReport})
}

const reportUsage = `Usage: gauntlet report [--junit FILE] [--results FILE] [--matrix=false] PATH...

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

Examples:
  gauntlet report gauntlet-runs/20261126-120000-ab12
  gauntlet report --junit all.xml --results all/results.json shard*/
  gauntlet report build/test-results/*.xml`

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg run.MergeConfig
	var matrix bool
	fs := newFlagSet("report", reportUsage, stdout)
	fs.StringVar(&cfg.JUnit, "junit", "", "write the merged JUnit XML to `FILE`")
	fs.StringVar(&cfg.Results, "results", "", "write the run directories' results.json files, merged, to `FILE` (one history for shards)")
	fs.BoolVar(&matrix, "matrix", true, "print the test x preset matrix")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
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
