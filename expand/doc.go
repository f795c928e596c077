// Package expand turns package patterns into test variants: it lists tests
// with `go test -list`, builds each test binary once, runs the describe
// pass to learn every test's Spec, and expands each Spec across topology
// presets and scheduler flag profiles into named variants.
//
// Loading (I/O, [Load]):
//
//  1. `go list -e -json PATTERNS` finds the packages, their directories
//     and whether they have test files; a pattern that matches nothing is
//     an error ([ErrNoPackages]).
//  2. Per package with tests, `CGO_ENABLED=0 go test -list . -json -o
//     BINARY PKG` builds the static test binary once (it is later each
//     VM's /init) and lists its tests as test2json events ([ParseList]),
//     or reports the build failure with the compiler's message.
//     Benchmarks are left out.
//  3. -run/-skip ([Matcher]) keep the top-level tests that may run.
//  4. The describe pass runs each binary in its package directory with
//     GAUNTLET_DESCRIBE=FILE, -test.short and -test.v on exactly the
//     kept tests. Every gauntlet.Run appends its Spec to FILE and skips
//     ([ParseDescriptions]); plain host tests run, and their -test.v
//     output is kept in [Package.DescribeOutput].
//
// A package that fails at any step gets a [*PackageError] and the others
// go on. Expanding is pure ([Expand], [ExpandSpec]): per described test
// the base variant "TestX" at its own topology, then presets x [Profiles]
// named "TestX/PRESET/PROFILE", plus for a test without a scheduler one
// profile per [Options.Schedulers] binary (`--scheduler`, named by its
// base name), all of them once per kernel when several are given
// ("TestX/KERNEL", "TestX/PRESET/PROFILE/KERNEL"), each marked excluded
// by the test's constraints or the host's capacity, with the reason; the
// planner adds [ByKernel] exclusions.
package expand
