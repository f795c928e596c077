// Package expand turns package patterns into test variants: it lists tests
// with `go test -list`, builds each test binary once, runs the describe
// pass to learn every test's Spec, and expands each Spec across topology
// presets and scheduler flag profiles into named variants.
package expand
