// Package broken is a fixture that does not compile.
package broken

import "testing"

func TestBroken(t *testing.T) {
	var x int = "not an int"
	_ = x
}
