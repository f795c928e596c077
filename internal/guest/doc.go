// Package guest runs inside the VM: the PID 1 init ([RunInit]) that
// mounts filesystems, starts the scheduler and runs one test, and the
// scenario runtime that creates cgroups, starts workers, holds, measures
// and checks. It is the gauntlet package's engine: the gauntlet package
// builds scenarios with its public API and lowers them to this package's
// plain wire data ([StepSpec], [CgroupSpec], [OpSpec], [WorkSpec], ...),
// which the runtime validates and executes. It never imports the gauntlet
// package; custom work reaches it through [RegisterCustom].
//
// # Scenario runtime
//
// [RunGuest] is what gauntlet.Run does in the VM. It reads the guest's
// layout from sysfs, calibrates (how many CPUs' worth of work the vCPUs
// really do together, and how long they stall), derives and prints the
// check thresholds, keeps the last CPU for itself when there are more than
// two (making the others a cpuset partition, so the kernel balances load
// over them alone), creates its cgroup, loads the Spec's sched_ext
// scheduler (a binary from spec.SchedulerDir, or the built-in one loaded
// from Go; for a Spec without one, the variant's `--scheduler` binary,
// spec.SchedulerOf), runs the test's scenario function with a [Harness], then tears
// everything down, verifies no worker, cgroup or temp file is left, and
// prints one result line (spec.ResultPrefix).
//
// A scenario is a list of [StepSpec]s run by [Harness.Execute]: each
// creates cgroups ([CgroupSpec]), applies [OpSpec]s and holds. Workers are
// processes: the test binary started again with spec.EnvWorker set, cloned
// straight into their cgroup (clone3 CLONE_INTO_CGROUP), held at a barrier
// (a pipe the harness closes) until every worker of the step is ready,
// stopped by a flag in shared memory plus SIGUSR1, each sending one JSON
// report over a pipe ([WorkerMain] is the worker side). A worker loops
// over its [WorkSpec], noting time and CPU at a checkpoint after every
// iteration.
//
// At the end the checks run over all reports (see [CheckError]):
//
//   - starvation: a worker did fewer work units than the minimum;
//   - stuck: the longest time between two checkpoints exceeds the gap
//     limit ("stuck 3500ms on cpu1 at +1200ms");
//   - isolation: a worker was seen on a CPU its cgroup's cpuset did not
//     allow at the time (cpuset changes bump an epoch in shared memory,
//     and a worker's CPUs are kept per epoch, so moves are followed
//     exactly);
//   - fairness: within a cgroup, the spread of off-CPU percentage in the
//     steady state (after the settle time, 500ms) exceeds the limit.
//
// A worker that dies without reporting (killed by the kernel) fails the
// test with how it died.
//
// # CPU hotplug
//
// Hotplug ops ([OpCPUOffline], [OpCPUOnline], [OpCPUToggle]) and a hold
// toggling a CPU ([HoldSpec].ToggleEvery) write
// /sys/devices/system/cpu/cpuN/online. Each is an isolation change of
// every running worker, with the effective CPUs read back from the
// kernel after it (a cgroup whose CPUs all went offline has its
// parent's); the time spent in the write is added to a hotplug clock in
// shared memory, which workers subtract from their gaps (nothing else
// is excused); a CPU brought online joins the harness cgroup; at the
// scenario's end every CPU it changed is put back. A sched_ext scheduler
// the kernel unloads at a hotplug with a restart request (exit kind 66)
// has its attach timeout to come back: its loader is started again if
// it exited, the built-in scheduler is attached again, and one not back
// in time fails with "did not restart after hotplug".
// # Payloads
//
// An [OpPayload] op ([PayloadRunSpec]) runs a program from
// spec.PayloadDir after the step's workers are released: in a leaf
// cgroup (a named one, or "payload-LABEL" of its own), its own process
// group, with LD_LIBRARY_PATH from spec.EnvPayloadLibPath and the
// arguments that make it write its report to a temp file. A foreground
// run is waited for (up to its timeout); a background one is stopped
// with SIGINT (SIGKILL 10s later) when the step ends. A nonzero exit
// (of a run not stopped by the harness), a timeout or a report that does
// not parse is a scenario failure; its metrics (package
// internal/metrics) go into the result, are checked against the Spec's
// MetricBounds at the scenario's end (a bound no payload measured fails
// the test at its end), and its output and report go to the host as log
// files.
package guest
