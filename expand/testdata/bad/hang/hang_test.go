// Package hang is a fixture whose plain test does not return in time.
package hang

import (
	"testing"
	"time"
)

func TestHangs(t *testing.T) {
	time.Sleep(time.Hour)
}
