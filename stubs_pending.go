package gauntlet

import "testing"

// This file holds placeholders that the VM runner (host.go: runHost) and
// the scenario runtime (ctx.go: Ctx, runGuest, runWorker) replace. Delete
// each placeholder when its real definition lands.

// Ctx is the scenario context inside the VM.
type Ctx struct{}

func runHost(t testing.TB, s Spec) {
	t.Helper()
	t.Skip("gauntlet: VM runner not built yet")
}

func runGuest(t testing.TB, s Spec, fn func(*Ctx) error) {
	t.Helper()
	t.Skip("gauntlet: scenario runtime not built yet")
}

func runWorker(t testing.TB, s Spec) {
	t.Helper()
	t.Skip("gauntlet: scenario runtime not built yet")
}
