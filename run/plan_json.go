package run

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// planJSON is [Plan.WriteJSON]'s output. budget_s, slots, est_wall_s, selected,
// excluded and coverage are the documented contract; the rest is extra.
type planJSON struct {
	BudgetS  float64        `json:"budget_s"` // 0: no budget
	Slots    int            `json:"slots"`
	EstWallS float64        `json:"est_wall_s"`
	Selected []selectedJSON `json:"selected"`
	Excluded []excludedJSON `json:"excluded"`
	Coverage coverageJSON   `json:"coverage"`
	Shard    string         `json:"shard,omitempty"` // "K/N" when sharded
	Accel    spec.Accel     `json:"accel"`
	Host     hostJSON       `json:"host"`
	Plain    []plainJSON    `json:"plain_tests"`
	Failed   []failedJSON   `json:"failed_packages"`
	// Retries is --retries; EstWallRetriesS the estimate if every
	// selected variant failed every attempt (retries are not booked).
	Retries         int          `json:"retries,omitempty"`
	EstWallRetriesS float64      `json:"est_wall_with_retries_s,omitempty"`
	Kernels         []kernelJSON `json:"kernels,omitempty"`
	// SharedBoots is how many selected variants the estimate expects to
	// run in a VM booted for an earlier one, saving BootSavedS (their
	// boots, and the extra test time of a fresh VM: [budget.Plan.SharedBoots]).
	SharedBoots int     `json:"shared_boots,omitempty"`
	BootSavedS  float64 `json:"boot_saved_s,omitempty"`
}

type kernelJSON struct {
	Label      string `json:"label"`
	Path       string `json:"path"`
	NoSchedExt string `json:"no_sched_ext,omitempty"`
	// SchedExtFallback marks GAUNTLET_SCX_KERNEL: the kernel of the
	// variants with a scheduler when no kernel is given.
	SchedExtFallback bool `json:"sched_ext_fallback,omitempty"`
}

type selectedJSON struct {
	Package  string  `json:"package"`
	Test     string  `json:"test"`
	Variant  string  `json:"variant"`
	Preset   string  `json:"preset"`
	Topology string  `json:"topology"`
	Profile  string  `json:"profile"`
	VCPUs    int     `json:"vcpus"`
	EstS     float64 `json:"est_s"`
	Slot     int     `json:"slot"`
	StartS   float64 `json:"start_s"`
	Kernel   string  `json:"kernel,omitempty"`
	Source   string  `json:"estimate"` // model or history
	// SharedBoot: expected to run in the VM of the variant before it in
	// its slot; EstS is then its test alone.
	SharedBoot bool `json:"shared_boot,omitempty"`
}

type excludedJSON struct {
	Package string `json:"package"`
	Test    string `json:"test"`
	Variant string `json:"variant"`
	Kernel  string `json:"kernel,omitempty"`
	Kind    string `json:"kind"` // constraint, kernel, capacity, budget or shard
	Reason  string `json:"reason"`
}

type coverageJSON struct {
	Covered        int `json:"covered"`
	Possible       int `json:"possible"`
	SingleCovered  int `json:"single_covered"`
	SinglePossible int `json:"single_possible"`
	PairCovered    int `json:"pair_covered"`
	PairPossible   int `json:"pair_possible"`
}

type hostJSON struct {
	CPUs          int     `json:"cpus"`
	MemoryMiB     int     `json:"memory_mib"`
	MaxVCPUs      int     `json:"max_vcpus"`
	Oversubscribe float64 `json:"oversubscribe"`
}

type plainJSON struct {
	Package string `json:"package"`
	Test    string `json:"test"`
}

type failedJSON struct {
	Package string `json:"package"`
	Error   string `json:"error"`
	Detail  string `json:"detail,omitempty"`
}

func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*10) / 10 }

// WriteJSON writes the plan to w as one indented JSON object: budget_s,
// slots, est_wall_s, selected, excluded and coverage are the documented
// contract (`gauntlet plan --json`); shard, accel, host, plain_tests and
// failed_packages are extra.
func (pl *Plan) WriteJSON(w io.Writer) error {
	out := planJSON{
		BudgetS: seconds(pl.plan.Budget), Slots: pl.plan.Slots, EstWallS: seconds(pl.plan.EstWall),
		Selected: []selectedJSON{}, Excluded: []excludedJSON{}, Plain: []plainJSON{}, Failed: []failedJSON{},
		Accel: pl.accel, Shard: pl.shardName(), Host: pl.hostJSON(),
	}
	if r := pl.cfg.Retries; r > 0 {
		out.Retries, out.EstWallRetriesS = r, seconds(pl.worstWall())
	}
	n, saved := pl.plan.SharedBoots()
	out.SharedBoots, out.BootSavedS = n, seconds(saved)
	c := pl.plan.Coverage
	out.Coverage = coverageJSON{c.Covered, c.Possible, c.SingleCovered, c.SinglePossible, c.PairCovered, c.PairPossible}
	for _, a := range pl.plan.Selected {
		out.Selected = append(out.Selected, selectedJSON{
			Package: a.Package, Test: a.Test, Variant: a.Variant, Preset: a.Preset, Topology: a.Topology.String(),
			Profile: a.Profile, VCPUs: a.Topology.CPUs(), EstS: seconds(a.Est()), Slot: a.Slot, SharedBoot: a.SharedBoot,
			StartS: seconds(a.Start), Kernel: a.Kernel, Source: string(a.Cost.Source),
		})
	}
	st := pl.statuses()
	for _, v := range pl.variants {
		if s := st[variantKey{v.Package, v.Name}]; s.Kind != stSelected {
			out.Excluded = append(out.Excluded, excludedJSON{Package: v.Package, Test: v.Test, Variant: v.Name, Kernel: v.Kernel, Kind: s.Kind, Reason: s.Reason})
		}
	}
	for _, pkg := range pl.pkgs {
		if pkg.Err != nil {
			out.Failed = append(out.Failed, failedJSON{Package: pkg.ImportPath, Error: pkg.Err.Error(), Detail: pkg.Err.Detail})
			continue
		}
		for _, t := range pkg.Plain() {
			out.Plain = append(out.Plain, plainJSON{Package: pkg.ImportPath, Test: t})
		}
	}
	for _, k := range pl.cfg.Kernels {
		out.Kernels = append(out.Kernels, kernelJSON{Label: k.Label, Path: k.Path, NoSchedExt: k.NoSchedExt})
	}
	if k := pl.cfg.SchedExtKernel; k != nil && len(pl.cfg.Kernels) < 2 {
		out.Kernels = append(out.Kernels, kernelJSON{Label: k.Label, Path: k.Path, NoSchedExt: k.NoSchedExt, SchedExtFallback: true})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// shardName is "K/N", or "" when the plan is not sharded.
func (pl *Plan) shardName() string {
	if pl.cfg.ShardN == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", pl.cfg.ShardK, pl.cfg.ShardN)
}

func (pl *Plan) hostJSON() hostJSON {
	c := pl.capacity()
	return hostJSON{CPUs: pl.host.CPUs, MemoryMiB: pl.host.MemoryMiB, MaxVCPUs: c.MaxVCPUs(), Oversubscribe: c.Factor()}
}
