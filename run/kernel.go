package run

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/expand"
	"github.com/gauntlet-sched/gauntlet/internal/launch"
	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// PlanKernel is a kernel as the plan sees it.
type PlanKernel struct {
	// Label names the kernel in variant names (with several kernels), in
	// the tables, JUnit and results.json; see [kernel.Labels].
	Label string
	// Path is the image, for the plan's output.
	Path string
	// NoSchedExt says why variants with a scheduler cannot run on the
	// kernel (its config lacks sched_ext); empty when they can or it is
	// not known. Those variants are excluded with this reason instead of
	// spending the budget on skips.
	NoSchedExt string
}

// kernelSet is what a run boots: the kernel dimension, and the sched_ext
// kernel variants with a scheduler boot when no kernel was given.
type kernelSet struct {
	kernels []kernel.Kernel
	labels  []string
	scx     *kernel.Kernel // GAUNTLET_SCX_KERNEL; only without explicit kernels
	scxLbl  string
}

// byLabel returns the kernel labelled l.
func (s *kernelSet) byLabel(l string) (kernel.Kernel, bool) {
	if s.scx != nil && l == s.scxLbl {
		return *s.scx, true
	}
	for i, k := range s.kernels {
		if s.labels[i] == l {
			return k, true
		}
	}
	return kernel.Kernel{}, false
}

// plan is the set as the plan config takes it.
func (s *kernelSet) plan() ([]PlanKernel, *PlanKernel) {
	explicit := s.kernels[0].Step == givenStep
	ks := make([]PlanKernel, len(s.kernels))
	for i, k := range s.kernels {
		ks[i] = planKernel(k, s.labels[i], explicit)
	}
	if s.scx == nil {
		return ks, nil
	}
	scx := planKernel(*s.scx, s.scxLbl, true)
	return ks, &scx
}

func planKernel(k kernel.Kernel, label string, explicit bool) PlanKernel {
	return PlanKernel{Label: label, Path: k.Path, NoSchedExt: noSchedExtReason(k, label, explicit)}
}

// noSchedExtReason says why sched_ext variants cannot run on k, or "" when
// they can or it is not known: k's recorded config (a cache entry's
// metadata, a config file beside the image) decides. explicit says k was
// given with --kernel, where GAUNTLET_SCX_KERNEL does not apply.
func noSchedExtReason(k kernel.Kernel, label string, explicit bool) string {
	if k.SchedExt == nil || *k.SchedExt {
		return ""
	}
	fix := "set " + spec.EnvSchedExtKernel + " to a sched_ext image"
	if explicit {
		fix = "give a sched_ext kernel with --kernel"
	}
	return fmt.Sprintf("kernel %s (%s) has no sched_ext (CONFIG_SCHED_CLASS_EXT); build one with scripts/scx-setup.sh or 'gauntlet kernel build', or %s",
		label, k.Path, fix)
}

// givenStep is the [kernel.Kernel.Step] of a kernel named by --kernel.
const givenStep = "--kernel"

// labelledID reads a --kernel value: ID, or LABEL=ID.
var labelledID = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$`)

// resolveKernels finds the kernels of ids (see [Config.Kernels]) and
// labels them; with none, the discovered kernel and the sched_ext kernel
// for tests with a scheduler. Errors name the bad id.
func (r *Runner) resolveKernels(ids []string) (*kernelSet, error) {
	if len(ids) == 0 {
		return r.defaultKernels()
	}
	s := &kernelSet{}
	var given []string
	for _, id := range ids {
		label := ""
		if m := labelledID.FindStringSubmatch(id); m != nil {
			label, id = m[1], m[2]
		}
		k, err := r.findKernel(id)
		if err != nil {
			return nil, err
		}
		k.Step = givenStep
		for i, o := range s.kernels {
			if o.Path == k.Path {
				return nil, usageErrorf("--kernel %s and --kernel %s name the same image %s; give each kernel once", ids[i], id, k.Path)
			}
		}
		s.kernels, given = append(s.kernels, k), append(given, label)
	}
	s.labels = kernel.Labels(s.kernels)
	for i, l := range given {
		if l != "" {
			s.labels[i] = l
		}
	}
	return s, checkLabels(s.labels)
}

func (r *Runner) defaultKernels() (*kernelSet, error) {
	k, err := r.findKernel("")
	if err != nil {
		return nil, err
	}
	scx, err := r.schedExtKernel()
	if err != nil {
		return nil, err
	}
	if scx != nil && scx.Path == k.Path {
		k, scx = *scx, nil // one kernel: the sched_ext one
	}
	if scx == nil {
		return &kernelSet{kernels: []kernel.Kernel{k}, labels: kernel.Labels([]kernel.Kernel{k})}, nil
	}
	labels := kernel.Labels([]kernel.Kernel{k, *scx})
	return &kernelSet{kernels: []kernel.Kernel{k}, labels: labels[:1], scx: scx, scxLbl: labels[1]}, nil
}

// checkLabels checks that labels are unique and fit into variant names.
func checkLabels(labels []string) error {
	seen := map[string]bool{}
	for _, l := range labels {
		if strings.ContainsAny(l, "/@+= \t\n") || l == "" {
			return usageErrorf("--kernel label %q: want a short name without / @ + = or spaces, e.g. scx=PATH", l)
		}
		if seen[l] {
			return usageErrorf("two kernels are labelled %s; name them with --kernel LABEL=KERNEL", l)
		}
		seen[l] = true
	}
	return nil
}

// PlanKernels resolves the kernels of ids as a run would ([Config.Kernels])
// and returns them as [PlanConfig.Kernels] and [PlanConfig.SchedExtKernel]
// take them. With no ids and no kernel to be found, it returns nothing and
// no error: the plan is then made without kernels, and a run reports the
// missing kernel.
func (r *Runner) PlanKernels(ids []string) ([]PlanKernel, *PlanKernel, error) {
	s, err := r.resolveKernels(ids)
	if err != nil {
		if len(ids) == 0 {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	ks, scx := s.plan()
	return ks, scx, nil
}

// findKernel is the default [Runner.FindKernel]: the kernel id names
// ([kernel.Resolve]), or the discovered kernel when id is empty.
func findKernel(id string) (kernel.Kernel, error) {
	if id == "" {
		return kernel.Find()
	}
	k, err := kernel.Resolve(id, kernel.DiscoverOptions{})
	if err != nil {
		return kernel.Kernel{}, usageErrorf("--%v", oneLine(err))
	}
	return k, nil
}

func (r *Runner) findKernel(id string) (kernel.Kernel, error) {
	if r.FindKernel != nil {
		return r.FindKernel(id)
	}
	return findKernel(id)
}

func (r *Runner) schedExtKernel() (*kernel.Kernel, error) {
	if r.SchedExtKernel != nil {
		return r.SchedExtKernel()
	}
	return launch.SchedExtKernel()
}

// kernelOf returns the kernel variant a boots: the one its label names
// (the planner labelled every variant with the kernel it boots).
func (b *batch) kernelOf(a budget.Assignment) kernel.Kernel {
	if k, ok := b.kernels.byLabel(a.Kernel); ok {
		return k
	}
	return b.m.Kernel
}

// kernelNote names the run's kernels for its first line: "kernel PATH
// (from STEP)", or with several "kernels LABEL=PATH, ...".
func (b *batch) kernelNote() string {
	s := b.kernels
	if len(s.kernels) == 1 {
		note := "kernel " + s.kernels[0].String()
		if s.scx != nil {
			note += ", sched_ext kernel " + s.scx.Path
		}
		return note
	}
	parts := make([]string, len(s.kernels))
	for i, k := range s.kernels {
		parts[i] = s.labels[i] + "=" + k.Path
	}
	return "kernels " + strings.Join(parts, ", ")
}

// writeKernelExclusions says, one line per reason, how many variants the
// kernels left out and why (a run prints it; the plan lists them all).
func (pl *Plan) writeKernelExclusions(w io.Writer) {
	var reasons []string
	n := map[string]int{}
	for _, v := range pl.variants {
		if v.Excluded != expand.ByKernel {
			continue
		}
		if n[v.Reason] == 0 {
			reasons = append(reasons, v.Reason)
		}
		n[v.Reason]++
	}
	for _, r := range reasons {
		fmt.Fprintf(w, "gauntlet: %d variants with a scheduler left out: %s\n", n[r], r)
	}
}
