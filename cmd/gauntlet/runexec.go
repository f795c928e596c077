package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// runner boots the selected variants of a plan, as many at once as the
// plan's capacity allows, and collects one case per variant.
type runner struct {
	dir     string
	kernel  kernel.Kernel
	scx     *kernel.Kernel // for tests with a scheduler, when set (GAUNTLET_SCX_KERNEL)
	accel   spec.Accel
	host    hostInfo
	plan    *planned
	verbose bool
	stdout  io.Writer

	mu   sync.Mutex // guards stdout and done
	done int
}

// bootVM runs one VM; tests replace it.
var bootVM = func(ctx context.Context, cfg vm.Config) (vm.Result, error) { return cfg.Run(ctx) }

// runAll boots every selected variant under an errgroup: the group's
// limit is the plan's job count, and two weighted semaphores hold each
// VM's share of host CPUs and memory, the same weights the plan was
// packed with. A cancelled ctx kills running VMs (package vm) and leaves
// the variants not yet started as not run.
func (r *runner) runAll(ctx context.Context) []report.Case {
	sel := r.plan.plan.Selected
	capa := r.plan.plan.Capacity
	cases := make([]report.Case, len(sel))
	cpus := semaphore.NewWeighted(int64(max(capa.CPUs, 1)))
	mem := semaphore.NewWeighted(int64(max(capa.MemoryMiB, 1)))
	g := new(errgroup.Group)
	g.SetLimit(max(capa.Jobs, 1))
	for i, a := range sel {
		cases[i] = r.notRun(a, r.kernel, "cancelled before it started")
		if ctx.Err() != nil {
			continue
		}
		w := a.Weight
		g.Go(func() error {
			if err := acquire(ctx, cpus, mem, w, capa.MemoryMiB > 0); err != nil {
				return nil
			}
			defer cpus.Release(int64(w.CPUs))
			if capa.MemoryMiB > 0 {
				defer mem.Release(int64(w.MemoryMiB))
			}
			cases[i] = r.runOne(ctx, a)
			r.record(cases[i], len(sel))
			return nil
		})
	}
	g.Wait()
	return cases
}

func acquire(ctx context.Context, cpus, mem *semaphore.Weighted, w budget.Weight, limitMem bool) error {
	if err := cpus.Acquire(ctx, int64(w.CPUs)); err != nil {
		return err
	}
	if !limitMem {
		return nil
	}
	if err := mem.Acquire(ctx, int64(w.MemoryMiB)); err != nil {
		cpus.Release(int64(w.CPUs))
		return err
	}
	return nil
}

// runOne boots variant a and turns its result into a case (not run, with
// the reason, when the VM could not be started).
func (r *runner) runOne(ctx context.Context, a budget.Assignment) report.Case {
	pkg, desc, err := r.lookup(a)
	if err != nil {
		return r.notRun(a, r.kernel, err.Error())
	}
	k := r.kernel
	if r.scx != nil && desc.Spec.Scheduler != nil {
		k = *r.scx
	}
	slug := slugify(a.Package + "." + a.Variant)
	out, err := os.Create(filepath.Join(r.dir, "logs", slug+".out"))
	if err != nil {
		return r.notRun(a, k, fmt.Sprintf("create log: %v", err))
	}
	defer out.Close()
	v := spec.Variant{Name: a.Variant, Preset: a.Preset, Topology: a.Topology, Flags: a.Flags, Kernel: a.Kernel}
	cfg := launch.VariantConfig(pkg.Binary, desc.Test, desc.Spec, v, k)
	cfg.Accel = r.accel
	cfg.ConsoleLog = filepath.Join(r.dir, "logs", slug+".console.log")
	cfg.Output = out
	var live *prefixWriter
	if r.verbose {
		live = &prefixWriter{w: r.stdout, mu: &r.mu, prefix: a.Variant + ": "}
		cfg.Output = io.MultiWriter(out, live)
	}
	res, err := bootVM(ctx, cfg)
	if live != nil {
		live.Flush()
	}
	if err != nil {
		return r.notRun(a, k, oneLine(err))
	}
	return r.caseOf(a, k, res)
}

// lookup finds the variant's package (for its test binary) and the
// description of its test (for its Spec).
func (r *runner) lookup(a budget.Assignment) (*expand.Package, spec.Description, error) {
	for _, p := range r.plan.pkgs {
		if p.ImportPath != a.Package {
			continue
		}
		for _, d := range p.Descriptions {
			if d.Test == a.Test {
				return p, d, nil
			}
		}
	}
	return nil, spec.Description{}, fmt.Errorf("internal error: no description of %s in %s", a.Test, a.Package)
}

func (r *runner) caseOf(a budget.Assignment, k kernel.Kernel, res vm.Result) report.Case {
	c := r.notRun(a, k, "")
	c.Outcome = res.Outcome
	c.Message = res.Reason
	if res.Retried != "" {
		c.Properties = append(c.Properties, report.Property{Name: "retried", Value: res.Retried})
	}
	c.Accel = string(res.Accel)
	c.Output, c.ConsoleTail, c.ConsoleLog = res.Output, res.ConsoleTail, res.ConsoleLog
	c.Boot, c.Total = res.BootTime, res.TotalTime
	c.TestTime = max(res.TotalTime-res.BootTime, 0)
	return c
}

func (r *runner) notRun(a budget.Assignment, k kernel.Kernel, why string) report.Case {
	return report.Case{
		Package: a.Package, Test: a.Test, Variant: a.Variant, Preset: a.Preset, Profile: a.Profile,
		Topology: a.Topology.String(), Accel: string(r.accel), Kernel: k.Path,
		Outcome: spec.OutcomeNotRun, Message: why,
	}
}

// record prints one progress line per finished variant.
func (r *runner) record(c report.Case, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ok := c.Outcome.Ran()
	r.done++
	line := fmt.Sprintf("[%*d/%d] %-12s %s (%s", len(fmt.Sprint(total)), r.done, total, strings.ToUpper(c.Outcome.String()), c.Variant, c.Topology)
	if ok {
		line += fmt.Sprintf(", boot %.1fs, total %.1fs", c.Boot.Seconds(), c.Total.Seconds())
	}
	line += ")"
	if d := c.Detail(); !c.Outcome.Passed() && d != "" {
		line += ": " + firstLine(d)
	}
	fmt.Fprintln(r.stdout, line)
}

// hostCases reports the plain host tests of every package from the output
// of its describe pass, which ran them (in -short mode).
func hostCases(p *planned) []report.Case {
	var cases []report.Case
	for _, pkg := range p.pkgs {
		if pkg.Err != nil {
			continue
		}
		// Load already kept only the tests --run/--skip select.
		cases = append(cases, report.HostCases(pkg.ImportPath, pkg.DescribeOutput, pkg.Plain())...)
	}
	return cases
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._+-]+`)

// slugify makes a file name from a package and variant name.
func slugify(s string) string { return strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_") }

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// prefixWriter writes whole lines to w, each with prefix, under mu.
type prefixWriter struct {
	w      io.Writer
	mu     *sync.Mutex
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf[:i])
		p.buf = p.buf[i+1:]
	}
}

// Flush writes a final unterminated line.
func (p *prefixWriter) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) > 0 {
		fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf)
		p.buf = nil
	}
}
