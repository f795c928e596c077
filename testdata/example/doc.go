// Package example is a package of scheduler tests written with gauntlet,
// the way a scheduler developer writes them: ordinary Go tests that
// declare a Spec and a scenario. It lives under testdata so `go test
// ./...` skips it; run it by name:
//
//	CGO_ENABLED=0 go test -v ./testdata/example
//
// The TestScx tests run the kernel tree's example schedulers from the
// directory GAUNTLET_SCHEDULERS names on the sched_ext kernel
// GAUNTLET_SCX_KERNEL names (they skip without them, and fail instead
// under GAUNTLET_REQUIRE_SCX=1): healthy runs, and fault-injection runs
// that assert how the scheduler's exit is classified.
//
// TestPayloads runs Debian's stress-ng and rt-tests (cyclictest,
// hackbench) as payloads and checks their metrics and bounds; it skips,
// naming the package, without them.
//
// Under plain `go test` each test boots one VM at its base topology;
// `gauntlet plan ./testdata/example` and `gauntlet run ./testdata/example`
// expand them across topology presets and scheduler flag profiles.
package example
