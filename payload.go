package gauntlet

import (
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/guest"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// Payload is a program a test runs in the guest as part of a step
// ([RunPayload]): a benchmark or load generator such as stress-ng or
// cyclictest. A Spec lists its payloads in [Spec.Payloads] so the host
// packs their binaries (with their ELF closure: interpreter and shared
// libraries) into the guest before it boots. Its metrics, named
// "LABEL.METRIC" (the label defaults to Name), go into the test's result
// next to the workers' numbers; [Spec.MetricBounds] can bound them.
type Payload struct {
	// Name identifies the payload in [PayloadRun] and prefixes its
	// metrics.
	Name string
	// Binary is the host path of the executable.
	Binary string
	// Package names the package that installs Binary ("rt-tests"); a
	// missing Binary skips the test naming it (and fails it under
	// GAUNTLET_REQUIRE_VM=1).
	Package string
	// Output is the machine-readable report the metrics come from.
	Output PayloadOutput
	// Patterns read metrics from the payload's standard output.
	Patterns []MetricPattern
}

// PayloadOutput names a payload's machine-readable report format; the
// guest adds the arguments that make the program write it to a file.
type PayloadOutput string

// Payload output formats.
const (
	// TextOutput: metrics come from [Payload.Patterns] alone.
	TextOutput PayloadOutput = spec.OutputText
	// StressNGYAML is stress-ng's report: the guest adds `--metrics
	// --yaml FILE` and reads one metric per numeric field of each
	// stressor, "LABEL.STRESSOR.FIELD" ("stress-ng.cpu.bogo-ops",
	// "stress-ng.cpu.bogo-ops-per-second-real-time"). Do not pass -q: it
	// suppresses the metrics.
	StressNGYAML PayloadOutput = spec.OutputStressNGYAML
	// CyclictestJSON is cyclictest's report: the guest adds
	// `--json=FILE` and reads "LABEL.latency_min_us", ".latency_avg_us",
	// ".latency_max_us", ".cycles" over all threads and
	// ".tN.latency_avg_us", ".tN.latency_max_us" per thread N.
	CyclictestJSON PayloadOutput = spec.OutputCyclictestJSON
)

// MetricPattern declares a metric read from a payload's text output:
// the first submatch of Regexp's first match, a number, named
// "LABEL.Name" with Unit.
type MetricPattern struct {
	Name   string
	Regexp string
	Unit   string
}

// StressNG is Debian's stress-ng (package stress-ng) reporting through
// [StressNGYAML].
func StressNG() Payload {
	return Payload{Name: "stress-ng", Binary: "/usr/bin/stress-ng", Package: "stress-ng", Output: StressNGYAML}
}

// Cyclictest is Debian's cyclictest (package rt-tests) reporting
// through [CyclictestJSON].
func Cyclictest() Payload {
	return Payload{Name: "cyclictest", Binary: "/usr/bin/cyclictest", Package: "rt-tests", Output: CyclictestJSON}
}

// Hackbench is Debian's hackbench (package rt-tests); its "Time: 0.079"
// line is the metric "hackbench.time_s".
func Hackbench() Payload {
	return Payload{Name: "hackbench", Binary: "/usr/bin/hackbench", Package: "rt-tests",
		Patterns: []MetricPattern{{Name: "time_s", Regexp: `(?m)^Time: ([0-9.]+)`, Unit: "s"}}}
}

// PayloadRun is one run of a payload, the argument of [RunPayload].
type PayloadRun struct {
	// Payload is the [Payload.Name] of one of the Spec's payloads.
	Payload string
	// Args are the program's arguments (the guest adds the report's).
	Args []string
	// Cgroup is the leaf cgroup it runs in, next to that cgroup's
	// workers; empty gives it a cgroup of its own, "payload-LABEL",
	// below the scenario with all its CPUs.
	Cgroup string
	// Background starts it and goes on with the step; it is stopped
	// (SIGINT, then SIGKILL after 10s) when the step ends, if it has not
	// exited. Without it the step waits until it exits.
	Background bool
	// Timeout bounds a foreground run: past it the payload is stopped
	// and the test fails; zero means the longer of 60s and five
	// scenario durations.
	Timeout time.Duration
	// Label names this run's metrics and log files; empty means the
	// payload's Name (a second run with the same label gets "#2").
	Label string
}

// RunPayload runs r's payload after the step's new workers are released.
// It fails the test when the program exits with a nonzero status (one
// stopped at the step's end may exit as it likes), outlives its
// timeout, or its report does not parse. Its output and report go to the
// test's log files (payload-LABEL.log, payload-LABEL.yaml or .json).
func RunPayload(r PayloadRun) Op {
	return Op{guest.OpSpec{Kind: guest.OpPayload, Payload: guest.PayloadRunSpec{
		Payload: r.Payload, Args: r.Args, Cgroup: r.Cgroup, Background: r.Background, Timeout: r.Timeout, Label: r.Label,
	}}}
}

// MetricBound limits one metric of a test (see [Spec.MetricBounds]).
type MetricBound struct {
	s spec.MetricBound
}

// MetricAtMost bounds metric name from above.
func MetricAtMost(name string, max float64) MetricBound {
	return MetricBound{spec.MetricBound{Metric: name, Max: &max}}
}

// MetricAtLeast bounds metric name from below.
func MetricAtLeast(name string, min float64) MetricBound {
	return MetricBound{spec.MetricBound{Metric: name, Min: &min}}
}

// MetricWithin bounds metric name to [min, max].
func MetricWithin(name string, min, max float64) MetricBound {
	return MetricBound{spec.MetricBound{Metric: name, Min: &min, Max: &max}}
}

// Metrics returns the metrics the test's payloads measured so far, in
// order.
func (c *Ctx) Metrics() []spec.Metric { return c.h.Metrics() }

// CheckMetrics returns a *[CheckError] with one line per measured metric
// outside one of bounds ("metric cyclictest.latency_max_us = 7671 us,
// above its bound 500 us") and per bound on a metric never measured; nil
// when all hold. Bounds in [Spec.MetricBounds] are checked without it.
func (c *Ctx) CheckMetrics(bounds ...MetricBound) error {
	return fromRuntime(c.h.CheckMetrics(lowerBounds(bounds)))
}

func lowerBounds(bs []MetricBound) []spec.MetricBound {
	var out []spec.MetricBound
	for _, b := range bs {
		out = append(out, b.s)
	}
	return out
}

func lowerPayloads(ps []Payload) []spec.Payload {
	var out []spec.Payload
	for _, p := range ps {
		w := spec.Payload{Name: p.Name, Binary: p.Binary, Package: p.Package, Output: string(p.Output)}
		for _, m := range p.Patterns {
			w.Patterns = append(w.Patterns, spec.MetricPattern(m))
		}
		out = append(out, w)
	}
	return out
}
