package guest

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// formatStats prints the stats block: a header and one line per cgroup
// with its workers, cpuset, CPUs used, off-CPU spread, longest gap (with
// CPU and offset), migrations, work units (total and least per worker),
// mean run delay and wake latencies (p50/p99/max).
func formatStats(cgs []spec.CgroupStats) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "cgroup\twork\tworkers\tcpuset\tused\tspread\tmax-gap\tmigr\twork-units\trun-delay\twake p50/p99/max")
	for _, c := range cgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f%%\t%s\t%d\t%d (min %d)\t%s\t%s\n",
			c.Name, c.Work, workerCount(c), orDash(c.Cpuset), orDash(c.CPUsUsed), c.SpreadPct,
			gapText(c), c.Migrations, c.WorkUnits, c.MinWorkUnits, msText(c.RunDelay), wakeText(c))
	}
	tw.Flush()
	return strings.TrimRight(b.String(), "\n")
}

func workerCount(c spec.CgroupStats) string {
	if c.Killed > 0 {
		return fmt.Sprintf("%d+%d died", c.Workers, c.Killed)
	}
	return fmt.Sprint(c.Workers)
}

func gapText(c spec.CgroupStats) string {
	if c.Workers == 0 || c.GapCPU < 0 {
		return "-"
	}
	return fmt.Sprintf("%dms cpu%d +%dms", c.MaxGap.Milliseconds(), c.GapCPU, c.GapAt.Milliseconds())
}

func wakeText(c spec.CgroupStats) string {
	if c.WakeSamples == 0 {
		return "-"
	}
	return fmt.Sprintf("%s/%s/%s", msText(c.WakeP50), msText(c.WakeP99), msText(c.WakeMax))
}

// msText prints d in milliseconds with two decimals.
func msText(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
