package run

import (
	"bytes"
	"sync"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/report"
)

// observer is told what a run does as it happens. The progress display
// (progress.go) and the test2json stream (testjson.go) are observers. The
// batch calls them one call at a time, under its mutex, in the order
// things happen: runStarted, then per variant variantStarted,
// variantOutput per line of the guest's output (its variantStart's Time
// is the line's), variantFinished, and runFinished last.
type observer interface {
	runStarted(runStart)
	variantStarted(variantStart)
	variantOutput(variantStart, []byte)
	// variantRetrying says a failed attempt is booted again (line says
	// which attempt and why); the variant's output and end follow.
	variantRetrying(variantStart, string)
	variantFinished(variantEnd)
	runFinished(runEnd)
}

// runStart is the plan a run is about to boot.
type runStart struct {
	Time time.Time
	// Variants are the plan's selection, in plan order; the events' Index
	// is into it.
	Variants []budget.Assignment
	Slots    int
	// HostCPUs is the host CPUs the plan's VMs share (its
	// Capacity.CPUs); each Assignment's Weight.CPUs is its part.
	HostCPUs int
	Budget   time.Duration
	EstWall  time.Duration
	// Host are the plain host tests, which ran in the describe pass.
	Host []report.Case
	// Failed are the packages that could not be planned, by import path,
	// with the go command's message.
	Failed map[string]string
}

// variantStart is a variant whose VM is about to boot.
type variantStart struct {
	Time  time.Time
	Index int
	A     budget.Assignment
}

// variantEnd is a variant that finished, with its case and the file its
// test's output was logged to.
type variantEnd struct {
	Time  time.Time
	Index int
	Case  report.Case
	Log   string
	// VM names the VM when it ran more than one variant (boot sharing):
	// the variants of one VM ran one after another in one slot.
	VM string
}

// runEnd is the run's end: one case per selected variant in plan order
// (those that never started are not run, with the reason).
type runEnd struct {
	Time        time.Time
	Cases       []report.Case
	Interrupted bool
}

// observers calls each of its observers in turn.
type observers []observer

func (os observers) runStarted(e runStart) {
	for _, o := range os {
		o.runStarted(e)
	}
}

func (os observers) variantStarted(e variantStart) {
	for _, o := range os {
		o.variantStarted(e)
	}
}

func (os observers) variantOutput(v variantStart, line []byte) {
	for _, o := range os {
		o.variantOutput(v, line)
	}
}

func (os observers) variantRetrying(v variantStart, line string) {
	for _, o := range os {
		o.variantRetrying(v, line)
	}
}

func (os observers) variantFinished(e variantEnd) {
	for _, o := range os {
		o.variantFinished(e)
	}
}

func (os observers) runFinished(e runEnd) {
	for _, o := range os {
		o.runFinished(e)
	}
}

// lineWriter hands what is written to it to an observer line by line
// (without the newline), under mu.
type lineWriter struct {
	mu  *sync.Mutex
	fn  func([]byte)
	buf []byte
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		l.fn(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
}

// Flush hands on a final unterminated line.
func (l *lineWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.fn(l.buf)
		l.buf = nil
	}
}
