// Package timeline shows where a run's wall time went: one lane per VM
// slot, each VM drawn from its start to its end as its boot then its
// test, and a summary of slot time spent booting, in scenarios and idle.
// It is pure: spans in, text out.
package timeline

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Span is one VM of a run: when it started and ended (since the run's
// start) and how long of it was the boot.
type Span struct {
	// Name is the variant's name.
	Name string
	// Start and End are times since the run's start.
	Start, End time.Duration
	// Boot is the part of the span before the guest's init ran; the
	// rest is the test (and the VM's teardown).
	Boot time.Duration
	// Outcome is the variant's outcome, for the legend.
	Outcome string
	// VM, when set, names the VM the span ran in when that VM ran more
	// than one variant, one after another (boot sharing): such spans
	// keep to one lane.
	VM string
}

// Summary is a run's slot time and what filled it.
type Summary struct {
	// Slots is how many VMs could run at once; Wall the run's wall time.
	Slots int
	Wall  time.Duration
	// VMs is the sum of the spans; Boot and Test its two parts.
	VMs, Boot, Test time.Duration
}

// Summarize adds up spans against slots x wall.
func Summarize(spans []Span, slots int, wall time.Duration) Summary {
	s := Summary{Slots: max(slots, 1), Wall: wall}
	for _, sp := range spans {
		d := max(sp.End-sp.Start, 0)
		b := min(max(sp.Boot, 0), d)
		s.VMs += d
		s.Boot += b
		s.Test += d - b
	}
	return s
}

// SlotTime is Slots x Wall.
func (s Summary) SlotTime() time.Duration { return time.Duration(s.Slots) * s.Wall }

// String is the summary on one line: "2 slots x 2m49s = 5m38s of slot
// time: scenarios 39s (12%), booting 2m9s (38%), idle 2m50s (50%)".
func (s Summary) String() string {
	total := s.SlotTime()
	pct := func(d time.Duration) string {
		if total <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f%%", 100*float64(d)/float64(total))
	}
	idle := max(total-s.VMs, 0)
	return fmt.Sprintf("%d slots x %s = %s of slot time: scenarios %s (%s), booting %s (%s), idle %s (%s)",
		s.Slots, round(s.Wall), round(total), round(s.Test), pct(s.Test), round(s.Boot), pct(s.Boot), round(idle), pct(idle))
}

func round(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// Lanes assigns the spans to lanes so that no two spans of a lane
// overlap, taking the spans by start time and each into the lane that
// freed up first (the fewest lanes for the spans: as many as ran at
// once at the most), except that a span of a VM (Span.VM) follows the
// VM's previous span in its lane. It returns indexes into spans, per
// lane.
func Lanes(spans []Span) [][]int {
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(spans[a].Start - spans[b].Start) })
	var lanes [][]int
	var free []time.Duration // when each lane's last span ended
	for _, i := range order {
		best := -1
		for l, f := range free {
			if f <= spans[i].Start && (best < 0 || f < free[best]) {
				best = l
			}
		}
		if vm := spans[i].VM; vm != "" {
			for l, lane := range lanes {
				if spans[lane[len(lane)-1]].VM == vm && free[l] <= spans[i].Start {
					best = l
				}
			}
		}
		if best < 0 {
			lanes, free = append(lanes, nil), append(free, 0)
			best = len(lanes) - 1
		}
		lanes[best] = append(lanes[best], i)
		free[best] = spans[i].End
	}
	return lanes
}

// Render writes the summary, then one row per lane, width columns wide,
// where '=' is a VM booting, '#' its test and ' ' an idle slot, then a
// time axis and, per lane, its VMs in order with their times.
func Render(w io.Writer, spans []Span, slots int, wall time.Duration, width int) error {
	width = max(width, 10)
	s := Summarize(spans, slots, wall)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", s)
	lanes := Lanes(spans)
	col := func(d time.Duration) int {
		if wall <= 0 {
			return 0
		}
		return min(int(int64(d)*int64(width)/int64(wall)), width)
	}
	for l, lane := range lanes {
		row := []byte(strings.Repeat(" ", width))
		for _, i := range lane {
			sp := spans[i]
			boot := sp.Start + min(max(sp.Boot, 0), sp.End-sp.Start)
			for c := col(sp.Start); c < max(col(sp.End), col(sp.Start)+1) && c < width; c++ {
				row[c] = '#'
				if c < col(boot) {
					row[c] = '='
				}
			}
		}
		fmt.Fprintf(&b, "slot %2d |%s|\n", l+1, row)
	}
	end := round(wall).String()
	fmt.Fprintf(&b, "        0s%s%s\n", strings.Repeat(" ", max(width+1-len(end), 1)), end)
	b.WriteString("        '=' booting, '#' test, ' ' idle\n")
	for l, lane := range lanes {
		fmt.Fprintf(&b, "\nslot %d:\n", l+1)
		for _, i := range lane {
			sp := spans[i]
			fmt.Fprintf(&b, "  %8s-%-8s boot %-6s %-12s %s\n", round(sp.Start), round(sp.End), round(sp.Boot), sp.Outcome, sp.Name)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
