package main

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
	"github.com/gauntlet-sched/gauntlet/spec"
)

// Files in a run directory.
const (
	runResultsName = "results.json"
	runLogsDir     = "logs"
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
		if err := os.Mkdir(filepath.Join(dir, runLogsDir), 0o755); err != nil {
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
	errs := []error{writeJUnit(filepath.Join(dir, runJUnitName), suites)}
	if junitCopy != "" {
		errs = append(errs, writeJUnit(junitCopy, suites))
	}
	errs = append(errs, writeResults(filepath.Join(dir, runResultsName), res))
	return errors.Join(errs...)
}

func writeResults(path string, res *budget.Results) error {
	return writeAtomic(path, "results", func(w io.Writer) error { return budget.WriteResults(w, res) })
}

// results is the run's results.json: the measured times of every variant
// that booted (cases are by index into the plan's selection), which later
// plans use instead of the cost model.
func (r *runner) results(started time.Time, cases []report.Case) *budget.Results {
	res := &budget.Results{
		Version: budget.ResultsVersion,
		RunID:   filepath.Base(r.dir),
		Started: started.UTC(),
		Host:    budget.Host{CPUs: r.host.CPUs, MemoryMiB: r.host.MemoryMiB, Accel: r.accel},
		Accel:   r.accel,
	}
	for i, a := range r.plan.plan.Selected {
		c := cases[i]
		if !c.Outcome.Ran() {
			continue
		}
		res.Variants = append(res.Variants, budget.VariantResult{
			Package: a.Package, Test: a.Test, Variant: a.Variant, Preset: a.Preset, Profile: a.Profile,
			Topology: a.Topology, VCPUs: a.Topology.CPUs(), Accel: spec.Accel(c.Accel), Kernel: c.Kernel,
			BootS: c.Boot.Seconds(), TestS: c.TestTime.Seconds(), TotalS: c.Total.Seconds(),
			Outcome: c.Outcome,
		})
	}
	return res
}
