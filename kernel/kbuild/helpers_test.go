package kbuild

import (
	"os"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/kernel"
)

var x86 = kernel.Arch{Name: "x86_64", SrcDir: "x86", Image: "bzImage"}

func keys(es []kernel.CacheEntry) string {
	var k []string
	for _, e := range es {
		k = append(k, e.Key)
	}
	return strings.Join(k, " ")
}

// hidden lists the cache root's dot-names (staging, trash) but the lock.
func hidden(t *testing.T, c *kernel.Cache) []string {
	t.Helper()
	des, err := os.ReadDir(c.Root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") && de.Name() != ".lock" {
			out = append(out, de.Name())
		}
	}
	return out
}
