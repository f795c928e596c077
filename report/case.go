package report

import (
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// Case is the result of one variant (or one plain host test), as the
// reports need it. It is plain data filled by the runner.
type Case struct {
	Package  string `json:"package"`
	Test     string `json:"test"`    // top-level test name, TestX
	Variant  string `json:"variant"` // TestX or TestX/PRESET/PROFILE, maybe then /KERNEL
	Preset   string `json:"preset,omitempty"`
	Profile  string `json:"profile,omitempty"`
	Topology string `json:"topology,omitempty"`
	Accel    string `json:"accel,omitempty"`  // "kvm", "tcg" or "" for host tests
	Kernel   string `json:"kernel,omitempty"` // the image booted
	// KernelLabel is the kernel's short name; variant names end in
	// "/" and it when a run had several kernels.
	KernelLabel string `json:"kernel_label,omitempty"`
	// Outcome is how the variant ended; a variant that never started is
	// [spec.OutcomeNotRun], reported as skipped with Message as the reason.
	Outcome spec.Outcome `json:"outcome"`
	// Message is a one-line reason for anything but a pass.
	Message string `json:"message,omitempty"`
	// Output is the test's own `go test -v` output.
	Output []byte `json:"-"`
	// ConsoleTail is the end of the kernel console log.
	ConsoleTail string `json:"-"`
	// ConsoleLog is the path of the full console log, if kept.
	ConsoleLog string        `json:"console_log,omitempty"`
	Boot       time.Duration `json:"-"`
	TestTime   time.Duration `json:"-"`
	Total      time.Duration `json:"-"`
	// Properties are extra name/value facts (thresholds, measured stats)
	// that end up in JUnit as a properties block in system-out.
	Properties []Property `json:"properties,omitempty"`
	// Attempts are the variant's earlier attempts, oldest first, when it
	// was booted again after failing (`gauntlet run --retries`); each of
	// them failed, and the case itself is the last attempt. A case that
	// passed after failed attempts is flaky ([Case.Flaky]).
	Attempts []Case `json:"attempts,omitempty"`
}

// Flaky reports whether c passed after failed attempts.
func (c Case) Flaky() bool { return c.Outcome.Passed() && len(c.Attempts) > 0 }

// Tries is how many times c's variant was booted: its earlier attempts
// and itself.
func (c Case) Tries() int { return len(c.Attempts) + 1 }

// Property is one name/value fact about a case.
type Property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PropSharedBoot is the property of a case whose variant ran in a VM
// booted for an earlier variant (boot sharing); its value is that VM's
// name, the same for every variant that shared the boot. Such a case's
// Boot is zero.
const PropSharedBoot = "shared-boot"

// Property returns the value of c's first property called name, or "".
func (c Case) Property(name string) string {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Host reports whether c is a plain host test (no VM).
func (c Case) Host() bool { return c.Accel == "" && c.Topology == "" }

// column returns the matrix column a case belongs to: its preset, "base"
// for the base variant, "host" for plain host tests.
func (c Case) column() string {
	switch {
	case c.Preset != "":
		return c.Preset
	case c.Host():
		return "host"
	}
	return "base"
}

// firstLine returns the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
