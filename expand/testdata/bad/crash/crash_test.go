// Package crash is a fixture whose test binary panics while describing.
package crash

import (
	"testing"

	"github.com/gauntlet-sched/gauntlet"
)

func TestDescribed(t *testing.T) {
	gauntlet.Run(t, gauntlet.Spec{}, func(*gauntlet.Ctx) error { return nil })
}

func TestPanics(t *testing.T) {
	var m map[string]int
	m["boom"]++
}
