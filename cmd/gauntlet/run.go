package main

import (
	"context"

	"github.com/gauntlet-sched/gauntlet/run"
)

func init() {
	register(command{name: "run", summary: "plan, boot the variants in parallel VMs, report (default)", runCLI: (*cli).runRun})
}

const runUsage = `Usage: gauntlet [run] [flags] [packages]

Plans like 'gauntlet plan' (lists the tests of the packages, default ".",
expands them across topology presets and scheduler flag profiles, selects
what fits the budget), then boots every selected variant in its own VM,
as many at once as the host's CPUs and memory allow, and reports.

Every run writes into a new directory under --out: junit.xml,
results.json (measured times; later plans read them through --history),
logs/ with each variant's test output and kernel console, and
timeline.txt (where the slot time went: scenarios, boots, idle). Partial
results are written when the run is interrupted or its -timeout passes.
Exit status: 0 all selected variants passed or skipped (flaky ones
passed), 1 a variant failed or -timeout passed, 2 usage or setup error
(bad flag, no kernel, no QEMU, a package that does not build, a --run or
--skip that matches nothing), 130 interrupted.

A variant that passed with its checks' default limits scaled past 3s
(gap), 750ms (run delay) or 35% (spread) to fit this host, as under TCG
with more vCPUs than host CPUs, is inconclusive: not a failure, but not
a pass either (a skip in JUnit, with the reason). --conclusive plans only
the variants expected to keep their power.

On a terminal a status block shows what is done, the variants running
and the ETA against the budget, redrawn once a second, with failures
printed above it as they happen; elsewhere (CI, pipes) one line per
finished variant. Colour only on a terminal, never with $NO_COLOR.

--json writes the run to stdout as the events 'go test -json' writes
(one test per variant, named as in JUnit, the guest's output as its
output), and the rest to stderr, so tools that read them work:
  gotestsum --raw-command -- gauntlet run --json ./...

--retries N boots a variant whose test failed (fail, crash, kernel
panic, timeout) again in a fresh VM, up to N times; if an attempt then
passes the variant is flaky: FLAKY in the progress line, "flaky" in the
table and the summary, "flaky": true with every attempt in results.json,
and in JUnit a passing testcase with one <flakyFailure> per failed
attempt (as Surefire and nextest write it; all attempts failing give
<failure> plus <rerunFailure>). QEMU failures are no test result and are
not retried; the emulator's code-patching race has its own retry.
Attempt N's logs are logs/VARIANT.attemptN.*.

Variants that boot the same VM (one package's test binary, kernel,
scheduler and payload files, topology and memory) run one after another
in one VM when the one before passed and the guest reports itself as
clean as after its boot, so the budget buys scenarios rather than boots;
the plan counts it ("boot sharing: N variants expected to reuse a
boot"). Such a variant has its own logs and testcase, with the JUnit
property shared-boot=VMNAME (the VM booted for an earlier variant) and
"shared_boot" in results.json; its boot time is 0. A failure, crash,
timeout or dirty guest ends the VM: the next variant, and any retry,
boots a fresh one. --fresh-vm boots every variant in its own VM, to
bisect a state leak between tests or to compare against shared boots.

The go test flags mean what they mean there: -count N runs each variant
N times (repeats are named VARIANT#2 ... VARIANT#N, each its own
testcase), -failfast stops starting variants after a failure, -timeout
bounds the whole run, -tags reaches the test binaries' build, -run and
-skip select.

The kernel is found as 'gauntlet kernel which' shows (KTSTR_TEST_KERNEL,
KTSTR_KERNEL, the cache, ...), and variants with a scheduler boot
$GAUNTLET_SCX_KERNEL when it is set, unless --kernel names kernels: then
every variant boots its own --kernel, and with several each variant runs
once per kernel (TestX/PRESET/PROFILE/LABEL). A kernel whose config lacks
sched_ext leaves out the variants with a scheduler on it, saying why.

--scheduler PATH also runs the tests whose Spec declares no scheduler
(the EEVDF tests) under that sched_ext scheduler binary, unchanged, as
their own profile named by its base name (TestX/PRESET/scx_simple), so
one run compares EEVDF and the scheduler side by side; repeat it for
several. Tests that declare a scheduler of their own are not affected.
Those variants boot GAUNTLET_SCX_KERNEL when it is set (like tests with
a scheduler), and the binary goes into the VM with its libraries. A
binary that is missing or not executable, or a kernel without sched_ext,
leaves its variants out with one line on stderr; the others run and the
exit status is 2. A scheduler that fails to attach fails its variants
with what it said and what to try.

Examples:
  gauntlet --budget 20m ./...                   what fits in 20 minutes
  gauntlet run --presets tiny-1llc,smt-2llc ./sched
  gauntlet run --budget 1h --shard 2/4 ./...    CI shard 2 of 4; merge with 'gauntlet report'
  gauntlet run --kernel ~/linux/arch/x86/boot/bzImage --run TestSteady -v ./sched
  gauntlet run --budget 10m --junit report.xml ./...
  gauntlet run --presets tiny-2llc --scheduler ./scx_simple --scheduler ./scx_qmap --scheduler-args "-s 5000" ./sched
  gauntlet run --retries 2 --budget 30m ./...   a variant that fails, then passes, is flaky
  gauntlet run -count 5 -failfast -run TestSteady/tiny-1llc ./sched   hunt a flaky test
  gauntlet run -tags slow -timeout 45m ./...
  gauntlet run --fresh-vm -run TestSteady ./sched   every variant in a VM of its own
  gauntlet run --kernel 6.12.8 --kernel scx=./linux ./sched    every variant on both kernels`

func (c *cli) runRun(ctx context.Context, args []string) error {
	var pf planFlags
	cfg := run.Config{Stdout: c.stdout, Stderr: c.stderr}
	fs := newFlagSet("run", runUsage, c.stdout)
	pf.add(fs)
	fs.StringVar(&cfg.Out, "out", "gauntlet-runs", "`dir` under which each run gets its own directory")
	fs.StringVar(&cfg.JUnit, "junit", "", "also write the JUnit XML to `file`")
	fs.BoolVar(&cfg.Verbose, "v", false, "stream every variant's test output as it runs")
	asJSON := fs.Bool("json", false, "write test2json events to stdout (as 'go test -json' does), everything else to stderr")
	mode := progressFlag("auto")
	fs.Var(&mode, "progress", "`mode` of progress: auto (a live status block on a terminal, plain lines otherwise), plain or live")
	patterns, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *asJSON {
		cfg.JSON, cfg.Stdout = c.stdout, c.stderr
	}
	cfg.Display = display(mode, cfg.Stdout, c.env())
	if cfg.Plan, err = pf.config(patterns, c.getenv); err != nil {
		return err
	}
	cfg.FailFast, cfg.Timeout = pf.failFast, pf.timeout
	cfg.Kernels = pf.kernels
	_, err = c.runner.Run(ctx, cfg)
	return err
}
