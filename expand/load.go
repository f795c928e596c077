package expand

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// LoadOptions configure [Load].
type LoadOptions struct {
	// Dir is where the go command runs (the user's module); "" means the
	// current directory.
	Dir string
	// Patterns are package patterns as `go test` takes them; none means
	// ".".
	Patterns []string
	// BinDir receives the test binaries, one per package with tests. It
	// must exist; the caller removes it when the binaries are no longer
	// needed.
	BinDir string
	// Tags are build tags, passed to go list and go test as -tags (like
	// go test -tags); none means none.
	Tags []string
	// Match filters top-level tests (-run/-skip); nil keeps all.
	Match *Matcher
	// Jobs is how many builds and describe passes run at once; zero
	// means 2.
	Jobs int
	// DescribeTimeout bounds one package's describe pass; zero means
	// [DefaultDescribeTimeout].
	DescribeTimeout time.Duration
	// Go is the go command; "" means "go" from PATH.
	Go string
}

func (o LoadOptions) withDefaults() LoadOptions {
	if len(o.Patterns) == 0 {
		o.Patterns = []string{"."}
	}
	if o.Jobs <= 0 {
		o.Jobs = 2
	}
	if o.DescribeTimeout <= 0 {
		o.DescribeTimeout = DefaultDescribeTimeout
	}
	if o.Go == "" {
		o.Go = "go"
	}
	return o
}

// Load finds the packages matching o.Patterns (`go list`), lists each
// one's tests while building its static test binary once (`go test -list
// . -json -o BINARY`), and runs the describe pass of every binary with
// tests left after o.Match. It returns every package, in the go command's
// order; a package that cannot be planned (build failure, describe crash,
// bad describe output) has Err set and the others are complete. The error
// is for what stops everything: no go command, a pattern that matches no
// package, a cancelled ctx.
func Load(ctx context.Context, o LoadOptions) ([]*Package, error) {
	o = o.withDefaults()
	if o.BinDir == "" {
		return nil, errors.New("load tests: no directory for test binaries")
	}
	pkgs, hasTests, err := findPackages(ctx, o.Go, o.Dir, o.Tags, o.Patterns)
	if err != nil {
		return nil, err
	}
	var withTests []*Package
	for i, p := range pkgs {
		if hasTests[i] {
			withTests = append(withTests, p)
		}
	}
	err = each(ctx, withTests, o.Jobs, func(p *Package) error { return listTests(ctx, o.Go, o.Dir, o.BinDir, o.Tags, p) })
	if err != nil {
		return nil, err
	}
	return pkgs, describeAll(ctx, filterTests(withTests, o.Match), o)
}

// describeAll runs the describe pass of pkgs, o.Jobs at a time.
func describeAll(ctx context.Context, pkgs []*Package, o LoadOptions) error {
	tmp, err := os.MkdirTemp("", "gauntlet-describe-")
	if err != nil {
		return fmt.Errorf("describe: %w", err)
	}
	defer os.RemoveAll(tmp)
	return each(ctx, pkgs, o.Jobs, func(p *Package) error { return describe(ctx, p, tmp, o.DescribeTimeout) })
}

// filterTests applies m to every package's tests and returns the packages
// that still have tests to describe.
func filterTests(pkgs []*Package, m *Matcher) []*Package {
	var todo []*Package
	for _, p := range pkgs {
		var kept []string
		for _, t := range p.Tests {
			if m.Test(t) {
				kept = append(kept, t)
			}
		}
		p.Tests = kept
		if p.Err == nil && len(kept) > 0 {
			todo = append(todo, p)
		}
	}
	return todo
}

// each calls fn for every package, at most jobs at a time, and returns the
// first error (fn must return early when ctx is done).
func each(ctx context.Context, pkgs []*Package, jobs int, fn func(*Package) error) error {
	sem := make(chan struct{}, jobs)
	errs := make([]error, len(pkgs))
	var wg sync.WaitGroup
	for i, p := range pkgs {
		sem <- struct{}{}
		if ctx.Err() != nil {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = fn(p)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}
