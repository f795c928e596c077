package guest

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// This file holds the pure parsers of what a sched_ext scheduler's exit
// leaves behind: /dev/kmsg records, the kernel's sched_ext lines, the
// loaders' "EXIT:" line and debug dump, and the stall message.

// kmsgRecord is one /dev/kmsg record: "PRI,SEQ,TS_USEC,FLAGS;MESSAGE"
// followed by optional " KEY=VALUE" continuation lines.
type kmsgRecord struct {
	Level int
	Seq   uint64
	// TS is the record's time since boot (the kernel's local clock).
	TS  time.Duration
	Msg string
}

// parseKmsgRecord decodes one record as read(2) returns it from
// /dev/kmsg; ok is false when b is not one.
func parseKmsgRecord(b []byte) (r kmsgRecord, ok bool) {
	head, rest, found := bytes.Cut(b, []byte(";"))
	if !found {
		return r, false
	}
	f := strings.Split(string(head), ",")
	if len(f) < 3 {
		return r, false
	}
	pri, err1 := strconv.Atoi(f[0])
	seq, err2 := strconv.ParseUint(f[1], 10, 64)
	ts, err3 := strconv.ParseUint(f[2], 10, 63)
	if err1 != nil || err2 != nil || err3 != nil || pri < 0 || ts > uint64(1<<62)/1000 {
		return r, false
	}
	msg, _, _ := bytes.Cut(rest, []byte("\n"))
	return kmsgRecord{Level: pri & 7, Seq: seq, TS: time.Duration(ts) * time.Microsecond, Msg: unescapeKmsg(string(msg))}, true
}

// unescapeKmsg undoes /dev/kmsg's \xNN escapes of unprintable bytes.
func unescapeKmsg(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// scxLogKind is what a sched_ext kernel log line says.
type scxLogKind int

const (
	scxEnabled  scxLogKind = iota + 1 // BPF scheduler "NAME" enabled
	scxDisabled                       // BPF scheduler "NAME" disabled (REASON)
	scxMessage                        // NAME: MSG (after a disable)
)

// scxLogLine is one parsed kernel sched_ext line.
type scxLogLine struct {
	Kind scxLogKind
	Name string
	// Reason is a disable's reason text, e.g. "scx_bpf_error".
	Reason string
	// Msg is a message line's text.
	Msg string
}

var (
	scxStateLine = regexp.MustCompile(`^sched_ext: BPF scheduler "([^"]*)" (enabled|disabled \((.*)\))$`)
	scxMsgLine   = regexp.MustCompile(`^sched_ext: ([A-Za-z0-9_.]+): (.*)$`)
)

// parseSchedExtLine parses a kernel log message from sched_ext:
//
//	sched_ext: BPF scheduler "qmap" enabled
//	sched_ext: BPF scheduler "qmap" disabled (scx_bpf_error)
//	sched_ext: qmap: test triggering error
func parseSchedExtLine(msg string) (scxLogLine, bool) {
	msg = strings.TrimRight(msg, " \r\n")
	if m := scxStateLine.FindStringSubmatch(msg); m != nil {
		if m[2] == "enabled" {
			return scxLogLine{Kind: scxEnabled, Name: m[1]}, true
		}
		return scxLogLine{Kind: scxDisabled, Name: m[1], Reason: m[3]}, true
	}
	if m := scxMsgLine.FindStringSubmatch(msg); m != nil {
		return scxLogLine{Kind: scxMessage, Name: m[1], Msg: m[2]}, true
	}
	return scxLogLine{}, false
}

// loaderExitPrefix starts the line the example loaders print (UEI_REPORT)
// when the scheduler exited: "EXIT: REASON (MSG)" or "EXIT: REASON".
const loaderExitPrefix = "EXIT: "

// parseLoaderExit finds the last "EXIT:" line in a loader's output and
// splits it into the kernel's reason and the message.
func parseLoaderExit(out string) (reason, msg string, ok bool) {
	line, found := lastLineWithPrefix(out, loaderExitPrefix)
	if !found {
		return "", "", false
	}
	rest := strings.TrimPrefix(line, loaderExitPrefix)
	// The reason is one of the kernel's texts; prefer a known one, since
	// a message may hold " (" itself.
	for _, k := range []spec.ExitKind{spec.ExitUnregistered, spec.ExitUnregisteredBPF, spec.ExitUnregisteredKernel,
		spec.ExitSysRq, spec.ExitRuntimeError, spec.ExitBPFError, spec.ExitStall} {
		r := k.Reason()
		if rest == r {
			return r, "", true
		}
		if m, ok := strings.CutPrefix(rest, r+" ("); ok && strings.HasSuffix(m, ")") {
			return r, strings.TrimSuffix(m, ")"), true
		}
	}
	if r, m, cut := strings.Cut(rest, " ("); cut && strings.HasSuffix(m, ")") {
		return r, strings.TrimSuffix(m, ")"), true
	}
	return rest, "", true
}

// lastLineWithPrefix returns the last line of out that starts with
// prefix, trimmed of trailing space.
func lastLineWithPrefix(out, prefix string) (string, bool) {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimRight(lines[i], " \r"); strings.HasPrefix(l, prefix) {
			return l, true
		}
	}
	return "", false
}

var (
	stallTask     = regexp.MustCompile(`^(.*)\[(\d+)\] failed to run for (\d+)\.(\d{3})s$`)
	stallWatchdog = regexp.MustCompile(`^watchdog failed to check in for (\d+)\.(\d{3})s$`)
)

// parseStall reads a runnable task stall's message: "COMM[PID] failed to
// run for S.MMMs" (victim set) or "watchdog failed to check in for
// S.MMMs" (no victim).
func parseStall(msg string) (victim *spec.Task, d time.Duration, ok bool) {
	if m := stallTask.FindStringSubmatch(msg); m != nil {
		pid, err := strconv.Atoi(m[2])
		if err != nil {
			return nil, 0, false
		}
		return &spec.Task{Comm: m[1], PID: pid}, secMilli(m[3], m[4]), true
	}
	if m := stallWatchdog.FindStringSubmatch(msg); m != nil {
		return nil, secMilli(m[1], m[2]), true
	}
	return nil, 0, false
}

func secMilli(s, ms string) time.Duration {
	a, _ := strconv.ParseInt(s, 10, 32)
	b, _ := strconv.ParseInt(ms, 10, 32)
	return time.Duration(a)*time.Second + time.Duration(b)*time.Millisecond
}

// Debug dump framing of the example loaders (scx_bpf_dump / UEI_REPORT):
//
//	DEBUG DUMP
//	=========...
//
//	kworker/u8:0[12] triggered exit kind 1026:
//	  runnable task stall (scx_qmap[87] failed to run for 6.705s)
//	...
//	=========...
const dumpHeader = "DEBUG DUMP"

var dumpKind = regexp.MustCompile(`(?m)^(.*)\[(\d+)\] triggered exit kind (\d+):$`)

// extractDebugDump returns the debug dump block of a loader's output,
// header to closing rule, and the exit kind it names (0 when it names
// none); "" when there is no dump. A dump the output ends inside is
// returned up to the end.
func extractDebugDump(out string) (dump string, kind spec.ExitKind) {
	lines := strings.Split(out, "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == dumpHeader {
			start = i
		}
	}
	if start < 0 {
		return "", 0
	}
	end, rules := len(lines), 0
	for i := start + 1; i < len(lines); i++ {
		if isRule(lines[i]) {
			if rules++; rules == 2 {
				end = i + 1
				break
			}
		}
	}
	dump = strings.Join(lines[start:end], "\n")
	if !strings.HasSuffix(dump, "\n") {
		dump += "\n"
	}
	if m := dumpKind.FindStringSubmatch(dump); m != nil {
		n, _ := strconv.Atoi(m[3])
		kind = spec.ExitKind(n)
	}
	return dump, kind
}

// isRule reports whether l is a line of '=' (the dump's frame).
func isRule(l string) bool {
	l = strings.TrimSpace(l)
	return len(l) >= 8 && strings.Trim(l, "=") == ""
}

// lastWordsHints mark the loader lines that say why it failed, in order
// of preference after the "EXIT:" and "[SCX_BUG]" lines.
var lastWordsHints = []string{"invalid option", "unrecognized option", "error", "failed", "missing", "not found", "cannot", "can't", "no such"}

// loaderLastWords picks the line of a loader's output that says best why
// it stopped: its "EXIT:" line, else a "[SCX_BUG]" line, else the first
// line that reads like an error (an option error comes before the usage
// text), else the last non-empty line.
func loaderLastWords(out string) string {
	if l, ok := lastLineWithPrefix(out, loaderExitPrefix); ok {
		return l
	}
	lines := strings.Split(out, "\n")
	for _, l := range lines {
		if strings.Contains(l, "[SCX_BUG]") || strings.Contains(l, "[SCX_ERR]") {
			return strings.TrimSpace(l)
		}
	}
	for _, hint := range lastWordsHints {
		for _, l := range lines {
			if strings.Contains(strings.ToLower(l), hint) {
				return strings.TrimSpace(l)
			}
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}
