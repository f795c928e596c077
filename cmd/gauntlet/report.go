package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gauntlet-sched/gauntlet/report"
)

func init() {
	register(command{name: "report", summary: "print and merge results of earlier runs (JUnit ingestion)", run: runReport})
}

const reportUsage = `Usage: gauntlet report [--junit FILE] [--matrix=false] PATH...

Reads the results of earlier runs and prints the results table, the test x
preset matrix and a summary line. Each PATH is a run directory (its
junit.xml is read) or a JUnit XML file, from gauntlet or any other tool.
Several PATHs are merged: suites with the same name become one, and a
testcase seen again replaces the earlier one (a re-run shard wins).
Exit status is 1 when any merged testcase failed.

Examples:
  gauntlet report gauntlet-runs/20261126-120000-ab12
  gauntlet report --junit merged.xml shard1/junit.xml shard2/junit.xml
  gauntlet report build/test-results/*.xml`

type reportConfig struct {
	paths  []string
	junit  string
	matrix bool
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
	cases := report.CasesFromJUnit(merged)
	if err := printTables(stdout, cases, cfg.matrix); err != nil {
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

func printTables(w io.Writer, cases []report.Case, matrix bool) error {
	if len(cases) == 0 {
		fmt.Fprintln(w, "no test cases")
		return nil
	}
	if err := report.WriteResults(w, cases); err != nil {
		return err
	}
	if matrix {
		fmt.Fprintln(w)
		if err := report.WriteMatrix(w, cases); err != nil {
			return err
		}
	}
	return nil
}

// runJUnitName is the JUnit file every run directory holds.
const runJUnitName = "junit.xml"
