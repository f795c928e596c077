// Package spec holds the plain data that crosses process boundaries
// between the gauntlet host and test binaries: the [Spec] a test declares
// (reported by the describe pass), the [Variant] a test runs as, and the
// environment variables that switch a test binary into one of its roles.
//
// A test binary built with the gauntlet library plays several roles, chosen
// by its environment:
//
//	(none)              an ordinary `go test` binary on the host; a test
//	                    that calls gauntlet.Run boots one VM at its base
//	                    topology
//	GAUNTLET_DESCRIBE   describe pass: each gauntlet.Run writes its Spec as
//	                    one JSON line to the named file and skips
//	PID 1 in a VM       the guest init (internal/guest)
//	GAUNTLET_GUEST      inside the VM, the child the init starts to run one
//	                    test; gauntlet.Run executes the scenario
//	GAUNTLET_WORKER     a worker process of a scenario
//
// This package imports only topo and the standard library.
package spec
