// Package gauntlet is the library scheduler developers import to write
// scheduler tests as ordinary Go tests.
//
// A test declares its [Spec] and a scenario function:
//
//	func TestTwoCgroups(t *testing.T) {
//		gauntlet.Run(t, gauntlet.Spec{Topology: "1n1l2c1t"}, func(c *gauntlet.Ctx) error {
//			return c.ExecuteDefs(
//				gauntlet.Cgroup("cg_0").Workers(4),
//				gauntlet.Cgroup("cg_1").Workers(2),
//			)
//		})
//	}
//
// Run by plain `go test` on the host, [Run] boots one VM at the Spec's base
// topology with the test binary as its init, and reports the guest's
// verdict as the test's own. Inside the VM, [Run] executes the scenario.
// The gauntlet command expands every such test across topology presets and
// scheduler flag profiles; see package spec for the roles a test binary
// plays.
package gauntlet
