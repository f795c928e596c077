package run

import (
	"fmt"
	"strings"

	"github.com/gauntlet-sched/gauntlet/internal/metrics"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// ErrRegression means an A/B comparison found a metric past its gate; it
// matches [ErrTestsFailed], so `gauntlet` exits 1 on it.
var ErrRegression = fmt.Errorf("metric regression: %w", ErrTestsFailed)

// CompareConfig says which two results [Compare] reads.
type CompareConfig struct {
	// Old and New are run directories (their junit.xml), JUnit files (a
	// merged one, say) or results.json files (merged ones too).
	Old, New string
	// Gates override the default regression gates, each
	// "PATTERN=SPEC" ([metrics.ParseGate]); the first match wins.
	Gates []string
	// Profiles, when both are set, compare two profiles of the same
	// results instead of two results: Old's variants with profile
	// Profiles[0] (TestX/PRESET/default) against New's with Profiles[1]
	// (TestX/PRESET/scx_simple), paired by test, preset and kernel. With
	// `--scheduler` this is EEVDF against a scheduler in one run.
	Profiles [2]string
}

// Validate checks c, returning a [*UsageError].
func (c CompareConfig) Validate() error {
	if c.Old == "" || c.New == "" {
		return usageErrorf("report --compare: give two inputs, OLD and NEW (run directories or JUnit files)")
	}
	if (c.Profiles[0] == "") != (c.Profiles[1] == "") || c.Profiles[0] != "" && c.Profiles[0] == c.Profiles[1] {
		return usageErrorf("report --profiles %q: want two different profiles, OLD,NEW (e.g. default,scx_simple)", c.Profiles[0]+","+c.Profiles[1])
	}
	for _, g := range c.Gates {
		if _, err := metrics.ParseGate(g); err != nil {
			return usageErrorf("report --gate: %w", err)
		}
	}
	return nil
}

// Compare reads the metrics of every gauntlet variant of cfg.Old and
// cfg.New (the payloads' and the workers' built-in statistics, from the
// JUnit properties) and compares them ([metrics.Compare]), noting when
// variants ran under TCG. Unreadable
// inputs and bad gates are a [*UsageError].
func Compare(cfg CompareConfig) (metrics.Comparison, error) {
	if err := cfg.Validate(); err != nil {
		return metrics.Comparison{}, err
	}
	var gates []metrics.GateRule
	for _, g := range cfg.Gates {
		r, _ := metrics.ParseGate(g)
		gates = append(gates, r)
	}
	old, oldTCG, err := variantMetrics(cfg.Old)
	if err != nil {
		return metrics.Comparison{}, err
	}
	new, newTCG, err := variantMetrics(cfg.New)
	if err != nil {
		return metrics.Comparison{}, err
	}
	if cfg.Profiles[0] != "" {
		old, new = ofProfile(old, cfg.Profiles[0]), ofProfile(new, cfg.Profiles[1])
		if len(old) == 0 || len(new) == 0 {
			return metrics.Comparison{}, usageErrorf("report --profiles %s,%s: %d variants of profile %s and %d of %s have metrics; profiles are the third part of TestX/PRESET/PROFILE",
				cfg.Profiles[0], cfg.Profiles[1], len(old), cfg.Profiles[0], len(new), cfg.Profiles[1])
		}
	}
	c := metrics.Compare(old, new, gates)
	if oldTCG+newTCG > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("%d old and %d new variants ran under TCG, whose timing numbers vary widely from run to run on a busy host: a regression there is weak evidence", oldTCG, newTCG))
	}
	return c, nil
}

// ofProfile keeps the variants of ms whose profile (the third part of
// TestX/PRESET/PROFILE[/KERNEL]) is profile, keyed with the profile
// replaced by "PROFILE", so two profiles' variants pair up.
func ofProfile(ms map[string][]spec.Metric, profile string) map[string][]spec.Metric {
	out := map[string][]spec.Metric{}
	for key, m := range ms {
		pkg, name := "", key
		if i := strings.LastIndexByte(key, ' '); i >= 0 {
			pkg, name = key[:i+1], key[i+1:]
		}
		parts := strings.Split(name, "/")
		if len(parts) < 3 || parts[2] != profile {
			continue
		}
		parts[2] = "PROFILE"
		out[pkg+strings.Join(parts, "/")] = m
	}
	return out
}

// variantMetrics reads path's variants and their metrics, keyed by
// variant name (prefixed by the package when two packages share one):
// from a results.json file (its variants' metrics), else from JUnit (a
// run directory's junit.xml or a JUnit file); tcg counts the variants
// with metrics that ran under TCG.
func variantMetrics(path string) (_ map[string][]spec.Metric, tcg int, _ error) {
	var vs [][2]string // package, variant
	var all [][]spec.Metric
	var accels []spec.Accel
	if strings.HasSuffix(path, ".json") {
		res, err := readResultsFile(path)
		if err != nil {
			return nil, 0, usageErrorf("report --compare: %w", err)
		}
		for _, v := range res.Variants {
			vs, all = append(vs, [2]string{v.Package, v.Variant}), append(all, v.Metrics)
			accels = append(accels, v.Accel)
		}
	} else {
		doc, err := readJUnitPath(path)
		if err != nil {
			return nil, 0, err
		}
		for _, c := range report.CasesFromJUnit(doc) {
			vs, all = append(vs, [2]string{c.Package, c.Variant}), append(all, report.CaseMetrics(c))
			accels = append(accels, spec.Accel(c.Accel))
		}
	}
	count := map[string]int{}
	for _, v := range vs {
		count[v[1]]++
	}
	out := map[string][]spec.Metric{}
	for i, v := range vs {
		if len(all[i]) == 0 {
			continue
		}
		if accels[i] == spec.AccelTCG {
			tcg++
		}
		key := v[1]
		if count[key] > 1 {
			key = v[0] + " " + key
		}
		out[key] = all[i]
	}
	return out, tcg, nil
}
