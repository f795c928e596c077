package run

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/report"
)

// The files of a run directory.
const (
	// JUnitFile is the run's JUnit XML, host tests and VM variants.
	JUnitFile = "junit.xml"
	// ResultsFile is the run's measured times ([budget.Results]), which
	// later plans read through [PlanConfig.History].
	ResultsFile = "results.json"
	// LogsDir holds each variant's test output (SLUG.out) and kernel
	// console (SLUG.console.log).
	LogsDir = "logs"
	// TimelineFile shows where the run's time went: scenarios, boots
	// and idle, of slot time (each VM once) and of host CPU time (each VM
	// once per host CPU it held), and a text Gantt chart of the VMs per
	// slot.
	TimelineFile = "timeline.txt"
)

// newRunDir creates a fresh directory for one run under parent, named by
// the start time and a random suffix: runs never share or overwrite a
// directory (os.Mkdir fails on an existing one, and then we pick again).
func newRunDir(parent string, started time.Time) (string, error) {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("results directory: %w (choose another with --out)", err)
	}
	for range 10 {
		var b [3]byte
		rand.Read(b[:])
		dir := filepath.Join(parent, started.Format("20060102-150405")+"-"+hex.EncodeToString(b[:]))
		err := os.Mkdir(dir, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("results directory: %w (choose another with --out)", err)
		}
		if err := os.Mkdir(filepath.Join(dir, LogsDir), 0o755); err != nil {
			return "", fmt.Errorf("results directory: %w", err)
		}
		return dir, nil
	}
	return "", fmt.Errorf("results directory: could not create a new directory under %s", parent)
}

// writeRun writes the run's JUnit XML (and its extra copy) and results
// JSON into dir. It writes what it can and returns the first error.
func writeRun(dir, junitCopy string, res *budget.Results, cases []report.Case, started time.Time) error {
	hostname, _ := os.Hostname()
	suites := report.JUnit(cases, hostname, started)
	errs := []error{writeJUnit(filepath.Join(dir, JUnitFile), suites)}
	if junitCopy != "" {
		errs = append(errs, writeJUnit(junitCopy, suites))
	}
	errs = append(errs, writeResults(filepath.Join(dir, ResultsFile), res))
	return errors.Join(errs...)
}

func writeResults(path string, res *budget.Results) error {
	return writeAtomic(path, "results", func(w io.Writer) error { return budget.WriteResults(w, res) })
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
