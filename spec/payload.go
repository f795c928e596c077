package spec

import "path"

// PayloadDir is the guest directory payload binaries are copied to; see
// [PayloadGuestPath]. Their libraries sit at their host paths and
// [EnvPayloadLibPath] names the libraries' directories.
const PayloadDir = "/gauntlet/payload"

// EnvPayloadLibPath is set in the guest, by the VM runner, to the
// directories of the dynamically linked payload binaries' libraries; the
// guest starts payloads with it as LD_LIBRARY_PATH.
const EnvPayloadLibPath = "GAUNTLET_PAYLOAD_LIBPATH"

// PayloadGuestPath returns where the guest finds the payload binary whose
// host path is hostPath: [PayloadDir]/<base name>.
func PayloadGuestPath(hostPath string) string {
	return path.Join(PayloadDir, path.Base(hostPath))
}

// Output formats of a payload's machine-readable output; the guest adds
// the arguments that make the program write it.
const (
	// OutputText: metrics come from the payload's standard output through
	// the payload's Patterns.
	OutputText = ""
	// OutputStressNGYAML: stress-ng's --yaml report (the guest adds
	// `--metrics --yaml FILE`; -q/--quiet would suppress the metrics).
	OutputStressNGYAML = "stress-ng-yaml"
	// OutputCyclictestJSON: cyclictest's --json report (the guest adds
	// `--json=FILE`).
	OutputCyclictestJSON = "cyclictest-json"
)

// Payload is a program the guest runs as part of a step (stress-ng,
// cyclictest, ...): a host binary packed into the initramfs with its ELF
// closure, the way metrics are read from what it prints, and the Debian
// package that provides it (for the skip message when it is missing).
type Payload struct {
	// Name identifies the payload in ops and prefixes its metrics
	// ("stress-ng.cpu.bogo-ops").
	Name string `json:"name"`
	// Binary is the host path of the executable.
	Binary string `json:"binary"`
	// Package is the package that installs Binary, e.g. "rt-tests".
	Package string `json:"package,omitempty"`
	// Output is the machine-readable output the metrics are parsed
	// from: [OutputText], [OutputStressNGYAML] or [OutputCyclictestJSON].
	Output string `json:"output,omitempty"`
	// Patterns read metrics from the standard output (any Output).
	Patterns []MetricPattern `json:"patterns,omitempty"`
}

// MetricPattern declares one metric read from text output: the first
// submatch of the first line Regexp matches, a number.
type MetricPattern struct {
	Name   string `json:"name"`
	Regexp string `json:"regexp"`
	Unit   string `json:"unit,omitempty"`
}

// Metric is one named measurement of a test: a payload's (named
// "PAYLOAD.METRIC") or a built-in worker statistic.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// MetricBound limits a metric: a test whose metric Metric falls below Min
// or above Max (each when set) fails with a message naming the metric,
// its value and the bound. A bound on a metric the test never measured
// fails it too.
type MetricBound struct {
	Metric string   `json:"metric"`
	Min    *float64 `json:"min,omitempty"`
	Max    *float64 `json:"max,omitempty"`
}
