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
package guest
