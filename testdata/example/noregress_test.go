//go:build !gauntlet_regress

package example

import "github.com/gauntlet-sched/gauntlet"

// plantedLoad is nothing without -tags gauntlet_regress (see
// regress_test.go).
func plantedLoad() []gauntlet.CgroupDef { return nil }
