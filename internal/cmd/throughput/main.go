// Command throughput is the throughput benchmark of a gauntlet run: it
// runs `gauntlet run --budget B` on the built-in example twice, cold (an
// empty history) and then with the first run's history, and prints for
// each run what the budget bought: variants completed per budget-minute,
// the scenario share two ways (scenario-seconds per slot-second, each VM
// counted once, in its slot; and scenario host-CPU-seconds per host
// CPU-second, each VM counted once per host CPU it held, so a VM holding
// both CPUs of a 2-CPU host is not shown leaving the other slot idle),
// boots per variant, and the wall time against the budget. With
// -verdicts it then runs the same tests with --fresh-vm and no budget (a
// VM of its own for every variant, so a superset of both plans) and
// compares each variant's outcome in the two runs with its outcome there:
// boot sharing must not change what passed and what failed.
//
//	go run ./internal/cmd/throughput [-budget 3m] [-verdicts] [-gauntlet bin/gauntlet] [-keep DIR] [PKG]
//
// PKG defaults to ./testdata/example. Run it from the repository's root on
// an otherwise idle host: the numbers are wall-clock measurements.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/internal/cmd/benchrun"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func main() {
	budgetFlag := flag.Duration("budget", 3*time.Minute, "the `budget` of each run")
	bin := flag.String("gauntlet", "", "the gauntlet `binary`; empty builds ./cmd/gauntlet into the work directory")
	keep := flag.String("keep", "", "keep the runs in `dir` (default: a temporary directory, removed at the end)")
	verdicts := flag.Bool("verdicts", false, "then run every variant in a fresh VM (--fresh-vm, no budget) and compare the outcomes")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./internal/cmd/throughput [flags] [PKG]\n\nRuns gauntlet on PKG (default ./testdata/example) twice, cold and with history,\nand prints variants per budget-minute, scenario share of slot time and of host CPU time, and boots per variant.\nWith -verdicts, also compares their outcomes with a --fresh-vm run of every variant.\n\nexample:\n  go run ./internal/cmd/throughput -budget 3m -verdicts -keep /tmp/tp\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	pkg := "./testdata/example"
	if flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	} else if flag.NArg() == 1 {
		pkg = flag.Arg(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *budgetFlag, *verdicts, *bin, *keep, pkg); err != nil {
		fmt.Fprintln(os.Stderr, "throughput:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, b time.Duration, verdicts bool, bin, keep, pkg string) error {
	if b <= 0 {
		return fmt.Errorf("-budget %v: want a positive duration, like 3m", b)
	}
	dir, cleanup, err := benchrun.WorkDir(keep, "gauntlet-throughput-*")
	defer cleanup()
	if err != nil {
		return err
	}
	if bin, err = benchrun.Gauntlet(ctx, bin, dir); err != nil {
		return err
	}
	hist := filepath.Join(dir, "runs") // both runs write here, so the second plans from the first
	var rows []row
	for _, pass := range []string{"cold", "history"} {
		r, err := runOnce(ctx, bin, hist, pkg, "--budget", b.String(), "--history", hist)
		if err != nil {
			if len(rows) > 0 {
				printRows(w, b, rows) // what the earlier pass measured
			}
			return fmt.Errorf("%s run: %w", pass, err)
		}
		r.pass = pass
		rows = append(rows, r)
	}
	printRows(w, b, rows)
	if !verdicts {
		return nil
	}
	// Its own directory and no history: no budget, so nothing to plan by.
	fresh, err := runOnce(ctx, bin, filepath.Join(dir, "fresh"), pkg, "--fresh-vm", "--history", "")
	if err != nil {
		return fmt.Errorf("--fresh-vm run: %w", err)
	}
	fmt.Fprintf(w, "\noutcomes against --fresh-vm (every variant in a VM of its own, no budget; %s)\n", fresh.dir)
	bad := 0
	for _, r := range rows {
		v := compareVerdicts(r.verdicts, fresh.verdicts)
		fmt.Fprintf(w, "%s: %s\n", r.pass, v)
		bad += len(v.differ) + len(v.missing)
	}
	if bad > 0 {
		return fmt.Errorf("%d outcomes differ from or are missing in the --fresh-vm run", bad)
	}
	return nil
}

// verdictDiff is how one run's outcomes compare with a --fresh-vm run's,
// over the variants the run ran (skips included: a variant that skips in
// one must skip in the other).
type verdictDiff struct {
	same    int
	differ  []string // "TestX/tiny: pass here, inconclusive fresh"
	missing []string // ran here, absent from or not run in the fresh run
}

func compareVerdicts(run, fresh map[string]spec.Outcome) verdictDiff {
	var d verdictDiff
	names := make([]string, 0, len(run))
	for n := range run {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o := run[n]
		if !o.Ran() {
			continue
		}
		switch f, ok := fresh[n]; {
		case !ok || !f.Ran():
			d.missing = append(d.missing, n)
		case f != o:
			d.differ = append(d.differ, fmt.Sprintf("%s: %s here, %s fresh", n, o, f))
		default:
			d.same++
		}
	}
	return d
}

// String is "N of M the same" and the differences, one per line.
func (d verdictDiff) String() string {
	s := fmt.Sprintf("%d of %d outcomes the same as --fresh-vm", d.same, d.same+len(d.differ)+len(d.missing))
	for _, x := range d.differ {
		s += "\n  differs: " + x
	}
	for _, x := range d.missing {
		s += "\n  not in the --fresh-vm run: " + x
	}
	return s
}

// row is one run's measurements.
type row struct {
	pass                        string
	dir                         string
	variants, ran, boots, slots int
	scenarioS, wallS            float64
	// hostCPUs is the host CPUs the run's VMs shared; cpuScenarioS the
	// scenario-seconds x the host CPUs each VM held.
	hostCPUs     int
	cpuScenarioS float64
	outcomes     map[string]int
	verdicts     map[string]spec.Outcome // by variant name
	exit         string                  // how gauntlet exited, when not 0 or 1
}

// runOnce runs gauntlet run with args on pkg, its run directory under out,
// and measures its results.json.
func runOnce(ctx context.Context, bin, out, pkg string, args ...string) (row, error) {
	before, _ := filepath.Glob(filepath.Join(out, "*", "results.json"))
	args = append(append([]string{"run"}, args...), "--out", out, "--progress", "plain", pkg)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && (ctx.Err() != nil || !errors.As(err, &exit)) {
		return row{}, fmt.Errorf("%s: %w", bin, err)
	}
	code := 0
	if err != nil {
		code = exit.ExitCode()
	}
	// Exit 1 (a variant failed) or 2 (one could not be started, as the
	// example's TestScxMissingBinary cannot with schedulers given) still
	// wrote results: they are measured, and the exit is reported.
	after, _ := filepath.Glob(filepath.Join(out, "*", "results.json"))
	fresh := newest(after, before)
	if fresh == "" {
		if err != nil {
			return row{}, fmt.Errorf("%s: %w, and no new results.json under %s", bin, err, out)
		}
		return row{}, fmt.Errorf("no new results.json under %s", out)
	}
	data, err := os.ReadFile(fresh)
	if err != nil {
		return row{}, err
	}
	var res budget.Results
	if err := json.Unmarshal(data, &res); err != nil {
		return row{}, fmt.Errorf("%s: %w", fresh, err)
	}
	r := measure(&res, filepath.Dir(fresh))
	if code != 0 && code != 1 {
		r.exit = fmt.Sprintf("gauntlet exited %d", code)
	}
	return r, nil
}

// newest returns the path in after that is not in before, the last in name
// order (run directories sort by time).
func newest(after, before []string) string {
	old := map[string]bool{}
	for _, p := range before {
		old[p] = true
	}
	sort.Strings(after)
	for i := len(after) - 1; i >= 0; i-- {
		if !old[after[i]] {
			return after[i]
		}
	}
	return ""
}

// measure reads one run's numbers from its results.json.
func measure(res *budget.Results, dir string) row {
	r := row{dir: dir, variants: len(res.Variants), slots: res.Slots, wallS: res.WallS, hostCPUs: res.Host.CPUs, outcomes: map[string]int{}, verdicts: map[string]spec.Outcome{}}
	for _, v := range res.Variants {
		r.outcomes[string(v.Outcome)]++
		r.verdicts[v.Variant] = v.Outcome
		if v.Outcome.Ran() {
			r.ran++
		}
		r.scenarioS += v.TestS
		r.cpuScenarioS += v.TestS * float64(v.HeldCPUs(res.Host))
		r.boots += len(v.Attempts) // each earlier attempt (a --retries rerun) booted its own VM
		if v.SharedBoot == "" {
			r.boots++ // the last attempt booted, unless it ran in an earlier variant's VM
		}
	}
	return r
}

// shares returns the run's scenario share of slot time and of host CPU
// time. The host CPU share is clamped to 100 %: results.json has no start
// times to see VMs holding more CPUs at once than the host has
// (oversubscription), so clamped says the sum passed the capacity.
func (r row) shares() (slot, cpu float64, clamped bool) {
	if slotS := float64(r.slots) * r.wallS; slotS > 0 {
		slot = r.scenarioS / slotS
	}
	if cpuS := float64(r.hostCPUs) * r.wallS; cpuS > 0 {
		cpu = r.cpuScenarioS / cpuS
	}
	return slot, min(cpu, 1), cpu > 1
}

func printRows(w io.Writer, b time.Duration, rows []row) {
	fmt.Fprintf(w, "\nthroughput of gauntlet run --budget %v\n", b)
	fmt.Fprintf(w, "  slot-share = scenario-seconds / (slots x wall): each VM counted once, in its slot\n")
	fmt.Fprintf(w, "  cpu-share  = scenario-seconds x host CPUs held / (host CPUs x wall): each VM counted once per host CPU it holds\n\n")
	fmt.Fprintf(w, "%-8s %8s %12s %9s %11s %9s %10s %11s %9s %9s  %s\n", "run", "variants", "per-budget-m", "boots/var",
		"scenario-s", "slot-s", "slot-share", "scen-cpu-s", "cpu-s", "cpu-share", "wall / budget")
	for _, r := range rows {
		perVar := 0.0
		if r.variants > 0 {
			perVar = float64(r.boots) / float64(r.variants)
		}
		slot, cpu, clamped := r.shares()
		cpuShare := fmt.Sprintf("%.0f%%", 100*cpu)
		if r.hostCPUs <= 0 {
			cpuShare = "-" // results.json without the host's CPUs (a merge)
		} else if clamped {
			cpuShare += "*"
		}
		fmt.Fprintf(w, "%-8s %8d %12.2f %9.2f %11.1f %9.1f %9.0f%% %11.1f %9.1f %9s  %.0fs / %.0fs (%.0f%%)\n", r.pass, r.ran, float64(r.ran)/b.Minutes(),
			perVar, r.scenarioS, float64(r.slots)*r.wallS, 100*slot, r.cpuScenarioS, float64(r.hostCPUs)*r.wallS, cpuShare,
			r.wallS, b.Seconds(), 100*r.wallS/b.Seconds())
	}
	for _, r := range rows {
		if _, _, clamped := r.shares(); clamped && r.hostCPUs > 0 {
			fmt.Fprintf(w, "%s: * the VMs held more host CPU time than %d CPUs x wall (oversubscribed); clamped to 100%%\n", r.pass, r.hostCPUs)
		}
	}
	for _, r := range rows {
		exit := ""
		if r.exit != "" {
			exit = " (" + r.exit + ": see its output above)"
		}
		fmt.Fprintf(w, "%s: outcomes %v; %s%s\n", r.pass, r.outcomes, r.dir, exit)
	}
}
