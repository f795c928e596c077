package spec

import (
	"fmt"
	"strings"
)

// Outcome is how one test run (one variant) ended. It is the one outcome
// vocabulary of gauntlet: the guest's result line, the VM runner's result
// (package vm), the reports and results.json all use it. Its text is the
// wire spelling, snake_case ("pass", "kernel_panic"); [ParseOutcome] also
// reads the spellings older versions wrote ("passed", "kernel-panic",
// "timed-out", ...), so old results and JUnit files still load.
//
// The outcomes fall into three groups:
//   - the test's own verdict: [OutcomePass], [OutcomeFail], [OutcomeSkip],
//     and [OutcomeInconclusive], a pass whose checks ran with limits too
//     loose to mean much;
//   - the test did not finish: [OutcomeCrash], [OutcomeKernelPanic],
//     [OutcomeTimeout], [OutcomeQEMUFailed], [OutcomeAccelUnusable]; these
//     count as failures ([Outcome.Failed]), and the last two mean the
//     harness or the host broke rather than the test ([Outcome.Infra]);
//   - [OutcomeNotRun]: the variant never started; not a failure, reported
//     as skipped with the reason ([Outcome.Ran]).
type Outcome string

// Outcomes.
const (
	// OutcomePass: the test ran and passed.
	OutcomePass Outcome = "pass"
	// OutcomeFail: the test reported a failure, or the guest's topology
	// did not match the request.
	OutcomeFail Outcome = "fail"
	// OutcomeInconclusive: the test passed, but some of its checks ran
	// with limits relaxed past the bounds of a meaningful check (see
	// [ConclusiveMaxGap]): the host could not give the guest the CPU
	// the checks need, so the pass proves less than a pass. Not a
	// failure; reported apart from passes.
	OutcomeInconclusive Outcome = "inconclusive"
	// OutcomeSkip: the test skipped itself (say, the kernel lacks
	// sched_ext).
	OutcomeSkip Outcome = "skip"
	// OutcomeCrash: the test process died (Go panic, signal), the guest
	// init failed, or the guest powered off without a result.
	OutcomeCrash Outcome = "crash"
	// OutcomeKernelPanic: the guest kernel panicked (or the init exited,
	// which panics it). Under test the scheduler runs in that kernel, so
	// this is a failure of the test, not of the harness.
	OutcomeKernelPanic Outcome = "kernel_panic"
	// OutcomeTimeout: no result before the run's deadline; the VM was
	// killed. A scheduler that stalls the guest ends this way, so it is a
	// failure of the test.
	OutcomeTimeout Outcome = "timeout"
	// OutcomeQEMUFailed: QEMU could not start or died, or the guest
	// stopped before its init ran without a kernel panic.
	OutcomeQEMUFailed Outcome = "qemu_failed"
	// OutcomeAccelUnusable: the accelerator asked for (KVM) does not work
	// on this host.
	OutcomeAccelUnusable Outcome = "accel_unusable"
	// OutcomeNotRun: the variant was never started (cancelled, or its
	// setup failed before booting).
	OutcomeNotRun Outcome = "not_run"
)

// outcomes lists every outcome, in the order errors list them.
var outcomes = []Outcome{OutcomePass, OutcomeFail, OutcomeSkip, OutcomeCrash, OutcomeKernelPanic,
	OutcomeTimeout, OutcomeQEMUFailed, OutcomeAccelUnusable, OutcomeNotRun, OutcomeInconclusive}

// oldOutcomes maps the spellings earlier versions wrote (the VM runner's
// past tense and kebab-case) to the outcome.
var oldOutcomes = map[string]Outcome{
	"passed": OutcomePass, "failed": OutcomeFail, "skipped": OutcomeSkip, "crashed": OutcomeCrash,
	"kernel-panic": OutcomeKernelPanic, "timed-out": OutcomeTimeout, "qemu-failed": OutcomeQEMUFailed,
	"accel-unusable": OutcomeAccelUnusable, "not-run": OutcomeNotRun,
}

// ParseOutcome reads an outcome in its wire spelling ("kernel_panic") or a
// spelling of earlier versions ("kernel-panic", "passed"). The error names
// s and the valid spellings.
func ParseOutcome(s string) (Outcome, error) {
	for _, o := range outcomes {
		if s == string(o) {
			return o, nil
		}
	}
	if o, ok := oldOutcomes[s]; ok {
		return o, nil
	}
	names := make([]string, len(outcomes))
	for i, o := range outcomes {
		names[i] = string(o)
	}
	return "", fmt.Errorf("outcome %q is not one of %s", s, strings.Join(names, ", "))
}

// UnmarshalText reads the wire spelling or an old one (see
// [ParseOutcome]). Text it does not know is kept as it is, so that the
// caller's validation (ParseOutcome of the value) can say where it was.
func (o *Outcome) UnmarshalText(b []byte) error {
	if p, err := ParseOutcome(string(b)); err == nil {
		*o = p
		return nil
	}
	*o = Outcome(b)
	return nil
}

// String returns the wire spelling.
func (o Outcome) String() string { return string(o) }

// Passed reports whether the test ran and passed.
func (o Outcome) Passed() bool { return o == OutcomePass }

// Ran reports whether the variant was started; false only for
// [OutcomeNotRun], which is reported as skipped, with its reason, and is
// no failure.
func (o Outcome) Ran() bool { return o != OutcomeNotRun }

// Failed reports whether o counts as a failure in the summary and the exit
// code: everything but pass, skip and not run (an unknown outcome too).
func (o Outcome) Failed() bool {
	return o != OutcomePass && o != OutcomeInconclusive && o != OutcomeSkip && o != OutcomeNotRun
}

// Infra reports whether o means the harness or the host broke rather than
// the test: QEMU failed, the accelerator is unusable, or the variant never
// started. A crash, kernel panic or timeout is the test's (the scheduler
// under test runs in that guest), so it is not Infra.
func (o Outcome) Infra() bool {
	return o == OutcomeQEMUFailed || o == OutcomeAccelUnusable || o == OutcomeNotRun
}
