// Package timeline shows where a run's wall time went: one lane per VM
// slot, each VM drawn from its start to its end as its boot then its
// test, and a summary of the time spent booting, in scenarios and idle,
// both of slot time (each VM once) and of host CPU time (each VM once per
// host CPU it held, so a VM holding both CPUs of a 2-CPU host leaves no
// CPU idle though the other slot is empty). It is pure: spans in, text
// out.
package timeline

import (
	"cmp"
	"fmt"
	"io"
	"math"
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
	// CPUs is the host CPUs the VM held while it ran (its weight, 1 to
	// the host's CPUs: a 2-vCPU guest under multi-threaded TCG on a
	// 2-CPU host holds both); zero counts as 1.
	CPUs int
}

// Capacity is what a run's VMs shared: Slots VMs at once on CPUs host
// CPUs. CPUs zero means unknown: the summary then has no host CPU view.
type Capacity struct {
	Slots, CPUs int
}

// Summary is a run's time and what filled it, seen two ways. The slot
// view counts each VM once, in its slot, against Slots x Wall. The host
// CPU view counts each VM once per host CPU it held (Span.CPUs) against
// CPUs x Wall: a VM holding both CPUs of a 2-CPU host leaves the other
// slot empty but no host CPU idle.
type Summary struct {
	// Slots is how many VMs could run at once; Wall the run's wall time.
	Slots int
	Wall  time.Duration
	// VMs is the sum of the spans; Boot and Test its two parts.
	VMs, Boot, Test time.Duration

	// CPUs is the host CPUs the VMs shared; zero: no host CPU view.
	CPUs int
	// CPUBoot and CPUTest are the host CPU time of boots and tests
	// within the wall: each span's time x its CPUs, where the spans
	// running at once held at most CPUs; past that, the held time is
	// scaled down to CPUs (see Oversubscribed), so the shares never
	// pass 100 %.
	CPUBoot, CPUTest time.Duration
	// Oversubscribed is the wall time during which the spans running at
	// once held more than CPUs host CPUs, MaxHeld the most they held,
	// and Excess the host CPU time past CPUs that was not counted.
	Oversubscribed, Excess time.Duration
	MaxHeld                int
}

// Summarize adds up spans against c.Slots x wall (the slot view) and,
// when c.CPUs is set, c.CPUs x wall (the host CPU view).
func Summarize(spans []Span, c Capacity, wall time.Duration) Summary {
	s := Summary{Slots: max(c.Slots, 1), Wall: wall, CPUs: max(c.CPUs, 0)}
	for _, sp := range spans {
		d := max(sp.End-sp.Start, 0)
		b := min(max(sp.Boot, 0), d)
		s.VMs += d
		s.Boot += b
		s.Test += d - b
	}
	if s.CPUs > 0 {
		s.hostCPUs(spans)
	}
	return s
}

// hostCPUs fills the host CPU view: a sweep over the moments a span's
// boot or test starts or ends, within [0, Wall], adding up the CPUs
// held in between and clamping them to s.CPUs.
func (s *Summary) hostCPUs(spans []Span) {
	type event struct {
		at         time.Duration
		boot, test int // change of the CPUs held by boots and by tests
	}
	clip := func(t time.Duration) time.Duration { return min(max(t, 0), max(s.Wall, 0)) }
	var evs []event
	for _, sp := range spans {
		w := sp.weight(s.CPUs)
		start, end := clip(sp.Start), clip(max(sp.End, sp.Start))
		booted := clip(sp.Start + min(max(sp.Boot, 0), max(sp.End-sp.Start, 0)))
		evs = append(evs, event{at: start, boot: w}, event{at: booted, boot: -w, test: w}, event{at: end, test: -w})
	}
	slices.SortStableFunc(evs, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	var boot, test int
	var cpuBoot, cpuTest, excess float64
	for k, e := range evs {
		boot, test = boot+e.boot, test+e.test
		if k+1 == len(evs) {
			break
		}
		l := float64(evs[k+1].at - e.at)
		if l <= 0 {
			continue
		}
		held := boot + test
		s.MaxHeld = max(s.MaxHeld, held)
		scale := 1.0
		if held > s.CPUs {
			scale = float64(s.CPUs) / float64(held)
			s.Oversubscribed += time.Duration(l)
			excess += float64(held-s.CPUs) * l
		}
		cpuBoot += float64(boot) * l * scale
		cpuTest += float64(test) * l * scale
	}
	s.CPUBoot, s.CPUTest, s.Excess = time.Duration(cpuBoot), time.Duration(cpuTest), time.Duration(excess)
}

// weight is the host CPUs the span held, 1 to cpus (unknown: 1).
func (sp Span) weight(cpus int) int {
	return min(max(sp.CPUs, 1), max(cpus, 1))
}

// SlotTime is Slots x Wall.
func (s Summary) SlotTime() time.Duration { return time.Duration(s.Slots) * s.Wall }

// CPUTime is CPUs x Wall, the host CPU time the VMs could have held.
func (s Summary) CPUTime() time.Duration { return time.Duration(s.CPUs) * s.Wall }

// CPUIdle is the host CPU time no VM held.
func (s Summary) CPUIdle() time.Duration { return max(s.CPUTime()-s.CPUBoot-s.CPUTest, 0) }

// String is the summary: the slot view on one line, "2 slots x 2m49s =
// 5m38s of slot time: scenarios 39s (12%), booting 2m9s (38%), idle 2m50s
// (50%); each VM counted once, in its slot", then, when CPUs is known,
// the host CPU view on a second, "2 host CPUs x 2m49s = 5m38s of host CPU
// time: scenarios ...; each VM counted once per host CPU it holds", which
// says so when the VMs held more host CPUs than there were.
func (s Summary) String() string {
	line := fmt.Sprintf("%d slots x %s = %s of slot time: %s; each VM counted once, in its slot",
		s.Slots, round(s.Wall), round(s.SlotTime()), shares(s.SlotTime(), s.Test, s.Boot, max(s.SlotTime()-s.VMs, 0)))
	if s.CPUs <= 0 {
		return line
	}
	line += fmt.Sprintf("\n%d host CPUs x %s = %s of host CPU time: %s; each VM counted once per host CPU it holds",
		s.CPUs, round(s.Wall), round(s.CPUTime()), shares(s.CPUTime(), s.CPUTest, s.CPUBoot, s.CPUIdle()))
	if s.Oversubscribed > 0 {
		line += fmt.Sprintf(" (oversubscribed for %s: VMs held up to %d of %d host CPUs; %s of host CPU time past %d not counted)",
			round(s.Oversubscribed), s.MaxHeld, s.CPUs, round(s.Excess), s.CPUs)
	}
	return line
}

// shares is "scenarios T (P%), booting B (P%), idle I (P%)" of total.
func shares(total, test, boot, idle time.Duration) string {
	pct := func(d time.Duration) string {
		if total <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f%%", 100*float64(d)/float64(total))
	}
	return fmt.Sprintf("scenarios %s (%s), booting %s (%s), idle %s (%s)", round(test), pct(test), round(boot), pct(boot), round(idle), pct(idle))
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
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(spans[a].Start, spans[b].Start) })
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

// maxSpareRows bounds the rows [Render] adds for host CPUs no slot used:
// past it (a large host run with few jobs) the summary says it alone.
const maxSpareRows = 16

// Render writes the summary, then one row per lane, width columns wide,
// where '=' is a VM booting, '#' its test and ' ' an idle slot, and,
// when a VM held more host CPUs than one (Span.CPUs), '+' marks as many
// otherwise empty cells of its columns as the extra CPUs it held (on a
// host with a lane per CPU, the lanes are the CPUs; with fewer lanes
// than the host's CPUs, as with --jobs 1 on 2 CPUs, a row per host CPU
// no slot used, "cpu N", shows what the VMs held of it); then a time axis
// and, per lane, its VMs in order with their times (and the host CPUs of
// those that held more than one).
func Render(w io.Writer, spans []Span, c Capacity, wall time.Duration, width int) error {
	width = max(width, 10)
	s := Summarize(spans, c, wall)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", s)
	lanes := Lanes(spans)
	col := func(d time.Duration) int {
		if wall <= 0 {
			return 0
		}
		return min(int(int64(d)*int64(width)/int64(wall)), width)
	}
	cols := func(sp Span) (int, int) { return col(sp.Start), min(max(col(sp.End), col(sp.Start)+1), width) }
	cpus := c.CPUs
	if cpus <= 0 {
		cpus = math.MaxInt // unknown: each span's CPUs as they are
	}
	spare := 0 // host CPUs beyond the lanes, each a row of its own
	if c.CPUs > len(lanes) && c.CPUs <= maxSpareRows {
		spare = c.CPUs - len(lanes)
	}
	rows := make([][]byte, len(lanes)+spare)
	for l := range rows {
		rows[l] = []byte(strings.Repeat(" ", width))
	}
	for l, lane := range lanes {
		for _, i := range lane {
			sp := spans[i]
			boot := col(sp.Start + min(max(sp.Boot, 0), sp.End-sp.Start))
			from, to := cols(sp)
			for x := from; x < to; x++ {
				rows[l][x] = '#'
				if x < boot {
					rows[l][x] = '='
				}
			}
		}
	}
	wide := false // some VM held more than one host CPU
	extra := make([]int, width)
	for _, sp := range spans {
		if w := sp.weight(cpus); w > 1 {
			wide = true
			from, to := cols(sp)
			for x := from; x < to; x++ {
				extra[x] += w - 1
			}
		}
	}
	for x, n := range extra {
		for l := 0; l < len(rows) && n > 0; l++ {
			if rows[l][x] == ' ' {
				rows[l][x], n = '+', n-1
			}
		}
	}
	for l, row := range rows {
		if l < len(lanes) {
			fmt.Fprintf(&b, "slot %2d |%s|\n", l+1, row)
		} else {
			fmt.Fprintf(&b, "cpu  %2d |%s|\n", l+1, row)
		}
	}
	end := round(wall).String()
	fmt.Fprintf(&b, "        0s%s%s\n", strings.Repeat(" ", max(width+1-len(end), 1)), end)
	if spare > 0 {
		fmt.Fprintf(&b, "        cpu rows: host CPUs no slot ran on (%d slots, %d host CPUs)\n", len(lanes), c.CPUs)
	}
	if wide {
		b.WriteString("        '=' booting, '#' test, '+' a host CPU held by a VM of another slot, ' ' idle\n")
	} else {
		b.WriteString("        '=' booting, '#' test, ' ' idle\n")
	}
	for l, lane := range lanes {
		fmt.Fprintf(&b, "\nslot %d:\n", l+1)
		for _, i := range lane {
			sp := spans[i]
			held := ""
			if w := sp.weight(cpus); w > 1 {
				held = fmt.Sprintf(" (x%d: holds %d host CPUs)", w, w)
			}
			fmt.Fprintf(&b, "  %8s-%-8s boot %-6s %-12s %s%s\n", round(sp.Start), round(sp.End), round(sp.Boot), sp.Outcome, sp.Name, held)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
