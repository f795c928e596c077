package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/run"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// Flag values for the planning flags shared by `plan` and `run`. Each
// Set returns an error that says what a good value looks like; the flag
// package prefixes it with the flag and the bad value.

// budgetFlag is --budget: a non-negative duration; 0 means no budget.
type budgetFlag struct{ d *time.Duration }

func (f budgetFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f budgetFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration like 20m, 90s or 1h30m")
	}
	if d < 0 {
		return errors.New("a budget cannot be negative; want e.g. 20m")
	}
	*f.d = d
	return nil
}

// shardFlag is --shard K/N, or auto (auto/N) to take them from the CI
// system's environment when the config is validated.
type shardFlag struct {
	k, n *int
	auto *bool
}

func (f shardFlag) String() string {
	if f.k == nil || *f.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", *f.k, *f.n)
}

func (f shardFlag) Set(s string) error {
	if rest, ok := strings.CutPrefix(s, "auto"); ok && (rest == "" || rest[0] == '/') {
		*f.auto, *f.k, *f.n = true, 0, 0
		if rest == "" {
			return nil
		}
		n, err := strconv.Atoi(rest[1:])
		if err != nil || n < 1 {
			return errors.New("want auto, auto/N (N shards, the index from the CI environment) or K/N")
		}
		*f.n = n
		return nil
	}
	*f.auto = false
	k, n, err := budget.ParseShard(s)
	if err != nil {
		return errors.New(oneLine(err))
	}
	*f.k, *f.n = k, n
	return nil
}

// presetsFlag is --presets a,b.
type presetsFlag struct{ ps *[]topo.Preset }

func (f presetsFlag) String() string {
	if f.ps == nil {
		return ""
	}
	var names []string
	for _, p := range *f.ps {
		names = append(names, p.Name)
	}
	return strings.Join(names, ",")
}

func (f presetsFlag) Set(s string) error {
	ps, err := topo.ParsePresets(s)
	if err != nil {
		return errors.New(oneLine(err) + " (see 'gauntlet presets')")
	}
	*f.ps = ps
	return nil
}

// topologyFlag is --topology, repeatable: custom topologies named by their
// compact form.
type topologyFlag struct{ ts *[]topo.Topology }

func (f topologyFlag) String() string { return "" }

func (f topologyFlag) Set(s string) error {
	t, err := topo.Parse(s)
	if err != nil {
		return errors.New(oneLine(err) + "; want e.g. 1n2l4c2t, 2,4,1 (sockets,cores,threads) or 1,2,4,2")
	}
	*f.ts = append(*f.ts, t)
	return nil
}

// factorFlag is --oversubscribe: a positive number.
type factorFlag struct{ f *float64 }

func (f factorFlag) String() string {
	if f.f == nil || *f.f == 0 {
		return ""
	}
	return strconv.FormatFloat(*f.f, 'g', -1, 64)
}

func (f factorFlag) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v > 1000 {
		return errors.New("want a positive number of vCPUs per host CPU, e.g. 16")
	}
	*f.f = v
	return nil
}

// accelFlag is --accel auto|kvm|tcg ([spec.ParseAccel]).
type accelFlag struct{ a *spec.Accel }

func (f accelFlag) String() string {
	if f.a == nil {
		return ""
	}
	return f.a.String()
}

func (f accelFlag) Set(s string) error {
	a, err := spec.ParseAccel(s)
	if err != nil {
		return err
	}
	*f.a = a
	return nil
}

// jobsFlag is --jobs: a non-negative count; 0 means one per host CPU.
type jobsFlag struct{ n *int }

func (f jobsFlag) String() string {
	if f.n == nil || *f.n == 0 {
		return ""
	}
	return strconv.Itoa(*f.n)
}

func (f jobsFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return errors.New("want a number of VMs at once, e.g. 2 (0: one per host CPU)")
	}
	*f.n = n
	return nil
}

// schedulerFlag is --scheduler PATH, repeatable: a scheduler binary the
// tests without a scheduler of their own also run under.
type schedulerFlag struct{ ss *[]spec.Scheduler }

func (f schedulerFlag) String() string { return "" }

func (f schedulerFlag) Set(s string) error {
	if s == "" {
		return errors.New("want the path of a sched_ext scheduler binary, e.g. ./scx_simple")
	}
	*f.ss = append(*f.ss, spec.Scheduler{Binary: s})
	return nil
}

// schedulerArgsFlag is --scheduler-args "ARGS": the arguments, split at
// spaces, of the --scheduler before it.
type schedulerArgsFlag struct{ ss *[]spec.Scheduler }

func (f schedulerArgsFlag) String() string { return "" }

func (f schedulerArgsFlag) Set(s string) error {
	if len(*f.ss) == 0 {
		return errors.New("give it after the --scheduler it is for, e.g. --scheduler ./scx_qmap --scheduler-args \"-s 5000\"")
	}
	last := &(*f.ss)[len(*f.ss)-1]
	if last.Args != nil {
		return fmt.Errorf("--scheduler %s has its arguments already; give each --scheduler one --scheduler-args", last.Binary)
	}
	last.Args = append([]string{}, strings.Fields(s)...)
	return nil
}

// countFlag is a non-negative count (--retries) or, with min 1, a
// positive one (-count).
type countFlag struct {
	n    *int
	min  int
	want string
}

func (f countFlag) String() string {
	if f.n == nil || *f.n == 0 {
		return ""
	}
	return strconv.Itoa(*f.n)
}

func (f countFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < f.min {
		return errors.New(f.want)
	}
	*f.n = n
	return nil
}

// tagsFlag is -tags: build tags separated by commas (or spaces), like go
// test -tags.
type tagsFlag struct{ tags *[]string }

func (f tagsFlag) String() string {
	if f.tags == nil {
		return ""
	}
	return strings.Join(*f.tags, ",")
}

func (f tagsFlag) Set(s string) error {
	*f.tags = strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	return nil
}

// timeoutFlag is -timeout: a non-negative duration; 0 means none.
type timeoutFlag struct{ d *time.Duration }

func (f timeoutFlag) String() string { return budgetFlag(f).String() }

func (f timeoutFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return errors.New("want a duration like 30m or 1h (0: no timeout)")
	}
	*f.d = d
	return nil
}

// kernelsFlag is --kernel, repeatable: a kernel each (checked when the
// kernels are resolved).
type kernelsFlag struct{ ids *[]string }

func (f kernelsFlag) String() string { return "" }

func (f kernelsFlag) Set(s string) error {
	if s == "" {
		return errors.New("want a kernel: an image or tree path, a version, a cache key ('gauntlet kernel list'), or LABEL=KERNEL")
	}
	*f.ids = append(*f.ids, s)
	return nil
}

// kernelFlagUsage is the --kernel help, shared by plan and run.
const kernelFlagUsage = "boot `kernel`: an image or tree path, a version or a cache key ('gauntlet kernel list'); repeatable: " +
	"each variant then runs once per kernel, named TestX/PRESET/PROFILE/LABEL, where LABEL is the kernel's version (6.12.117), " +
	"with a word of its release or file name when two share one (6.12.117-deb12, 6.12.117-scx), or LABEL=KERNEL's own. " +
	"Default: the discovered kernel, and $GAUNTLET_SCX_KERNEL for tests with a scheduler; with --kernel, every variant boots its own kernel"

// oneLine keeps the first line of err's text.
func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// planFlags are the flags `plan` and `run` share: a run.PlanConfig,
// --shard auto, which config resolves from the CI's environment, and the
// go test flags -failfast and -timeout, which `plan` accepts so that a
// command line moves between the two unchanged.
type planFlags struct {
	cfg       run.PlanConfig
	shardAuto bool
	failFast  bool
	timeout   time.Duration
	kernels   []string // --kernel, resolved by the runner
}

// add registers the planning flags on fs.
func (f *planFlags) add(fs *flag.FlagSet) {
	c := &f.cfg
	fs.Var(budgetFlag{&c.Budget}, "budget", "wall-clock `budget` for the run, e.g. 20m (default: none, everything runs); a variant that would end past the budget + 5% is not started")
	fs.Var(jobsFlag{&c.Jobs}, "jobs", "run at most `N` VMs at once (default: one per host CPU)")
	fs.Var(presetsFlag{&c.Presets}, "presets", "comma-separated `names` of the presets to expand to (default: all of them)")
	fs.Var(topologyFlag{&c.Topologies}, "topology", "expand to this `topology` (1n2l4c2t, S,C,T or N,L,C,T); repeatable; without --presets, instead of the presets")
	fs.StringVar(&c.Run, "run", "", "only tests and variants matching `regexp`, like go test -run (e.g. TestA/tiny)")
	fs.StringVar(&c.Skip, "skip", "", "leave out tests and variants matching `regexp`, like go test -skip")
	fs.Var(shardFlag{&c.ShardK, &c.ShardN, &f.shardAuto}, "shard", "plan only shard `K/N` of the selection; auto (or auto/N) reads K and N from the CI's parallel-job variables (GitLab, Buildkite, CircleCI, Kubernetes)")
	fs.Var(factorFlag{&c.Oversubscribe}, "oversubscribe", fmt.Sprintf("most vCPUs per host CPU a VM may have (`factor`, default %d)", topo.DefaultOversubscribe))
	fs.Var(accelFlag{&c.Accel}, "accel", "accelerator to plan for: `auto`, kvm or tcg")
	fs.Var(schedulerFlag{&c.Schedulers}, "scheduler", "also run the tests whose Spec declares no scheduler (EEVDF tests) under the sched_ext scheduler binary at `path`, as profile TestX/PRESET/BASENAME; repeatable; tests with a scheduler of their own are not affected")
	fs.Var(schedulerArgsFlag{&c.Schedulers}, "scheduler-args", "`arguments` (split at spaces) of the --scheduler given before it")
	fs.BoolVar(&c.Conclusive, "conclusive", false, "plan only variants whose checks keep their default power on this host (under TCG those with at most one vCPU per host CPU, or whose test sets its own limits); the rest are listed with the reason")
	fs.StringVar(&c.History, "history", "gauntlet-runs", "`dir` of earlier runs whose */results.json replace the cost model (\"\" for none)")
	fs.Var(countFlag{&c.Retries, 0, "want a number of retries, e.g. 2 (0: none)"}, "retries",
		"boot a variant whose test failed again, up to `N` times, each in a fresh VM; one that then passes is flaky (terminal, results.json, JUnit flakyFailure); not booked in the estimate, which the plan's summary says")
	fs.Var(countFlag{&c.Count, 1, "want a positive number of runs, e.g. 3"}, "count",
		"run each selected variant `N` times, like go test -count; repeat k>=2 is its own variant and testcase, named VARIANT#k (TestX/tiny-1llc/default#2), planned, budgeted and sharded like the others")
	fs.BoolVar(&c.FreshVM, "fresh-vm", false, "boot every variant in a VM of its own; without it a VM whose test passed and whose guest is clean runs the next variant of the same kernel, test binary, files, topology and memory (JUnit property shared-boot); use it to bisect a state leak between tests or to compare against shared boots")
	fs.Var(tagsFlag{&c.Tags}, "tags", "comma-separated build `tags` for the test binaries, like go test -tags")
	fs.BoolVar(&f.failFast, "failfast", false, "start no variant after the first failure (after its retries), like go test -failfast; running VMs finish, the rest are reported not run (run only; plan accepts it)")
	fs.Var(timeoutFlag{&f.timeout}, "timeout", "bound the whole command by `d`, like go test -timeout: when it passes, running VMs are killed and recorded not run (interrupted), partial results are written, exit status 1")
	fs.Var(kernelsFlag{&f.kernels}, "kernel", kernelFlagUsage)
}

// config returns the validated plan config for patterns, with --shard
// auto resolved through getenv (nil: os.Getenv).
func (f *planFlags) config(patterns []string, getenv func(string) string) (run.PlanConfig, error) {
	c := f.cfg
	c.Patterns = patterns
	if f.shardAuto {
		if getenv == nil {
			getenv = os.Getenv
		}
		k, n, from, err := shardFromEnv(getenv, c.ShardN)
		if err != nil {
			return c, usageErrorf("%v", err)
		}
		c.ShardK, c.ShardN, c.ShardFrom = k, n, from
	}
	return c, c.Validate()
}
