package vm_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// Boot a test binary (built with CGO_ENABLED=0) at 1n2l2c1t and run one of
// its tests inside.
func ExampleConfig_Run() {
	k, err := kernel.Find()
	if err != nil {
		fmt.Println(err)
		return
	}
	t, _ := topo.Parse("1n2l2c1t")
	cfg := vm.Config{
		Kernel:   k.Path,
		Init:     "./pkg.test",
		Args:     []string{"-test.run", "^TestTwoCgroups$", "-test.v"},
		Variant:  &spec.Variant{Name: "TestTwoCgroups/tiny-2llc/default", Preset: "tiny-2llc", Topology: t},
		Topology: t,
		Output:   os.Stdout,
	}
	res, err := cfg.Run(context.Background())
	if err != nil {
		fmt.Println("setup:", err)
		return
	}
	fmt.Println(res.Outcome, res.Reason)
}
