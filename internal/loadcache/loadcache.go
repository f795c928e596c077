// Package loadcache is a test helper: an [expand.Load] that builds each
// package pattern once per test binary, so the planning tests of several
// packages share fixture builds instead of rebuilding them per test.
package loadcache

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/gauntlet-sched/gauntlet/expand"
)

// Cache holds the packages loaded so far, keyed by pattern and filter.
// Its zero value is not usable: make one with [New].
type Cache struct {
	mu   sync.Mutex
	dir  string
	pkgs map[string][]*expand.Package
}

// New returns a cache whose test binaries go below dir; the caller
// removes dir when the tests are done.
func New(dir string) *Cache {
	return &Cache{dir: dir, pkgs: map[string][]*expand.Package{}}
}

// Load is a drop-in for [expand.Load]: it loads each pattern (with the
// filters) once and returns shallow copies (Expand may set a copy's Err).
// Patterns are loaded one by one so that tests naming the same fixture in
// different pattern lists share its build.
func (c *Cache) Load(ctx context.Context, o expand.LoadOptions) ([]*expand.Package, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*expand.Package
	for _, pattern := range o.Patterns {
		pkgs, err := c.one(ctx, o, pattern)
		if err != nil {
			return nil, err
		}
		for _, p := range pkgs {
			cp := *p
			out = append(out, &cp)
		}
	}
	return out, nil
}

func (c *Cache) one(ctx context.Context, o expand.LoadOptions, pattern string) ([]*expand.Package, error) {
	key := fmt.Sprintf("%q %s %q", pattern, o.Match, o.Tags)
	if pkgs, ok := c.pkgs[key]; ok {
		return pkgs, nil
	}
	dir, err := os.MkdirTemp(c.dir, "bin-")
	if err != nil {
		return nil, err
	}
	o.BinDir, o.Patterns = dir, []string{pattern}
	pkgs, err := expand.Load(ctx, o)
	if err != nil {
		return nil, err
	}
	c.pkgs[key] = pkgs
	return pkgs, nil
}
