package run

import (
	"io"
	"path/filepath"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/timeline"
)

// timelineWidth is the width of the timeline's lanes, in columns.
const timelineWidth = 100

// timelineView is the observer that writes [TimelineFile] when the run
// ends: the slot time and what filled it (scenarios, boots, idle) and a
// text Gantt chart of the VMs per slot (package internal/timeline), each
// VM's span weighing the host CPUs its assignment held (Weight.CPUs), so
// the summary's host CPU view counts a VM that held both CPUs of a 2-CPU
// host twice.
type timelineView struct {
	path   string
	start  time.Time
	cap    timeline.Capacity
	starts map[int]variantStart
	spans  []timeline.Span
	err    error
}

func newTimelineView(dir string) *timelineView {
	return &timelineView{path: filepath.Join(dir, TimelineFile), starts: map[int]variantStart{}}
}

func (v *timelineView) runStarted(e runStart) {
	v.start, v.cap = e.Time, timeline.Capacity{Slots: e.Slots, CPUs: e.HostCPUs}
}
func (v *timelineView) variantStarted(e variantStart)        { v.starts[e.Index] = e }
func (v *timelineView) variantOutput(variantStart, []byte)   {}
func (v *timelineView) variantRetrying(variantStart, string) {}

func (v *timelineView) variantFinished(e variantEnd) {
	start, ok := v.starts[e.Index]
	if !ok {
		return
	}
	v.spans = append(v.spans, timeline.Span{Name: e.Case.Variant, Start: start.Time.Sub(v.start), End: e.Time.Sub(v.start),
		Boot: e.Case.Boot, Outcome: e.Case.Outcome.String(), VM: e.VM, CPUs: start.A.Weight.CPUs})
}

func (v *timelineView) runFinished(e runEnd) {
	v.err = writeAtomic(v.path, "timeline", func(w io.Writer) error {
		return timeline.Render(w, v.spans, v.cap, e.Time.Sub(v.start), timelineWidth)
	})
}
