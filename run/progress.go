package run

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/progress"
	"github.com/gauntlet-sched/gauntlet/internal/table"
)

// Display says how a run shows its progress on [Config.Stdout]. The zero
// Display prints plain lines without colour, for logs and pipes.
type Display struct {
	// Live keeps a status block at the bottom of a terminal, redrawn
	// once a second: done/total, the variants running now with their
	// elapsed time, failures so far and the ETA against the budget.
	// Finished failures are printed above it as they happen. False
	// prints one line per finished variant instead.
	Live bool
	// Color colours outcomes and the summary's verdict.
	Color bool
	// Width is the terminal's width in columns for Live; zero means
	// [table.Width].
	Width int
}

// progressView is the observer that shows a run's progress to a person:
// a line per finished variant, or the live block of package progress;
// with Verbose, the guest's output line by line with the variant's name.
type progressView struct {
	w       io.Writer
	d       Display
	verbose bool
	now     func() time.Time
	mu      *sync.Mutex // the batch's: held by every observer call
	term    *progress.Terminal
	st      progress.State
	est     []time.Duration
	running []int // indexes of st.Running's variants
	stop    chan struct{}
}

func newProgressView(b *batch) *progressView {
	v := &progressView{w: b.cfg.Stdout, d: b.cfg.Display, verbose: b.cfg.Verbose, now: b.r.now, mu: &b.mu}
	if v.d.Width <= 0 {
		v.d.Width = table.Width
	}
	if v.d.Live {
		v.term = &progress.Terminal{W: v.w}
	}
	return v
}

func (v *progressView) runStarted(e runStart) {
	v.st = progress.State{Started: e.Time, Total: len(e.Variants), Slots: e.Slots, Budget: e.Budget}
	for _, a := range e.Variants {
		v.est = append(v.est, a.Est())
		v.st.Pending += a.Est()
	}
	if v.term == nil {
		return
	}
	v.draw()
	v.stop = make(chan struct{})
	go v.tick(v.stop)
}

// tick redraws the block once a second until stop is closed (under the
// mutex, so no redraw follows runFinished).
func (v *progressView) tick(stop chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		v.mu.Lock()
		select {
		case <-stop:
		default:
			v.draw()
		}
		v.mu.Unlock()
	}
}

func (v *progressView) draw() {
	v.term.Draw(progress.Status(v.st, v.now(), v.d.Width, v.d.Color))
}

func (v *progressView) variantStarted(e variantStart) {
	v.st.Pending -= v.est[e.Index]
	v.st.Running = append(v.st.Running, progress.Running{Name: e.A.Variant, Package: e.A.Package, Started: e.Time, Est: v.est[e.Index]})
	v.running = append(v.running, e.Index)
	if v.term != nil {
		v.draw()
	}
}

func (v *progressView) variantOutput(e variantStart, line []byte) {
	if v.verbose {
		v.print(fmt.Sprintf("%s: %s", e.A.Variant, line))
	}
}

func (v *progressView) variantRetrying(_ variantStart, line string) { v.print(line) }

func (v *progressView) variantFinished(e variantEnd) {
	for i, idx := range v.running {
		if idx == e.Index {
			v.running = append(v.running[:i], v.running[i+1:]...)
			v.st.Running = append(v.st.Running[:i], v.st.Running[i+1:]...)
			break
		}
	}
	switch o := e.Case.Outcome; {
	case o.Failed():
		v.st.Failed++
	case o.Passed():
		v.st.Passed++
	default:
		v.st.Skipped++
	}
	line := progress.Finished(v.st.Done(), v.st.Total, e.Case, e.Log, v.d.Color)
	if v.term == nil || !e.Case.Outcome.Passed() {
		v.print(line)
	}
	if v.term != nil {
		v.draw()
	}
}

// print writes a line that stays: above the live block, or plainly.
func (v *progressView) print(line string) {
	if v.term != nil {
		v.term.Print(line)
		return
	}
	fmt.Fprintln(v.w, line)
}

func (v *progressView) runFinished(runEnd) {
	if v.term == nil {
		return
	}
	close(v.stop)
	v.term.Clear()
}
