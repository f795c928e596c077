package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/gauntlet-sched/gauntlet/topo"
)

func init() {
	register(command{name: "presets", summary: "list the topology presets and whether each fits this host", runCLI: (*cli).runPresets})
}

const presetsUsage = `Usage: gauntlet presets [--oversubscribe F]

Prints the topology presets tests expand to: name, topology (NUMA nodes,
LLCs, cores per LLC, threads per core), CPUs, NUMA nodes, LLCs, SMT, and
whether a VM of that size fits this host. A VM fits when its vCPUs are at
most host CPUs x the oversubscription factor and its memory (64 MiB per
vCPU, at least 512 MiB) at most 75% of the host's.

Examples:
  gauntlet presets
  gauntlet presets --oversubscribe 64     allow bigger VMs (slow under TCG)`

func (c *cli) runPresets(ctx context.Context, args []string) error {
	var factor float64
	fs := newFlagSet("presets", presetsUsage, c.stdout)
	fs.Var(factorFlag{&factor}, "oversubscribe", fmt.Sprintf("most vCPUs per host CPU a VM may have (`factor`, default %d)", topo.DefaultOversubscribe))
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("presets takes no arguments, got %q (see 'gauntlet presets -h')", rest[0])
	}
	host, err := c.runner.Planner.HostInfo()
	if err != nil {
		return err
	}
	capa := topo.Capacity{CPUs: host.CPUs, MemoryMiB: host.MemoryMiB, Oversubscribe: factor}
	return writePresets(c.stdout, topo.Presets(), capa)
}

// writePresets prints the preset table for host capacity c, then a line
// saying how the fit was decided.
func writePresets(w io.Writer, ps []topo.Preset, c topo.Capacity) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header("preset", "topology", "CPUs", "NUMA", "LLCs", "SMT", "fits this host")
	fits := 0
	for _, p := range ps {
		tp := p.Topology
		verdict := "yes"
		if err := c.Check(tp, topo.GuestMemoryMiB(tp, 0)); err != nil {
			verdict = "no: " + err.Error()
		} else {
			fits++
		}
		smt := "no"
		if tp.SMT() {
			smt = strconv.Itoa(tp.ThreadsPerCore) + " threads"
		}
		row := []string{p.Name, tp.String(), strconv.Itoa(tp.CPUs()), strconv.Itoa(tp.NUMA), strconv.Itoa(tp.LLCs), smt, verdict}
		if err := t.Append(row); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d of %d presets fit this host: %d CPUs x oversubscription %g = up to %d vCPUs, up to %d MiB per guest (of %d MiB)\n",
		fits, len(ps), c.CPUs, c.Factor(), c.MaxVCPUs(), c.MaxGuestMemoryMiB(), c.MemoryMiB)
	return err
}
