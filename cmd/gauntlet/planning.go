package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// planConfig is what a plan is made from: the planning flags and the
// package patterns. `gauntlet plan` prints the plan; `gauntlet run` can
// execute it.
type planConfig struct {
	Budget        time.Duration
	Jobs          int
	Presets       []topo.Preset   // nil: all presets (unless Topologies)
	Topologies    []topo.Topology // custom topologies, named by compact form
	Run, Skip     string
	ShardK        int // 0: not sharded
	ShardN        int
	Oversubscribe float64 // 0: topo.DefaultOversubscribe
	Accel         spec.Accel
	History       string // directory of earlier runs; "" for none
	Patterns      []string
	Kernels       []string // kernel labels; several multiply the variants

	match *expand.Matcher // compiled by Validate

	shardAuto bool                // --shard auto: ShardK/ShardN from the CI's environment
	getenv    func(string) string // for --shard auto; nil means os.Getenv
	shardFrom string              // where --shard auto found the shard
}

// Validate checks what flag parsing cannot: the regexps and that the
// presets and topologies do not name one topology twice.
func (c *planConfig) Validate() error {
	m, err := expand.NewMatcher(c.Run, c.Skip)
	if err != nil {
		return usageErrorf("%s (run 'gauntlet plan -h' for usage)", oneLine(err))
	}
	c.match = m
	if c.shardAuto {
		getenv := c.getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		k, n, from, err := shardFromEnv(getenv, c.ShardN)
		if err != nil {
			return usageErrorf("%v", err)
		}
		c.ShardK, c.ShardN, c.shardFrom = k, n, from
	}
	seen := map[string]bool{}
	for _, p := range c.presetList() {
		if seen[p.Name] {
			return usageErrorf("topology %s given twice", p.Name)
		}
		seen[p.Name] = true
	}
	if c.Accel == "" {
		c.Accel = spec.AccelAuto
	}
	return nil
}

// presetList returns the topologies to expand to: the chosen presets (all
// when neither presets nor topologies are given) then the custom ones.
func (c *planConfig) presetList() []topo.Preset {
	ps := c.Presets
	if ps == nil && len(c.Topologies) == 0 {
		ps = topo.Presets()
	}
	ps = append([]topo.Preset(nil), ps...)
	for _, t := range c.Topologies {
		ps = append(ps, topo.Preset{Name: t.String(), Topology: t})
	}
	return ps
}

// loadPackages is [expand.Load]; tests may wrap it to load each fixture
// once.
var loadPackages = expand.Load

// planned is a plan with everything that went into it.
type planned struct {
	cfg       planConfig
	host      hostInfo
	accel     spec.Accel // kvm or tcg: what the estimates assume
	accelNote string
	presets   []topo.Preset
	pkgs      []*expand.Package
	variants  []expand.Variant // the whole matrix, excluded ones too
	full      budget.Plan      // before sharding
	plan      budget.Plan      // the shard asked for (or full)
	warnings  []string
}

// makePlan lists, builds and describes the packages (binaries go to
// binDir, which the caller removes), expands the matrix and selects what
// fits the budget. Package failures are recorded in the result (see
// [planned.failed]); the error is for what stops planning altogether.
func makePlan(ctx context.Context, cfg planConfig, host hostInfo, probe kvmProbe, binDir string) (*planned, error) {
	p := &planned{cfg: cfg, host: host, presets: cfg.presetList()}
	p.accel, p.accelNote = planAccel(cfg.Accel, probe)
	eopts := expand.Options{Presets: p.presets, Capacity: p.capacity(), Kernels: cfg.Kernels, Match: cfg.match}
	if err := eopts.Validate(); err != nil {
		return nil, &exitError{Code: exitSetup, Err: err}
	}
	pkgs, err := loadPackages(ctx, expand.LoadOptions{Patterns: cfg.Patterns, BinDir: binDir, Match: cfg.match})
	if err != nil {
		return nil, loadError(err)
	}
	p.pkgs = pkgs
	p.variants = expand.Expand(pkgs, eopts)
	if err := p.matchedNothing(); err != nil {
		return nil, err
	}
	hist, warnings := readHistory(cfg.History)
	p.warnings = warnings
	bopts := budget.Options{Budget: cfg.Budget, Jobs: cfg.Jobs, History: hist,
		Host: budget.Host{CPUs: host.CPUs, MemoryMiB: host.MemoryMiB, Accel: p.accel}}
	if p.full, err = budget.Select(candidates(p.variants), bopts); err != nil {
		return nil, fmt.Errorf("select variants: %w", err)
	}
	p.plan = p.full
	if cfg.ShardN > 0 {
		if p.plan, err = p.full.Shard(cfg.ShardK, cfg.ShardN); err != nil {
			return nil, usageErrorf("--shard: %v", err)
		}
	}
	return p, nil
}

// matchedNothing is a usage error when --run or --skip left nothing of
// packages that loaded fine: a typo in CI must not pass as an empty run.
func (p *planned) matchedNothing() error {
	if p.cfg.Run == "" && p.cfg.Skip == "" || len(p.variants) > 0 || len(p.failed()) > 0 {
		return nil
	}
	for _, pkg := range p.pkgs {
		if len(pkg.Plain()) > 0 {
			return nil
		}
	}
	return usageErrorf("--run %q --skip %q match no test or variant in %s; variant names are TestX and TestX/PRESET/PROFILE (see 'gauntlet plan' for the names)",
		p.cfg.Run, p.cfg.Skip, strings.Join(p.cfg.Patterns, " "))
}

// capacity is the host rule variants must fit.
func (p *planned) capacity() topo.Capacity {
	return topo.Capacity{CPUs: p.host.CPUs, MemoryMiB: p.host.MemoryMiB, Oversubscribe: p.cfg.Oversubscribe}
}

// loadError makes a pattern without packages a usage error; other load
// failures (no go command, cancelled) are setup errors too.
func loadError(err error) error {
	if errors.Is(err, expand.ErrNoPackages) {
		return usageErrorf("%v", err)
	}
	return &exitError{Code: exitSetup, Err: fmt.Errorf("list tests: %w", err)}
}

// candidates turns the variants that may run into budget candidates.
func candidates(vs []expand.Variant) []budget.Candidate {
	var out []budget.Candidate
	for _, v := range vs {
		if v.Excluded != "" {
			continue
		}
		out = append(out, budget.Candidate{
			Package: v.Package, Test: v.Test, Variant: v.Name, Preset: v.Preset,
			Profile: v.Profile.Name, Flags: v.Profile.Flags, Topology: v.Topology, Base: v.Base,
			Duration: v.Duration, MemoryMiB: v.MemoryMiB, Scheduler: v.Scheduler, Kernel: v.Kernel,
		})
	}
	return out
}

// readHistory reads dir/*/results.json. An unreadable file is skipped with
// a warning: history only sharpens estimates.
func readHistory(dir string) (*budget.History, []string) {
	if dir == "" {
		return nil, nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "results.json"))
	sort.Strings(files)
	var rs []*budget.Results
	var warnings []string
	for _, f := range files {
		r, err := readResultsFile(f)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("history: %v (ignored)", oneLine(err)))
			continue
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		return nil, warnings
	}
	return budget.NewHistory(rs...), warnings
}

func readResultsFile(path string) (*budget.Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return budget.ReadResults(f, path)
}

// failed returns the packages that could not be planned.
func (p *planned) failed() []*expand.PackageError {
	var out []*expand.PackageError
	for _, pkg := range p.pkgs {
		if pkg.Err != nil {
			out = append(out, pkg.Err)
		}
	}
	return out
}

// printFailures writes each package failure to w: one line, then the
// detail (the compiler's message) indented.
func printFailures(w io.Writer, errs []*expand.PackageError) {
	for _, e := range errs {
		fmt.Fprintf(w, "gauntlet: %v\n", e)
		if e.Detail != "" {
			for _, l := range strings.Split(e.Detail, "\n") {
				fmt.Fprintf(w, "    %s\n", l)
			}
		}
	}
}
