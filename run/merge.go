package run

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/report"
)

// MergeConfig says which results [Merge] reads and where the merged
// files go.
type MergeConfig struct {
	// Paths are run directories (their JUnitFile, and their ResultsFile
	// for Results) or JUnit XML files from gauntlet or any other tool.
	Paths []string
	// JUnit, when set, receives the merged JUnit XML.
	JUnit string
	// Results, when set, receives the run directories' results.json
	// files merged into one history.
	Results string
}

// Validate checks c, returning a [*UsageError].
func (c MergeConfig) Validate() error {
	if len(c.Paths) == 0 {
		return usageErrorf("report: no input; give a run directory or a JUnit XML file (see 'gauntlet report -h')")
	}
	return nil
}

// Merge reads the JUnit of every path and merges them without losing a
// testcase ([report.MergeJUnit]: the worst result of a testcase wins,
// whatever the order), writes the merged files cfg asks for and returns
// the merged suites. Unreadable inputs are a [*UsageError].
func Merge(cfg MergeConfig) (report.Suites, error) {
	if err := cfg.Validate(); err != nil {
		return report.Suites{}, err
	}
	docs := make([]report.Suites, 0, len(cfg.Paths))
	for _, p := range cfg.Paths {
		d, err := readJUnitPath(p)
		if err != nil {
			return report.Suites{}, err
		}
		docs = append(docs, d)
	}
	merged := report.MergeJUnit(docs...)
	if cfg.JUnit != "" {
		if err := writeJUnit(cfg.JUnit, merged); err != nil {
			return report.Suites{}, err
		}
	}
	if cfg.Results != "" {
		if err := mergeResultsFiles(cfg.Results, cfg.Paths); err != nil {
			return report.Suites{}, err
		}
	}
	return merged, nil
}

// readJUnitPath reads a JUnit file, or the junit.xml of a run directory.
func readJUnitPath(p string) (report.Suites, error) {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		p = filepath.Join(p, JUnitFile)
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
		r, err := readResultsFile(filepath.Join(p, ResultsFile))
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
