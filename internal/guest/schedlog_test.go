package guest

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestParseKmsgRecord(t *testing.T) {
	r, ok := parseKmsgRecord([]byte("3,512,43279346,-;sched_ext: BPF scheduler \"qmap\" disabled (scx_bpf_error)\n SUBSYSTEM=x\n"))
	if !ok || r.Level != 3 || r.Seq != 512 || r.TS != 43279346*time.Microsecond || r.Msg != `sched_ext: BPF scheduler "qmap" disabled (scx_bpf_error)` {
		t.Errorf("record %+v, %v", r, ok)
	}
	if r, ok := parseKmsgRecord([]byte(`14,3,5,c;tab\x09here`)); !ok || r.Level != 6 || r.Msg != "tab\there" {
		t.Errorf("escaped record %+v, %v", r, ok)
	}
	for _, bad := range []string{"", "no semicolon", "a,b,c;x", "1,2;x", "-1,2,3;x"} {
		if _, ok := parseKmsgRecord([]byte(bad)); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseSchedExtLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want scxLogLine
	}{
		{`sched_ext: BPF scheduler "qmap" enabled`, scxLogLine{Kind: scxEnabled, Name: "qmap"}},
		{`sched_ext: BPF scheduler "qmap" disabled (scx_bpf_error)`, scxLogLine{Kind: scxDisabled, Name: "qmap", Reason: "scx_bpf_error"}},
		{`sched_ext: BPF scheduler "central" disabled (unregistered from user space)`, scxLogLine{Kind: scxDisabled, Name: "central", Reason: "unregistered from user space"}},
		{`sched_ext: qmap: scx_qmap[87] failed to run for 6.705s`, scxLogLine{Kind: scxMessage, Name: "qmap", Msg: "scx_qmap[87] failed to run for 6.705s"}},
		{`sched_ext: qmap: test triggering error`, scxLogLine{Kind: scxMessage, Name: "qmap", Msg: "test triggering error"}},
	} {
		got, ok := parseSchedExtLine(tc.in)
		if !ok || got != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"scx_central (85) used greatest stack depth: 13272 bytes left", "sched_ext: nothing", "   scx_bpf_error_bstr+0x66/0x80"} {
		if got, ok := parseSchedExtLine(bad); ok {
			t.Errorf("%q parsed as %+v", bad, got)
		}
	}
}

func TestParseLoaderExit(t *testing.T) {
	for _, tc := range []struct{ out, reason, msg string }{
		{"stats\nEXIT: scx_bpf_error (test triggering error)\nstats : enq=0\n", "scx_bpf_error", "test triggering error"},
		{"EXIT: unregistered from user space\n", "unregistered from user space", ""},
		{"EXIT: runnable task stall (init[58] failed to run for 30.309s)", "runnable task stall", "init[58] failed to run for 30.309s"},
		{"EXIT: scx_bpf_error (a (nested) message)", "scx_bpf_error", "a (nested) message"},
		{"EXIT: some future reason (why)", "some future reason", "why"},
	} {
		r, m, ok := parseLoaderExit(tc.out)
		if !ok || r != tc.reason || m != tc.msg {
			t.Errorf("%q: %q %q %v", tc.out, r, m, ok)
		}
	}
	if _, _, ok := parseLoaderExit("no exit here\n"); ok {
		t.Error("no EXIT line parsed")
	}
}

func TestParseStall(t *testing.T) {
	v, d, ok := parseStall("sleep[136] failed to run for 7.155s")
	if !ok || *v != (spec.Task{Comm: "sleep", PID: 136}) || d != 7155*time.Millisecond {
		t.Errorf("task stall: %+v %v %v", v, d, ok)
	}
	v, _, ok = parseStall("kworker/u8:0[12] failed to run for 5.000s")
	if !ok || v.Comm != "kworker/u8:0" || v.PID != 12 {
		t.Errorf("kworker stall: %+v %v", v, ok)
	}
	v, d, ok = parseStall("watchdog failed to check in for 5.001s")
	if !ok || v != nil || d != 5001*time.Millisecond {
		t.Errorf("watchdog: %+v %v %v", v, d, ok)
	}
	if _, _, ok := parseStall("test triggering error"); ok {
		t.Error("an error message parsed as a stall")
	}
}

func TestExtractDebugDump(t *testing.T) {
	b, err := os.ReadFile("testdata/qmap-stall.stderr")
	if err != nil {
		t.Fatal(err)
	}
	dump, kind := extractDebugDump("stats line\n" + string(b))
	if kind != spec.ExitStall || !strings.HasPrefix(dump, "DEBUG DUMP\n====") || strings.Contains(dump, "EXIT:") || !strings.Contains(dump, "QMAP FIFO[0]:") {
		t.Errorf("kind %d, dump:\n%s", kind, dump)
	}
	if !isRule(strings.Split(strings.TrimSpace(dump), "\n")[len(strings.Split(strings.TrimSpace(dump), "\n"))-1]) {
		t.Errorf("dump does not end with its rule:\n%s", dump)
	}
	if d, k := extractDebugDump("EXIT: unregistered from user space\n"); d != "" || k != 0 {
		t.Errorf("no dump: %q %d", d, k)
	}
	if d, _ := extractDebugDump("DEBUG DUMP\n=========\ncut short"); !strings.HasSuffix(d, "cut short\n") {
		t.Errorf("cut dump %q", d)
	}
}

func TestLoaderLastWords(t *testing.T) {
	usage := "scx_qmap: invalid option -- 'Z'\nA simple five-level FIFO queue sched_ext scheduler.\n\nUsage: scx_qmap [-s SLICE_US]\n  -h            Display this help and exit\n"
	for _, tc := range []struct{ out, want string }{
		{usage, "scx_qmap: invalid option -- 'Z'"},
		{"libbpf: prog 'x': failed to load\n[SCX_BUG] scx_qmap.c:120: Failed to attach struct_ops\n", "[SCX_BUG] scx_qmap.c:120: Failed to attach struct_ops"},
		{"DEBUG DUMP\n...\nEXIT: scx_bpf_error (init from non-central CPU)\nstats\n", "EXIT: scx_bpf_error (init from non-central CPU)"},
		{"sched_ext_ops.dump() missing, kernel too old?\n", "sched_ext_ops.dump() missing, kernel too old?"},
		{"one\ntwo\n\n", "two"},
		{"", ""},
	} {
		if got := loaderLastWords(tc.out); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.out, got, tc.want)
		}
	}
}

// FuzzSchedExitParsers feeds the kernel-log and loader-output parsers
// anything: they must not panic, and what they accept must be consistent.
func FuzzSchedExitParsers(f *testing.F) {
	f.Add(`6,1,2,-;sched_ext: BPF scheduler "qmap" disabled (runnable task stall)`)
	f.Add(`sched_ext: qmap: sleep[136] failed to run for 7.155s`)
	f.Add("EXIT: scx_bpf_error (test triggering error)")
	f.Add("DEBUG DUMP\n=========\nk[1] triggered exit kind 1025:\n=========\n")
	f.Add(`3,4,5,-;x\x4`)
	f.Fuzz(func(t *testing.T, s string) {
		if r, ok := parseKmsgRecord([]byte(s)); ok && (r.TS < 0 || r.Level > 7) {
			t.Fatalf("record %+v", r)
		}
		if l, ok := parseSchedExtLine(s); ok && (!strings.HasPrefix(s, "sched_ext: ") || !strings.Contains(s, l.Name) || !strings.Contains(s, l.Reason) || !strings.Contains(s, l.Msg)) {
			t.Fatalf("line %+v from %q", l, s)
		}
		if r, m, ok := parseLoaderExit(s); ok && (!strings.Contains(s, r) || !strings.Contains(s, m)) {
			t.Fatalf("exit %q %q from %q", r, m, s)
		}
		if v, d, ok := parseStall(s); ok && (d < 0 || v != nil && !strings.HasPrefix(s, v.Comm)) {
			t.Fatalf("stall %+v %v from %q", v, d, s)
		}
		if d, _ := extractDebugDump(s); d != "" && !strings.Contains(d, dumpHeader) {
			t.Fatalf("dump %q", d)
		}
		if w := loaderLastWords(s); !strings.Contains(s, w) {
			t.Fatalf("last words %q not in %q", w, s)
		}
	})
}
