// Package example is a package of scheduler tests written with gauntlet,
// the way a scheduler developer writes them: ordinary Go tests that
// declare a Spec and a scenario. It lives under testdata so `go test
// ./...` skips it; run it by name:
//
//	CGO_ENABLED=0 go test -v ./testdata/example
//
// Under plain `go test` each test boots one VM at its base topology;
// `gauntlet plan ./testdata/example` and `gauntlet run ./testdata/example`
// expand them across topology presets and scheduler flag profiles.
package example
