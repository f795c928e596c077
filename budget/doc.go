// Package budget estimates what each variant costs and selects the
// variants that fit a wall-clock budget on a set of weighted VM slots. It
// is pure: plain data in, plain data out, no environment, clock, files or
// randomness; the same inputs give the same plan.
//
// # Flow
//
// The planner turns tests into [Candidate]s (one per variant), describes
// the host as a [Host] and calls [Select] with [Options] (budget, job
// count, optional [History]). The [Plan] says which candidates run, when
// and in which slot, the predicted wall time, the features covered, and,
// for every candidate left out, why. [Plan.Shard] splits a plan across
// machines.
//
// # Costs
//
// [EstimateCost] gives boot + test + teardown per candidate: measured
// durations from earlier runs when [History] has them, else a model built
// on boot times measured under QEMU's TCG (see EstimateCost for the
// numbers). [Cost.Total] is a run in a fresh VM, [Cost.Shared] one in a
// VM booted for another variant: history keeps the test times of both
// kinds of runs apart. Runs record their measurements in results.json, a
// versioned format read and written by [ReadResults] and [WriteResults].
//
// # Slots
//
// VMs running at the same time share the host's cores and memory and at
// most Options.Jobs run at once (see [Capacity]). A VM holds min(vCPUs,
// host CPUs) cores, so a plan never predicts that two VMs that each keep
// the whole host busy run side by side as fast as alone.
//
// # Features
//
// The selection tries to cover features. Single features follow ktstr's
// (without its hashing: every test and scheduler is its own feature):
// CPU-count bucket (<=8, 9-16, 17-64, 65-128, >128), LLC bucket (1, 2,
// 3-4, 5-8, >=9), NUMA bucket (1, 2, 3-4, >=5), SMT, offline CPUs
// (possible > online), memory-only NUMA nodes, each scheduler flag (per
// scheduler), duration bucket (<=2 s, 3-10 s, >10 s, whole seconds),
// base or gauntlet variant, scheduler (EEVDF when none), test (per
// package), and the kernel when the candidates boot more than one.
// Pairwise features: test x topology class, test x profile, topology
// class x profile, and with several kernels test x kernel and kernel x
// topology class, where the topology class is the CPU, LLC and NUMA
// buckets plus SMT and a profile is a scheduler's flag profile. A single feature weighs 4, a pairwise
// one 1, so one new single feature outweighs all pairwise features of a
// candidate.
package budget
