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
// text Gantt chart of the VMs per slot (package internal/timeline).
type timelineView struct {
	path   string
	start  time.Time
	slots  int
	starts map[int]time.Time
	spans  []timeline.Span
	err    error
}

func newTimelineView(dir string) *timelineView {
	return &timelineView{path: filepath.Join(dir, TimelineFile), starts: map[int]time.Time{}}
}

func (v *timelineView) runStarted(e runStart)                { v.start, v.slots = e.Time, e.Slots }
func (v *timelineView) variantStarted(e variantStart)        { v.starts[e.Index] = e.Time }
func (v *timelineView) variantOutput(variantStart, []byte)   {}
func (v *timelineView) variantRetrying(variantStart, string) {}

func (v *timelineView) variantFinished(e variantEnd) {
	start, ok := v.starts[e.Index]
	if !ok {
		return
	}
	v.spans = append(v.spans, timeline.Span{Name: e.Case.Variant, Start: start.Sub(v.start), End: e.Time.Sub(v.start),
		Boot: e.Case.Boot, Outcome: e.Case.Outcome.String(), VM: e.VM})
}

func (v *timelineView) runFinished(e runEnd) {
	v.err = writeAtomic(v.path, "timeline", func(w io.Writer) error {
		return timeline.Render(w, v.spans, v.slots, e.Time.Sub(v.start), timelineWidth)
	})
}
