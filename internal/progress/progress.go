// Package progress renders a run's progress for a person watching it:
// the line printed when a variant finishes, and the live status block a
// terminal redraws in place (done/total, the variants running now with
// their elapsed time, failures so far, the time left against the
// budget). The rendering is pure: a [State] and the clock's reading given
// as values make the same lines, so tests need no clock. [Terminal]
// draws the block.
package progress

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/table"
	"github.com/gauntlet-sched/gauntlet/report"
	"github.com/gauntlet-sched/gauntlet/spec"
)

// MaxRunning is the most running variants the status block lists; the
// rest are counted on one line.
const MaxRunning = 8

// Running is a variant whose VM runs.
type Running struct {
	Name    string // the variant's name, as in JUnit
	Package string
	Started time.Time
	Est     time.Duration // its estimated wall time
}

// State is a run's progress at one moment.
type State struct {
	Started time.Time
	// Total is the number of variants in the run; Passed, Failed and
	// Skipped count those finished.
	Total, Passed, Failed, Skipped int
	// Running are the variants running now, in the order they started.
	Running []Running
	// Pending is the estimated wall time of the variants not started.
	Pending time.Duration
	// Slots is the most VMs at once; zero counts as one.
	Slots int
	// Budget is the run's budget; zero means none.
	Budget time.Duration
}

// Done is how many variants finished.
func (s State) Done() int { return s.Passed + s.Failed + s.Skipped }

// ETA is the estimated time left at now: the estimates of the variants
// not started and what remains of the running ones' (at least a second
// each while they run), spread over the slots.
func (s State) ETA(now time.Time) time.Duration {
	left := s.Pending
	for _, r := range s.Running {
		left += max(r.Est-now.Sub(r.Started), time.Second)
	}
	return (left / time.Duration(max(s.Slots, 1))).Round(time.Second)
}

// Status is the live block at now, each line at most width columns: the
// counts, the elapsed time and the ETA, then one line per running
// variant (at most [MaxRunning]) with how long it has run and the last
// element of its package's import path.
func Status(s State, now time.Time, width int, color bool) []string {
	lines := []string{cut(statusLine(s, now), width, color, failedToken(s))}
	for i, r := range s.Running {
		if i == MaxRunning {
			lines = append(lines, fmt.Sprintf("  … and %d more running", len(s.Running)-MaxRunning))
			break
		}
		l := fmt.Sprintf("  %6s  %s (%s)", secs(now.Sub(r.Started)), r.Name, path.Base(r.Package))
		lines = append(lines, fit(l, width))
	}
	return lines
}

func statusLine(s State, now time.Time) string {
	elapsed := now.Sub(s.Started).Round(time.Second)
	eta := s.ETA(now)
	l := fmt.Sprintf("gauntlet: %d/%d done (%d passed, %s, %d skipped), %d running, %s elapsed, ETA %s",
		s.Done(), s.Total, s.Passed, failedToken(s), s.Skipped, len(s.Running), Duration(elapsed), Duration(eta))
	if s.Budget > 0 {
		end := elapsed + eta
		if over := end - s.Budget; over > 0 {
			return l + fmt.Sprintf(", over the %s budget by %s", Duration(s.Budget), Duration(over))
		}
		return l + fmt.Sprintf(", ends at %s of %s budget", Duration(end), Duration(s.Budget))
	}
	return l
}

func failedToken(s State) string { return fmt.Sprintf("%d failed", s.Failed) }

// fit cuts l to at most width characters, "…" last when it was longer.
func fit(l string, width int) string {
	r := []rune(l)
	if len(r) <= width || width < 1 {
		return l
	}
	return string(r[:width-1]) + "…"
}

// Duration is d to the second without zero tails: 20m, 1m5s, 1h.
func Duration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// cut truncates l to width and then colours token red (when the count
// is not zero and colour is on).
func cut(l string, width int, color bool, token string) string {
	l = fit(l, width)
	if color && !strings.HasPrefix(token, "0 ") {
		l = strings.Replace(l, token, red+token+reset, 1)
	}
	return l
}

// Finished is the line printed when a variant ends: its place in the
// run, the outcome, the variant, topology and times, and for anything
// but a pass the reason and the log file of its test's output (log, when
// not empty). With color the outcome is coloured: red for a failure,
// green for a pass, yellow otherwise.
func Finished(done, total int, c report.Case, log string, color bool) string {
	word := strings.ToUpper(c.Outcome.String())
	if c.Flaky() {
		word = "FLAKY"
	}
	padded := fmt.Sprintf("%-12s", word)
	if color {
		padded = outcomeColor(c.Outcome) + word + reset + padded[len(word):]
	}
	line := fmt.Sprintf("[%*d/%d] %s %s (%s", len(fmt.Sprint(total)), done, total, padded, c.Variant, c.Topology)
	if c.Outcome.Ran() {
		line += fmt.Sprintf(", boot %.1fs, total %.1fs", c.Boot.Seconds(), c.Total.Seconds())
	}
	line += ")"
	note := ""
	if n := c.AttemptsNote(); n != "" {
		note = " [" + n + "]"
	}
	if c.Outcome.Passed() {
		return line + note
	}
	if d := c.Detail(); d != "" {
		line += ": " + table.Truncate(d, 200)
	}
	if log != "" {
		line += "; log " + log
	}
	return line + note
}

// Terminal escape sequences.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	reset  = "\x1b[0m"
)

func outcomeColor(o spec.Outcome) string {
	switch {
	case o.Failed():
		return red
	case o.Passed():
		return green
	}
	return yellow
}

// Paint colours the verdict at the start of a run's summary line ("PASS:"
// green, "FAIL:" red) when color is on.
func Paint(summary string, color bool) string {
	if !color {
		return summary
	}
	for word, c := range map[string]string{"PASS:": green, "FAIL:": red} {
		if rest, ok := strings.CutPrefix(summary, word); ok {
			return c + word + reset + rest
		}
	}
	return summary
}

func secs(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return Duration(d)
}
