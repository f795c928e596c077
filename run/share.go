package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// Boot sharing: a VM whose test passed and whose guest reported itself
// clean ([vm.Result.Reusable]) runs the next variant that boots the same
// VM ([vm.Config.CanRun]: kernel, init binary, files, topology,
// memory, accelerator, TCG threads) instead of powering off, through
// [vm.Config.Next]. A VM runs a next test whose files are all among the
// VM's own ([vm.Config.CanRun]): one booted for a test with payloads runs
// the tests of its key that need none, not the other way round. Every
// assignment has a claimed flag: the goroutine that would boot it sets
// it after acquiring its weights (and returns if it lost), and so does
// the Next of a VM that runs it, which claims the first unclaimed
// assignment of its boot key in plan order whose files the VM has. The chained
// variant runs in the goroutine, and under the weights, of the VM that
// booted (equal weights: equal topology and memory), with its own log
// files, case and events.

// sharing is a run's claims and, unless [PlanConfig.FreshVM], the boot
// key of every assignment and the assignments of each key in plan order.
type sharing struct {
	claimed []atomic.Bool
	cases   []report.Case // by plan index; an assignment's is written by who claimed it
	on      bool
	keys    []string // "" when the assignment cannot share (its config could not be made)
	files   [][]vm.File
	byKey   map[string][]int

	mu     sync.Mutex
	cursor map[string]int // by key: the assignments before it are claimed
}

// newSharing prepares the claims of a run whose cases (by plan index)
// the claimers fill in.
func (b *batch) newSharing(cases []report.Case) *sharing {
	sel := b.plan.plan.Selected
	sh := &sharing{claimed: make([]atomic.Bool, len(sel)), cases: cases, on: !b.plan.cfg.FreshVM}
	if !sh.on {
		return sh
	}
	sh.keys, sh.files, sh.byKey, sh.cursor = make([]string, len(sel)), make([][]vm.File, len(sel)), map[string][]int{}, map[string]int{}
	for i, a := range sel {
		cfg, err := b.vmConfig(a)
		if err != nil {
			continue // runs on its own and becomes not run with the reason
		}
		sh.keys[i], sh.files[i] = cfg.BootKey(), cfg.Files
		sh.byKey[sh.keys[i]] = append(sh.byKey[sh.keys[i]], i)
	}
	return sh
}

// claim claims assignment i; false when someone else had.
func (sh *sharing) claim(i int) bool { return sh.claimed[i].CompareAndSwap(false, true) }

// claimNext claims the first assignment of key in plan order that nobody
// claimed, whose files are among files (the VM's) and that would, run in
// the VM now, end within the budget's grace
// ([batch.pastBudget]; the launch loop records why the others do not
// start), and returns its index, or -1; always -1 once ctx is done or
// --failfast stopped the run.
func (sh *sharing) claimNext(ctx context.Context, b *batch, key string, files []vm.File) int {
	if !sh.on || key == "" || ctx.Err() != nil || b.stopped.Load() {
		return -1
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	group := sh.byKey[key]
	k0 := sh.cursor[key] // the claimed prefix is never looked at again
	for k0 < len(group) && sh.claimed[group[k0]].Load() {
		k0++
	}
	sh.cursor[key] = k0
	for _, j := range group[k0:] {
		if sh.claimed[j].Load() || !vm.FilesWithin(sh.files[j], files) {
			continue
		}
		if b.pastBudget(b.plan.plan.Selected[j].Cost.Shared()) != "" {
			continue // left to the launch loop, which records why it does not start
		}
		if sh.claim(j) {
			return j
		}
	}
	return -1
}

// link is one test of a VM's chain.
type link struct {
	t    *vmTest
	res  vm.Result
	got  bool // Next delivered res
	done bool // its case is recorded
}

// runChain boots assignment i, claimed, and runs in its VM the variants
// of the same boot it claims while each test ends reusable; then it
// retries the last test when it failed ([batch.retry], in fresh VMs).
// Every variant of the chain gets its case, and the observers its start
// and end. A variant whose test was to run in the VM but never reported
// (the VM failed, the run was interrupted) is not run, with the reason.
func (b *batch) runChain(ctx context.Context, sh *sharing, i int) {
	v := b.startVariant(i)
	t, c := b.prepare(v, 1)
	if t == nil {
		b.finished(sh, v, c, "")
		return
	}
	chain := []*link{{t: t}}
	key := sh.key(i)
	var next func(vm.Result) *vm.Config
	next = func(res vm.Result) *vm.Config {
		cur := chain[len(chain)-1]
		cur.res, cur.got = res, true
		if !res.Reusable { // vm sets it only after a test that did not fail
			return nil
		}
		j := sh.claimNext(ctx, b, key, t.cfg.Files)
		if j < 0 {
			return nil
		}
		// cur did not fail, so its case is final; it ends before j starts.
		b.finished(sh, cur.t.v, b.caseOfTest(ctx, cur.t, res, nil), res.Name)
		cur.done = true
		for ; j >= 0; j = sh.claimNext(ctx, b, key, t.cfg.Files) {
			nv := b.startVariant(j)
			nt, nc := b.prepare(nv, 1)
			if nt == nil {
				b.finished(sh, nv, nc, "")
				continue
			}
			if err := t.cfg.CanRun(nt.cfg); err != nil { // the boot keys say it cannot happen
				b.finished(sh, nv, b.caseOfTest(ctx, nt, vm.Result{}, fmt.Errorf("internal error: claimed for a shared boot: %w", err)), "")
				continue
			}
			nt.cfg.Next = next
			chain = append(chain, &link{t: nt})
			return &nt.cfg
		}
		return nil
	}
	if sh.on {
		t.cfg.Next = next
	}
	res, err := b.r.bootVM(ctx, t.cfg) // Next is done once it returns
	last := chain[len(chain)-1]
	if last.done {
		return // the variants it claimed last could not be prepared; all recorded
	}
	name := ""
	if len(chain) > 1 {
		name = vmName(chain)
	}
	if last.got && last.res.Shared && last.res.EmulatorRace && ctx.Err() == nil {
		b.finished(sh, last.t.v, b.raceAgain(ctx, last, name), "")
		return
	}
	switch {
	case last.got:
		res, err = last.res, nil // its test ran; an error is about what followed
	case len(chain) > 1:
		if err == nil {
			err = errors.New("it ended before the test reported")
		}
		err = fmt.Errorf("not run in the VM %s, booted for an earlier variant: %w", name, err)
	}
	c = b.retry(ctx, last.t.v, b.caseOfTest(ctx, last.t, res, err))
	b.finished(sh, last.t.v, c, name)
}

// raceAgain runs l's variant again in a VM of its own after its kernel
// died of the emulator race (vm.Result.EmulatorRace) in the shared VM
// name: QEMU's race, not the test's, so it is no attempt and the run in
// the shared VM gives no verdict; vm retries a race of its own boot
// itself. The shared run's output is kept beside, and the case says so.
func (b *batch) raceAgain(ctx context.Context, l *link, name string) report.Case {
	why := fmt.Sprintf("in the VM %s, booted for an earlier variant, %s; booted it again in a VM of its own", name, l.res.RaceWhy())
	from := b.logPath(l.t.v.A, 1)
	kept := strings.TrimSuffix(from, ".out") + ".emulator-race.out"
	if err := os.Rename(from, kept); err == nil {
		why += "; the shared VM's output is in " + filepath.Join(LogsDir, filepath.Base(kept))
	}
	c := b.runOne(ctx, l.t.v, 1)
	c.Properties = append(c.Properties, report.Property{Name: "retried", Value: why})
	return b.retry(ctx, l.t.v, c)
}

// key is assignment i's boot key ("" without sharing).
func (sh *sharing) key(i int) string {
	if !sh.on {
		return ""
	}
	return sh.keys[i]
}

// vmName is the name of the chain's VM, from the results it reported.
func vmName(chain []*link) string {
	if i := slices.IndexFunc(chain, func(l *link) bool { return l.got && l.res.Name != "" }); i >= 0 {
		return chain[i].res.Name
	}
	return "(unnamed)"
}
