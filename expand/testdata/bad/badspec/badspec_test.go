// Package badspec is a fixture whose Spec names a flag the scheduler
// does not declare.
package badspec

import (
	"testing"

	"github.com/gauntlet-sched/gauntlet"
)

func TestBadFlag(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{
		Scheduler:     &gauntlet.Scheduler{Name: "scx_x", Flags: []gauntlet.Flag{{Name: "llc"}}},
		RequiredFlags: []string{"nosuch"},
	}, func(*gauntlet.Ctx) error { return nil })
}
