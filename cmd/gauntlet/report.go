package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/report"
)

func init() {
	register(command{name: "report", summary: "print and merge results of earlier runs (JUnit ingestion)", run: runReport})
}

const reportUsage = `Usage: gauntlet report [--junit FILE] [--results FILE] [--matrix=false] PATH...

Reads the results of earlier runs and prints the results table, the test x
preset matrix and a summary line. Each PATH is a run directory (its
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

type reportConfig struct {
	paths   []string
	junit   string
	results string
	matrix  bool
}

func (c reportConfig) Validate() error {
	if len(c.paths) == 0 {
		return usageErrorf("report: no input; give a run directory or a JUnit XML file (see 'gauntlet report -h')")
	}
	return nil
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg reportConfig
	fs := newFlagSet("report", reportUsage, stdout)
	fs.StringVar(&cfg.junit, "junit", "", "write the merged JUnit XML to `FILE`")
	fs.StringVar(&cfg.results, "results", "", "write the run directories' results.json files, merged, to `FILE` (one history for shards)")
	fs.BoolVar(&cfg.matrix, "matrix", true, "print the test x preset matrix")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	cfg.paths = paths
	if err := cfg.Validate(); err != nil {
		return err
	}
	docs := make([]report.Suites, 0, len(cfg.paths))
	for _, p := range cfg.paths {
		d, err := readJUnitPath(p)
		if err != nil {
			return err
		}
		docs = append(docs, d)
	}
	merged := report.MergeJUnit(docs...)
	if cfg.junit != "" {
		if err := writeJUnit(cfg.junit, merged); err != nil {
			return err
		}
	}
	if cfg.results != "" {
		if err := mergeResultsFiles(cfg.results, cfg.paths); err != nil {
			return err
		}
	}
	cases := report.CasesFromJUnit(merged)
	if err := report.WriteTables(stdout, cases, cfg.matrix); err != nil {
		return err
	}
	fmt.Fprintln(stdout, report.Summary(cases, 0))
	if merged.Failures+merged.Errors > 0 {
		return &exitError{Code: exitFail}
	}
	return nil
}

// readJUnitPath reads a JUnit file, or the junit.xml of a run directory.
func readJUnitPath(p string) (report.Suites, error) {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		p = filepath.Join(p, runJUnitName)
	}
	f, err := os.Open(p)
	if err != nil {
		return report.Suites{}, usageErrorf("report: %v (give a run directory or a JUnit XML file)", err)
	}
	defer f.Close()
	d, err := report.ReadJUnit(f, p)
	if err != nil {
		return report.Suites{}, usageErrorf("report: %w", err)
	}
	return d, nil
}

// mergeResultsFiles merges the results.json of each run directory among
// paths into out. A path that is a JUnit file has none and is passed
// over; no run directory at all is a usage error.
func mergeResultsFiles(out string, paths []string) error {
	var rs []*budget.Results
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			continue
		}
		r, err := readResultsFile(filepath.Join(p, runResultsName))
		if err != nil {
			return usageErrorf("report --results: %w", err)
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		return usageErrorf("report --results: no run directory among the inputs; results.json files come from run directories, not from JUnit files")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("report --results: %w", err)
	}
	merged := budget.MergeResults(rs...)
	return writeAtomic(out, "results", func(w io.Writer) error { return budget.WriteResults(w, merged) })
}

// writeJUnit writes s to path; see [writeAtomic].
func writeJUnit(path string, s report.Suites) error {
	return writeAtomic(path, "junit", s.WriteXML)
}

// writeAtomic writes a file through a temp file beside it and a rename,
// so a reader never sees half of it. what names the file in errors.
func writeAtomic(path, what string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gauntlet-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s %s: %w", what, path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s %s: %w", what, path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// runJUnitName is the JUnit file every run directory holds.
const runJUnitName = "junit.xml"
