package run

import (
	"fmt"
	"github.com/gauntlet-sched/gauntlet/internal/progress"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/gauntlet-sched/gauntlet/expand"
)

// testsPerTable keeps the tables narrow: more tests go into more tables.
const testsPerTable = 4

const planLegend = `legend: run = selected (k/m: k of the m flag profiles), budget = left out by the budget,
        constraint = excluded by the test's constraints, kernel = the kernel lacks sched_ext,
        capacity = too big for this host (see --oversubscribe),
        shard = runs in another shard, - = filtered out by --run/--skip; --explain gives every reason`

// WriteText writes the plan for humans to w: a header line, per package a
// test x preset table (presets down, tests across) and its plain host
// tests, the legend, and one summary line. With explain, every package
// also lists the reason for each variant left out.
func (pl *Plan) WriteText(w io.Writer, explain bool) error {
	c := pl.capacity()
	fmt.Fprintf(w, "host: %d CPUs, %d MiB; VMs up to %d vCPUs (%d x oversubscription %g); accel %s (%s)\n",
		pl.host.CPUs, pl.host.MemoryMiB, c.MaxVCPUs(), c.CPUs, c.Factor(), pl.accel, pl.accelNote)
	pl.writeKernels(w)
	st := pl.statuses()
	for _, pkg := range pl.pkgs {
		if err := pl.writePackage(w, pkg, st, explain); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\n%s\n%s\n", planLegend, pl.summary(st))
	if note := pl.sharingNote(); note != "" {
		fmt.Fprintln(w, note)
	}
	return nil
}

// sharingNote is the plan's line on boot sharing: how many variants the
// estimate expects to run in a VM booted for an earlier one and the boot
// time saved, "off" under --fresh-vm, "" when no two selected variants
// boot the same VM.
func (pl *Plan) sharingNote() string {
	if pl.cfg.FreshVM {
		return "boot sharing: off (--fresh-vm): every variant boots its own VM"
	}
	n, saved := pl.plan.SharedBoots()
	if n == 0 {
		return ""
	}
	what := "variants"
	if n == 1 {
		what = "variant"
	}
	return fmt.Sprintf("boot sharing: %d %s expected to reuse a boot, saving ~%s", n, what, fmtDuration(saved))
}

func (pl *Plan) writePackage(w io.Writer, pkg *expand.Package, st map[variantKey]variantStatus, explain bool) error {
	fmt.Fprintf(w, "\n%s\n", pkg.ImportPath)
	switch {
	case pkg.Err != nil:
		fmt.Fprintf(w, "  not planned: %v (details on stderr)\n", pkg.Err.Err)
		return nil
	case len(pkg.Tests) == 0:
		fmt.Fprintln(w, "  no tests")
		return nil
	}
	tests, byTest := pl.packageVariants(pkg.ImportPath)
	for i := 0; i < len(tests); i += testsPerTable {
		if err := pl.writeTable(w, tests[i:min(i+testsPerTable, len(tests))], byTest, st); err != nil {
			return err
		}
	}
	if plain := pkg.Plain(); len(plain) > 0 {
		fmt.Fprintf(w, "  plain host tests (run on the host, not in VMs): %s\n", strings.Join(plain, ", "))
	}
	if explain {
		pl.writeExplain(w, pkg.ImportPath, st)
	}
	return nil
}

// packageVariants returns the package's tests that have variants, in
// order, and their variants.
func (pl *Plan) packageVariants(pkg string) ([]string, map[string][]expand.Variant) {
	var tests []string
	byTest := map[string][]expand.Variant{}
	for _, v := range pl.variants {
		if v.Package != pkg {
			continue
		}
		if byTest[v.Test] == nil {
			tests = append(tests, v.Test)
		}
		byTest[v.Test] = append(byTest[v.Test], v)
	}
	return tests, byTest
}

func (pl *Plan) writeTable(w io.Writer, tests []string, byTest map[string][]expand.Variant, st map[variantKey]variantStatus) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	head := []string{"preset", "topology", "vCPUs"}
	kernels := pl.cfg.kernelLabels()
	if kernels != nil {
		head = append(head, "kernel")
	}
	t.Header(append(head, tests...))
	var rows [][]string
	for _, k := range kernelRows(kernels) {
		row := []string{"(base)", "", ""}
		for _, test := range tests {
			row = append(row, baseCell(onKernel(byTest[test], k), st))
		}
		rows = append(rows, withKernel(row, k))
	}
	for _, pr := range pl.presets {
		for _, k := range kernelRows(kernels) {
			row := []string{pr.Name, pr.Topology.String(), strconv.Itoa(pr.Topology.CPUs())}
			for _, test := range tests {
				row = append(row, cell(presetStatuses(onKernel(byTest[test], k), pr.Name, st)))
			}
			rows = append(rows, withKernel(row, k))
		}
	}
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

// kernelRows are the kernels each topology gets a row for: every label,
// or one row for all when there is no kernel dimension.
func kernelRows(labels []string) []string {
	if labels == nil {
		return []string{""}
	}
	return labels
}

// withKernel inserts the kernel column after the first three.
func withKernel(row []string, k string) []string {
	if k == "" {
		return row
	}
	return append(row[:3:3], append([]string{k}, row[3:]...)...)
}

// onKernel keeps the variants on kernel k; all of them when k is "".
func onKernel(vs []expand.Variant, k string) []expand.Variant {
	if k == "" {
		return vs
	}
	var out []expand.Variant
	for _, v := range vs {
		if v.Kernel == k {
			out = append(out, v)
		}
	}
	return out
}

// writeKernels names the plan's kernels, one line each with its label,
// image and what it lacks.
func (pl *Plan) writeKernels(w io.Writer) {
	ks := pl.cfg.Kernels
	if pl.cfg.SchedExtKernel != nil && len(ks) == 1 {
		ks = append(ks[:1:1], *pl.cfg.SchedExtKernel)
	}
	for i, k := range ks {
		role := ""
		if i == 1 && len(pl.cfg.Kernels) == 1 {
			role = " (for tests with a scheduler)"
		}
		note := ""
		if k.NoSchedExt != "" {
			note = "; no sched_ext: variants with a scheduler are left out"
		}
		fmt.Fprintf(w, "kernel %s: %s%s%s\n", k.Label, k.Path, role, note)
	}
}

func baseCell(vs []expand.Variant, st map[variantKey]variantStatus) string {
	var ss []variantStatus
	topology := ""
	for _, v := range vs {
		if v.Base {
			ss = append(ss, st[variantKey{v.Package, v.Name}])
			topology = v.Topology.String()
		}
	}
	if len(ss) == 0 {
		return "-"
	}
	return cell(ss) + " " + topology
}

func presetStatuses(vs []expand.Variant, preset string, st map[variantKey]variantStatus) []variantStatus {
	var ss []variantStatus
	for _, v := range vs {
		if !v.Base && v.Preset == preset {
			ss = append(ss, st[variantKey{v.Package, v.Name}])
		}
	}
	return ss
}

// cell summarises the variants of one test on one topology.
func cell(ss []variantStatus) string {
	if len(ss) == 0 {
		return "-"
	}
	n := map[string]int{}
	for _, s := range ss {
		n[s.Kind]++
	}
	switch sel := n[stSelected]; {
	case sel == len(ss):
		return "run"
	case sel > 0:
		return fmt.Sprintf("run %d/%d", sel, len(ss))
	}
	for _, k := range []string{stConstraint, stKernel, stInconcl, stCapacity, stShard} {
		if n[k] > 0 {
			return k
		}
	}
	return "budget"
}

func (pl *Plan) writeExplain(w io.Writer, pkg string, st map[variantKey]variantStatus) {
	var lines []string
	for _, v := range pl.variants {
		if s := st[variantKey{v.Package, v.Name}]; v.Package == pkg && s.Kind != stSelected {
			lines = append(lines, fmt.Sprintf("    %s: %s", v.Name, s.Reason))
		}
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "  left out (%d):\n%s\n", len(lines), strings.Join(lines, "\n"))
	}
}

// summary is the one-line verdict: selected X/Y variants, why the others
// are out, the estimated wall time on S slots against the budget, and the
// feature coverage.
func (pl *Plan) summary(st map[variantKey]variantStatus) string {
	n := map[string]int{}
	for _, v := range pl.variants {
		n[st[variantKey{v.Package, v.Name}].Kind]++
	}
	var out []string
	labels := []struct{ kind, label string }{
		{stConstraint, "by constraint"}, {stKernel, "by the kernel"}, {stInconcl, "as inconclusive here"}, {stCapacity, "by host capacity"}, {stBudget, "by budget"}, {stShard, "in other shards"},
	}
	for _, l := range labels {
		if n[l.kind] > 0 {
			out = append(out, fmt.Sprintf("%d %s", n[l.kind], l.label))
		}
	}
	left := ""
	if len(out) > 0 {
		left = " (left out: " + strings.Join(out, ", ") + ")"
	}
	budgetText := "no budget"
	if pl.plan.Budget > 0 {
		budgetText = "budget " + fmtDuration(pl.plan.Budget)
	}
	shard := ""
	if s := pl.shardName(); s != "" {
		shard = "shard " + s + ": "
		if pl.cfg.ShardFrom != "" {
			shard = "shard " + s + " (" + pl.cfg.ShardFrom + "): "
		}
	}
	cov := pl.plan.Coverage
	return fmt.Sprintf("%sselected %d/%d variants%s; est. wall %s on %d slots, %s%s; features covered %d/%d",
		shard, n[stSelected], len(pl.variants), left, fmtDuration(pl.plan.EstWall), pl.plan.Slots, budgetText, pl.retriesNote(), cov.Covered, cov.Possible)
}

// retriesNote says what --retries may add to the estimate, which does
// not book them (a failure is not foreseen): "" without retries.
func (pl *Plan) retriesNote() string {
	r := pl.cfg.Retries
	if r <= 0 {
		return ""
	}
	times := "times"
	if r == 1 {
		times = "time"
	}
	return fmt.Sprintf("; retries not booked: each failing variant boots up to %d more %s (up to %s if every variant failed every attempt)", r, times, fmtDuration(pl.worstWall()))
}

// worstWall is the estimated wall time when every selected variant
// fails every attempt: each boot repeated Retries times on the same
// slots.
func (pl *Plan) worstWall() time.Duration {
	return pl.plan.EstWall * time.Duration(pl.cfg.Retries+1)
}

// fmtDuration prints d to the second without trailing zero units: 20m,
// 1h30m, 3m12s.
func fmtDuration(d time.Duration) string { return progress.Duration(d) }
