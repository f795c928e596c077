package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/internal/table"
	"github.com/gauntlet-sched/gauntlet/kernel"
)

const kernelListUsage = `Usage: gauntlet kernel list [--json]

Shows the cached kernels, newest first: key, version, source, arch, when
built, whether sched_ext is in, and a status: ok, "older fragment" (built
with another ktstr.kconfig than this binary's: rebuild with --force),
imported, or corrupt with the reason (gauntlet kernel clean removes those).

Examples:
  gauntlet kernel list
  gauntlet kernel list --json | jq -r '.[0].image'`

// kernelListItem is one entry of `kernel list --json`.
type kernelListItem struct {
	Key      string     `json:"key"`
	Version  string     `json:"version,omitempty"`
	Source   string     `json:"source,omitempty"`
	Origin   string     `json:"origin,omitempty"`
	Arch     string     `json:"arch,omitempty"`
	BuiltAt  *time.Time `json:"built_at,omitempty"`
	SchedExt *bool      `json:"sched_ext"`
	Image    string     `json:"image,omitempty"`
	// Fragment is "current", "older" or "none" (imports).
	Fragment string `json:"fragment,omitempty"`
	// Corrupt says why the entry cannot be used.
	Corrupt string `json:"corrupt,omitempty"`
}

func listItem(e kernel.CacheEntry) kernelListItem {
	if !e.Valid() {
		return kernelListItem{Key: e.Key, Corrupt: strings.TrimPrefix(e.Err.Error(), "corrupt entry "+e.Key+": ")}
	}
	m := e.Meta
	built := m.BuiltAt.UTC()
	it := kernelListItem{Key: e.Key, Version: m.Version, Source: m.Source, Origin: m.Origin, Arch: m.Arch,
		BuiltAt: &built, SchedExt: m.SchedExt, Image: e.ImagePath(), Fragment: "current"}
	switch {
	case m.FragmentHash == "":
		it.Fragment = "none"
	case m.FragmentHash != kernel.FragmentHash():
		it.Fragment = "older"
	}
	return it
}

func (it kernelListItem) status() string {
	switch {
	case it.Corrupt != "":
		return "corrupt: " + it.Corrupt
	case it.Fragment == "older":
		return "older fragment"
	case it.Fragment == "none":
		return "imported"
	}
	return "ok"
}

func runKernelList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var asJSON bool
	fs := newFlagSet("kernel list", kernelListUsage, stdout)
	fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("kernel list takes no arguments, got %q", rest[0])
	}
	cache, err := kernelCache()
	if err != nil {
		return err
	}
	entries, err := cache.List()
	if err != nil {
		return err
	}
	items := make([]kernelListItem, len(entries))
	for i, e := range entries {
		items[i] = listItem(e)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(items)
	}
	return writeKernelTable(stdout, cache.Root, items)
}

func writeKernelTable(w io.Writer, root string, items []kernelListItem) error {
	if len(items) == 0 {
		fmt.Fprintf(w, "no kernels cached in %s; build one with 'gauntlet kernel build --source /usr/src/linux-source-6.12.tar.xz'\n", root)
		return nil
	}
	rows := make([][]string, len(items))
	corrupt := 0
	for i, it := range items {
		rows[i] = []string{it.Key, it.Version, it.Source, it.Arch, "", "", it.status()}
		if it.BuiltAt != nil {
			rows[i][4] = it.BuiltAt.Format("2006-01-02 15:04 UTC")
			rows[i][5] = schedExt(it.SchedExt)
		}
		if it.Corrupt != "" {
			corrupt++
		}
	}
	if err := table.Write(w, []string{"key", "version", "source", "arch", "built", "sched_ext", "status"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d kernels in %s", len(items), root)
	if corrupt > 0 {
		fmt.Fprintf(w, " (%d corrupt: 'gauntlet kernel clean' removes them)", corrupt)
	}
	fmt.Fprintln(w)
	return nil
}

const kernelCleanUsage = `Usage: gauntlet kernel clean [--keep N] [--dry-run] [--yes]

Removes corrupt cache entries and, with --keep N, all but the N newest
valid kernels (without --keep every valid kernel stays). On a terminal it
asks before removing unless --yes; it never asks when stdin is not a
terminal.

Examples:
  gauntlet kernel clean                 remove corrupt entries only
  gauntlet kernel clean --keep 3        keep the 3 newest kernels
  gauntlet kernel clean --keep 0 --dry-run`

// Seams for tests: where clean reads its answer, and whether that is a
// terminal.
var (
	kernelStdin     io.Reader = os.Stdin
	stdinIsTerminal           = func() bool {
		_, err := unix.IoctlGetTermios(int(os.Stdin.Fd()), unix.TCGETS)
		return err == nil
	}
)

type kernelCleanConfig struct {
	keep        int
	keepSet     bool
	dryRun, yes bool
}

func (c kernelCleanConfig) Validate() error {
	if c.keepSet && c.keep < 0 {
		return usageErrorf("kernel clean: --keep %d: want 0 or more kernels to keep", c.keep)
	}
	return nil
}

func runKernelClean(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg kernelCleanConfig
	fs := newFlagSet("kernel clean", kernelCleanUsage, stdout)
	fs.IntVar(&cfg.keep, "keep", 0, "keep the `N` newest valid kernels (default: keep all valid)")
	fs.BoolVar(&cfg.dryRun, "dry-run", false, "only print what would be removed")
	fs.BoolVar(&cfg.yes, "yes", false, "do not ask before removing")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("kernel clean takes no arguments, got %q", rest[0])
	}
	fs.Visit(func(f *flag.Flag) { cfg.keepSet = cfg.keepSet || f.Name == "keep" })
	if err := cfg.Validate(); err != nil {
		return err
	}
	if !cfg.keepSet {
		cfg.keep = math.MaxInt
	}
	cache, err := kernelCache()
	if err != nil {
		return err
	}
	return cleanKernels(cache, cfg, stdout)
}

func cleanKernels(cache *kernel.Cache, cfg kernelCleanConfig, stdout io.Writer) error {
	entries, err := cache.List()
	if err != nil {
		return err
	}
	plan, err := kernel.PlanClean(entries, cfg.keep)
	if err != nil {
		return err
	}
	if len(plan) == 0 {
		fmt.Fprintf(stdout, "nothing to remove in %s (%d kernels)\n", cache.Root, len(entries))
		return nil
	}
	verb := "remove"
	if cfg.dryRun {
		verb = "would remove"
	}
	for _, e := range plan {
		fmt.Fprintf(stdout, "%s %s (%s)\n", verb, e.Key, cleanReason(e))
	}
	if cfg.dryRun {
		return nil
	}
	if !cfg.yes && stdinIsTerminal() && !confirm(stdout, fmt.Sprintf("remove %d entries from %s? [y/N] ", len(plan), cache.Root)) {
		fmt.Fprintln(stdout, "nothing removed")
		return nil
	}
	removed, err := cache.Clean(cfg.keep)
	fmt.Fprintf(stdout, "removed %d entries, %d kernels left\n", len(removed), len(entries)-len(removed))
	return err
}

func cleanReason(e kernel.CacheEntry) string {
	if !e.Valid() {
		return "corrupt: " + strings.TrimPrefix(e.Err.Error(), "corrupt entry "+e.Key+": ")
	}
	return "older than the ones kept, built " + e.Meta.BuiltAt.UTC().Format("2006-01-02 15:04 UTC")
}

func confirm(w io.Writer, question string) bool {
	fmt.Fprint(w, question)
	line, _ := bufio.NewReader(kernelStdin).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}
