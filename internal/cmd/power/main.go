// Command power is the power benchmark of gauntlet's checks: it runs the
// tests of a package (default ./internal/cmd/power/testdata/power: correct
// runs, which must pass, and planted failures, which must fail a named
// check) N times at each topology with `gauntlet run`, reads every
// variant's result line and prints, per vCPU count:
//
//   - the effective limits the guest chose (max gap, max spread);
//
//   - for correct runs (tests named TestCorrect*): outcomes, and the
//     distribution over runs of today's progress gap, the scheduler gaps
//     (off: wall less charged CPU less excused time between schedstat
//     samples; delay: run delay between samples) and the fairness spreads
//     (off-CPU %, run delay %, work rate);
//
//   - for planted failures (TestPlant*): detections out of N by today's
//     checks at the effective limits, and the same distributions;
//
//   - detections and false alarms of candidate fixed limits (gap 2 s /
//     3 s, spread 35 %) applied to each metric, computed from the numbers.
//
//     go run ./internal/cmd/power [-n 5] [-topology 1n1l2c1t,1n2l4c1t,1n7l2c1t] [-run RE] [-scheduler PATH] [-keep DIR] [-from DIR,...] [PKG]
//
// -from reads earlier runs' directories (as -keep leaves them, or any
// `gauntlet run --out` directory) instead of running. Run it from the
// repository's root; the numbers depend on what else the host runs.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/cmd/benchrun"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func main() {
	n := flag.Int("n", 5, "runs of each test per topology (gauntlet run -count)")
	topos := flag.String("topology", "1n1l2c1t,1n2l4c1t,1n7l2c1t", "comma-separated `topologies` (2, 8 and 14 vCPUs by default)")
	runRE := flag.String("run", "", "gauntlet run -run `regexp` (default: every test's variants, not the base variants)")
	sched := flag.String("scheduler", "", "also run the tests under this sched_ext scheduler `binary` (gauntlet run --scheduler)")
	bin := flag.String("gauntlet", "", "the gauntlet `binary`; empty builds ./cmd/gauntlet into the work directory")
	keep := flag.String("keep", "", "keep the run in `dir` (default: a temporary directory, removed at the end)")
	from := flag.String("from", "", "comma-separated run `directories` to read instead of running")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./internal/cmd/power [flags] [PKG]\n\nRuns PKG's correct and planted tests N times per topology and prints the checks' limits,\nthe measured gaps and spreads, and detections out of N.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	pkg := "./internal/cmd/power/testdata/power"
	if flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	} else if flag.NArg() == 1 {
		pkg = flag.Arg(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var dirs []string
	if *from != "" {
		dirs = strings.Split(*from, ",")
	} else {
		d, cleanup, err := runGauntlet(ctx, *bin, *keep, pkg, *topos, *runRE, *sched, *n)
		defer cleanup()
		if err != nil {
			fmt.Fprintln(os.Stderr, "power:", err)
			os.Exit(1)
		}
		dirs = []string{d}
	}
	var runs []run
	for _, d := range dirs {
		rs, err := readRuns(d)
		if err != nil {
			fmt.Fprintln(os.Stderr, "power:", err)
			os.Exit(1)
		}
		runs = append(runs, rs...)
	}
	if len(runs) == 0 {
		fmt.Fprintln(os.Stderr, "power: no result lines found")
		os.Exit(1)
	}
	printReport(os.Stdout, runs)
}

// runGauntlet runs the tests and returns the directory holding the run.
func runGauntlet(ctx context.Context, bin, keep, pkg, topos, runRE, sched string, n int) (string, func(), error) {
	dir, cleanup, err := benchrun.WorkDir(keep, "gauntlet-power-*")
	if err != nil {
		return "", cleanup, err
	}
	if bin, err = benchrun.Gauntlet(ctx, bin, dir); err != nil {
		return "", cleanup, err
	}
	if runRE == "" {
		runRE = "^Test[A-Za-z0-9]+/" // the variants, not the base variant (the same 2 vCPUs again)
	}
	args := []string{"run", "-count", fmt.Sprint(n), "-run", runRE, "--out", dir, "--progress", "plain"}
	for _, t := range strings.Split(topos, ",") {
		args = append(args, "--topology", t)
	}
	if sched != "" {
		args = append(args, "--scheduler", sched)
	}
	cmd := exec.CommandContext(ctx, bin, append(args, pkg)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: planted failures failed, as they should
		return "", cleanup, fmt.Errorf("%s: %w", bin, err)
	}
	return dir, cleanup, nil
}

// run is one variant's result, as the benchmark reads it.
type run struct {
	test      string // TestX
	sched     string
	vcpus     int
	outcome   spec.Outcome // the guest's verdict
	relaxed   bool         // passed with relaxed limits (inconclusive)
	failures  []string
	th        spec.Thresholds
	cgroups   []spec.CgroupStats
	scenarios int
}

// readRuns reads every result line under dir's logs directories.
func readRuns(dir string) ([]run, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "logs", "*.out"))
	if err != nil {
		return nil, err
	}
	more, _ := filepath.Glob(filepath.Join(dir, "logs", "*.out"))
	files = append(files, more...)
	var out []run
	for _, f := range files {
		r, ok, err := readResult(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// readResult reads the last result line of one variant's output.
func readResult(path string) (run, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return run{}, false, err
	}
	defer f.Close()
	var res spec.Result
	found := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		r, ok, err := spec.ParseResultLine(sc.Text())
		if err != nil {
			return run{}, false, err
		}
		if ok {
			res, found = r, true
		}
	}
	if err := sc.Err(); err != nil || !found {
		return run{}, false, err
	}
	return fromResult(res), true, nil
}

func fromResult(res spec.Result) run {
	r := run{test: res.Test, sched: res.Scheduler, vcpus: res.CPUs, outcome: res.Outcome, failures: res.Failures, th: res.Thresholds, relaxed: len(res.Inconclusive) > 0}
	if i := strings.IndexByte(r.test, '/'); i >= 0 {
		r.test = r.test[:i]
	}
	for _, s := range res.Scenarios {
		r.scenarios++
		r.cgroups = append(r.cgroups, s.Cgroups...)
	}
	return r
}

// metrics are one run's numbers, each the largest over the cgroups it
// applies to (the planted tests': the cgroups the plant targets).
type metrics struct {
	gap, off, delay            time.Duration
	spread, spreadDelay, units float64
}

// planted names, per planted test, the cgroups its failure shows in and
// the checks that may catch it.
var planted = map[string]struct {
	cgroups []string
	checks  []string // failure prefixes: "stuck", "unfair", "isolation", "starved"
}{
	// Under a sched_ext scheduler on 6.12 the hog starves the victim
	// outright (no server runs SCHED_EXT tasks beside RT ones).
	"TestPlantFIFO":   {[]string{"victim"}, []string{"unfair", "stuck", "starved"}},
	"TestPlantEscape": {[]string{"escape"}, []string{"isolation"}},
	"TestPlantStop":   {[]string{"stop"}, []string{"stuck"}},
	"TestPlantNice":   {[]string{"nice"}, []string{"unfair"}},
}

func (r run) metrics() metrics {
	var want map[string]bool
	if p, ok := planted[r.test]; ok {
		want = map[string]bool{}
		for _, c := range p.cgroups {
			want[c] = true
		}
	}
	var m metrics
	for _, c := range r.cgroups {
		if want != nil && !want[c.Name] {
			continue
		}
		m.gap = max(m.gap, c.MaxGap)
		m.off = max(m.off, c.MaxOffGap)
		m.delay = max(m.delay, c.MaxDelayGap)
		m.spread = max(m.spread, c.SpreadPct)
		m.spreadDelay = max(m.spreadDelay, c.SpreadDelayPct)
		m.units = max(m.units, c.SpreadUnitsPct)
	}
	return m
}

// detected reports whether the run failed with one of checks.
func (r run) detected(checks []string) bool {
	for _, f := range r.failures {
		for _, c := range checks {
			if strings.HasPrefix(f, c) {
				return true
			}
		}
	}
	return false
}

// candidate is a fixed-limit check on one metric, evaluated on the numbers.
type candidate struct {
	name  string
	check string // the failure prefix it stands for
	fails func(metrics) bool
}

var candidates = []candidate{
	{"wall gap > 2s", "stuck", func(m metrics) bool { return m.gap > 2*time.Second }},
	{"wall gap > 3s", "stuck", func(m metrics) bool { return m.gap > 3*time.Second }},
	{"off gap > 2s", "stuck", func(m metrics) bool { return m.off > 2*time.Second }},
	{"off gap > 1s", "stuck", func(m metrics) bool { return m.off > time.Second }},
	{"off gap > 500ms", "stuck", func(m metrics) bool { return m.off > 500*time.Millisecond }},
	{"delay gap > 2s", "stuck", func(m metrics) bool { return m.delay > 2*time.Second }},
	{"delay gap > 500ms", "stuck", func(m metrics) bool { return m.delay > 500*time.Millisecond }},
	{"off-cpu spread > 35%", "unfair", func(m metrics) bool { return m.spread > 35 }},
	{"delay spread > 35%", "unfair", func(m metrics) bool { return m.spreadDelay > 35 }},
	{"rate spread > 35%", "unfair", func(m metrics) bool { return m.units > 35 }},
}

// group is the runs of one test at one vCPU count under one scheduler.
type group struct {
	test, sched string
	vcpus       int
	runs        []run
}

func groups(runs []run) []group {
	by := map[[3]string]*group{}
	var order []*group
	for _, r := range runs {
		k := [3]string{fmt.Sprint(r.vcpus), r.sched, r.test}
		g := by[k]
		if g == nil {
			g = &group{test: r.test, sched: r.sched, vcpus: r.vcpus}
			by[k] = g
			order = append(order, g)
		}
		g.runs = append(g.runs, r)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.vcpus != b.vcpus {
			return a.vcpus < b.vcpus
		}
		if a.sched != b.sched {
			return a.sched < b.sched
		}
		return a.test < b.test
	})
	out := make([]group, len(order))
	for i, g := range order {
		out[i] = *g
	}
	return out
}

func printReport(w io.Writer, runs []run) {
	gs := groups(runs)
	fmt.Fprintf(w, "\n== limits and distributions (min / median / max over runs; gaps in ms, spreads in %%)\n\n")
	fmt.Fprintf(w, "%-5s %-6s %-22s %3s %-13s %-17s %-16s %-16s %-16s %-16s %-16s %-16s\n",
		"vcpus", "sched", "test", "n", "verdicts", "limits gap/spread", "wall gap", "off gap", "delay gap", "off-cpu spread", "delay spread", "rate spread")
	for _, g := range gs {
		var gap, off, delay, sp, sd, su, limG, limS []float64
		for _, r := range g.runs {
			m := r.metrics()
			gap, off, delay = append(gap, ms(m.gap)), append(off, ms(m.off)), append(delay, ms(m.delay))
			sp, sd, su = append(sp, m.spread), append(sd, m.spreadDelay), append(su, m.units)
			limG, limS = append(limG, ms(r.th.MaxGap)), append(limS, r.th.MaxSpread)
		}
		fmt.Fprintf(w, "%-5d %-6s %-22s %3d %-13s %-17s %-16s %-16s %-16s %-16s %-16s %-16s\n", g.vcpus, g.sched, g.test, len(g.runs), verdicts(g),
			rangeOf(limG)+"/"+rangeOf(limS), dist(gap), dist(off), dist(delay), dist(sp), dist(sd), dist(su))
	}
	fmt.Fprintf(w, "\n== detections of planted failures (today: failed the right check at the effective limits) and false alarms of correct runs, out of n\n\n")
	fmt.Fprintf(w, "%-5s %-6s %-22s %3s %-7s", "vcpus", "sched", "test", "n", "today")
	for _, c := range candidates {
		fmt.Fprintf(w, " %-*s", len(c.name), c.name)
	}
	fmt.Fprintln(w)
	for _, g := range gs {
		p, isPlant := planted[g.test]
		today := 0
		for _, r := range g.runs {
			if isPlant && r.detected(p.checks) || !isPlant && r.outcome.Failed() {
				today++
			}
		}
		fmt.Fprintf(w, "%-5d %-6s %-22s %3d %-7d", g.vcpus, g.sched, g.test, len(g.runs), today)
		for _, c := range candidates {
			cell := "-"
			if !isPlant || contains(p.checks, c.check) {
				k := 0
				for _, r := range g.runs {
					if c.fails(r.metrics()) {
						k++
					}
				}
				cell = fmt.Sprint(k)
			}
			fmt.Fprintf(w, " %-*s", len(c.name), cell)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\ncorrect tests (TestCorrect*): a count is a false alarm; planted: a detection (\"-\": the candidate is not the check for that plant).\n")
	fmt.Fprintf(w, "schedstat sample cost (mean us per read, by vcpus): %s\n", statCost(runs))
}

func verdicts(g group) string {
	pass, inc, fail := 0, 0, 0
	for _, r := range g.runs {
		switch {
		case r.outcome.Failed():
			fail++
		case r.relaxed:
			inc++
		default:
			pass++
		}
	}
	return fmt.Sprintf("%dp %di %df", pass, inc, fail)
}

func statCost(runs []run) string {
	sum, n := map[int]time.Duration{}, map[int]int{}
	for _, r := range runs {
		for _, c := range r.cgroups {
			if c.StatCost > 0 {
				sum[r.vcpus] += c.StatCost
				n[r.vcpus]++
			}
		}
	}
	var keys []int
	for k := range sum {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d: %.0f", k, float64(sum[k]/time.Duration(n[k]))/1e3))
	}
	return strings.Join(parts, ", ")
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// dist prints min / median / max of v.
func dist(v []float64) string {
	if len(v) == 0 {
		return "-"
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return fmt.Sprintf("%.0f/%.0f/%.0f", s[0], s[len(s)/2], s[len(s)-1])
}

// rangeOf prints min-max of v, or the value when they agree.
func rangeOf(v []float64) string {
	if len(v) == 0 {
		return "-"
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if s[0] == s[len(s)-1] {
		return fmt.Sprintf("%.0f", s[0])
	}
	return fmt.Sprintf("%.0f-%.0f", s[0], s[len(s)-1])
}
