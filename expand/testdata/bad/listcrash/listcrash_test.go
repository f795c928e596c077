// Package listcrash is a fixture whose TestMain fails before listing.
package listcrash

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	fmt.Println("setup: cannot open /nonexistent/config")
	os.Exit(3)
}

func TestNeverListed(t *testing.T) {}
