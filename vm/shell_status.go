package vm

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
)

// shellStatus is what a shell VM's init reported on the status port.
type shellStatus struct {
	readyAt time.Time     // when "ready" arrived; zero if it never did
	uptime  time.Duration // the guest's uptime in the "ready" line
	exit    int           // the "exit" line's status
	exited  bool          // an "exit" line arrived
}

// readShellStatus reads the init's reports from r until EOF: "ready
// UPTIME" (seconds, as in /proc/uptime) and "exit STATUS". now stamps the
// ready report.
func readShellStatus(r io.Reader, now func() time.Time) shellStatus {
	var st shellStatus
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		st.line(sc.Text(), now)
	}
	return st
}

// line records one report; other lines are ignored.
func (st *shellStatus) line(l string, now func() time.Time) {
	kind, val, _ := strings.Cut(strings.TrimSpace(l), " ")
	switch kind {
	case "ready":
		st.readyAt = now()
		if secs, err := strconv.ParseFloat(val, 64); err == nil {
			st.uptime = time.Duration(secs * float64(time.Second))
		}
	case "exit":
		if n, err := strconv.Atoi(val); err == nil {
			st.exit, st.exited = n, true
		}
	}
}
