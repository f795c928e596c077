package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	golden_ "github.com/gauntlet-sched/gauntlet/internal/golden"
	"github.com/gauntlet-sched/gauntlet/spec"
)

const pkg = "example.com/sched"

// fixtureCases are one case per outcome, with outputs recorded from real
// `go test -v` runs (testdata/regen.sh).
func fixtureCases(t *testing.T) []Case {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	vm := func(c Case) Case {
		c.Package, c.Accel, c.Boot, c.TestTime, c.Total = pkg, "tcg", 5200*time.Millisecond, 2100*time.Millisecond, 7500*time.Millisecond
		return c
	}
	return []Case{
		vm(Case{Test: "TestPass", Variant: "TestPass", Topology: "1n1l2c1t", Outcome: spec.OutcomePass, Output: read("pass.out"),
			Properties: []Property{{"max_gap_ms", "12"}}}),
		vm(Case{Test: "TestPass", Variant: "TestPass/tiny-2llc/llc+steal", Preset: "tiny-2llc", Profile: "llc+steal", Topology: "1n2l2c1t", Outcome: spec.OutcomePass, Output: read("pass.out")}),
		vm(Case{Test: "TestFail", Variant: "TestFail/smt-2llc/default", Preset: "smt-2llc", Profile: "default", Topology: "1n2l2c2t", Outcome: spec.OutcomeFail, Output: read("fail.out")}),
		vm(Case{Test: "TestSkip", Variant: "TestSkip", Topology: "1n1l2c1t", Outcome: spec.OutcomeSkip, Output: read("skip.out")}),
		vm(Case{Test: "TestPanic", Variant: "TestPanic/tiny-1llc/default", Preset: "tiny-1llc", Profile: "default", Topology: "1n1l4c1t", Outcome: spec.OutcomeCrash,
			Message: "test process crashed: panic: assignment to entry in nil map", Output: read("panic.out")}),
		vm(Case{Test: "TestHang", Variant: "TestHang", Topology: "1n1l2c1t", Outcome: spec.OutcomeTimeout, Message: "timed out after 40s",
			Output: []byte("=== RUN   TestHang\n"), ConsoleTail: "[    3.1] gauntlet: init reached\n"}),
		vm(Case{Test: "TestInit", Variant: "TestInit", Topology: "1n1l2c1t", Outcome: spec.OutcomeKernelPanic, Message: "Kernel panic - not syncing: Attempted to kill init!",
			ConsoleTail: "[    3.2] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n"}),
		{Package: pkg, Test: "TestHostOnly", Variant: "TestHostOnly", Outcome: spec.OutcomePass, Output: []byte("=== RUN   TestHostOnly\n--- PASS: TestHostOnly (0.00s)\n")},
		// Outputs of real VM runs (gauntlet run ./testdata/example), with
		// the guest's structured result line.
		vm(Case{Test: "TestTwoCgroups", Variant: "TestTwoCgroups", Topology: "1n1l2c1t", Outcome: spec.OutcomePass, Output: read("guest-pass.out")}),
		vm(Case{Test: "TestSchedExtSteady", Variant: "TestSchedExtSteady", Topology: "1n1l2c1t", Outcome: spec.OutcomeSkip, Output: read("guest-skip.out")}),
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden_.Check(t, filepath.Join("testdata", name), got)
}

func TestJUnitGolden(t *testing.T) {
	suites := JUnit(fixtureCases(t), "host1", time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	var buf bytes.Buffer
	if err := suites.WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "junit.golden.xml", buf.Bytes())
}

func TestJUnitClassifies(t *testing.T) {
	suites := JUnit(fixtureCases(t), "h", time.Time{})
	if len(suites.Suites) != 1 {
		t.Fatalf("want 1 suite (one package), got %d", len(suites.Suites))
	}
	s := suites.Suites[0]
	byName := map[string]Testcase{}
	for _, tc := range s.Testcases {
		byName[tc.Name] = tc
	}
	checks := []struct {
		name, kind, msg string
	}{
		{"TestPass/tiny-2llc/llc+steal", "pass", ""},
		{"TestPass/tiny-2llc/llc+steal/sub", "pass", ""},
		{"TestFail/smt-2llc/default", "failure", "stuck 3500ms on cpu1 at +1200ms"},
		{"TestFail/smt-2llc/default/sub", "failure", "sub broke"},
		{"TestSkip", "skipped", "kernel lacks sched_ext: /sys/kernel/sched_ext missing"},
		{"TestPanic/tiny-1llc/default", "error", "test process crashed: panic: assignment to entry in nil map"},
		{"TestHang", "error", "timed out after 40s"},
		{"TestInit", "error", "Kernel panic - not syncing: Attempted to kill init!"},
		{"TestHostOnly", "pass", ""},
		{"TestSchedExtSteady", "skipped", "kernel has no sched_ext (/sys/kernel/sched_ext missing): boot a kernel built with CONFIG_SCHED_CLASS_EXT=y, e.g. set GAUNTLET_SCX_KERNEL: not possible on this host"},
	}
	for _, c := range checks {
		tc, ok := byName[c.name]
		if !ok {
			t.Errorf("no testcase %q", c.name)
			continue
		}
		kind, msg := "pass", ""
		switch {
		case tc.Failure != nil:
			kind, msg = "failure", tc.Failure.Message
		case tc.Skipped != nil:
			kind, msg = "skipped", tc.Skipped.Message
		case tc.Error != nil:
			kind, msg = "error", tc.Error.Message
		}
		if kind != c.kind || msg != c.msg {
			t.Errorf("%s: got %s %q, want %s %q", c.name, kind, msg, c.kind, c.msg)
		}
	}
	if got := byName["TestInit"].Error; got == nil || got.Type != "kernel_panic" || !strings.Contains(got.Data, "Attempted to kill init") {
		t.Errorf("kernel panic error lacks type or console tail: %+v", got)
	}
	if s.Tests != 13 || s.Failures != 2 || s.Errors != 3 || s.Skipped != 2 {
		t.Errorf("totals tests=%d failures=%d errors=%d skipped=%d, want 13/2/3/2", s.Tests, s.Failures, s.Errors, s.Skipped)
	}
	if tc := byName["TestTwoCgroups"]; tc.Properties != nil || tc.SystemOut == nil || !strings.HasPrefix(tc.SystemOut.Data, "gauntlet: variant=TestTwoCgroups outcome=pass topology=1n1l2c1t accel=tcg") {
		t.Errorf("TestTwoCgroups: want its facts at the top of system-out and no testcase properties, got %+v", tc)
	}
	c, ours := caseFromTestcase(pkg, byName["TestTwoCgroups"])
	if !ours {
		t.Fatal("TestTwoCgroups is not recognised as gauntlet's own testcase")
	}
	props := map[string]string{}
	for _, p := range c.Properties {
		props[p.Name] = p.Value
	}
	for name, want := range map[string]string{
		"gauntlet.scheduler":            "eevdf",
		"gauntlet.threshold.max_gap_ms": "6000", "gauntlet.s0.cg_0.gap_cpu": props["gauntlet.s0.cg_0.gap_cpu"],
	} {
		if got, ok := props[name]; !ok || got != want {
			t.Errorf("property %s = %q (present %v), want %q", name, got, ok, want)
		}
	}
	if _, ok := props["gauntlet.s0.cg_1.work_units"]; !ok {
		t.Errorf("no per-cgroup statistics among the properties: %v", props)
	}
	// The XML must parse back.
	var buf bytes.Buffer
	if err := suites.WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	var back Suites
	if err := xml.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("JUnit output does not parse: %v", err)
	}
}

func TestTablesGolden(t *testing.T) {
	cases := fixtureCases(t)
	var buf bytes.Buffer
	if err := WriteTables(&buf, cases, true); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("\n" + Summary(cases, 95*time.Second) + "\n")
	golden(t, "tables.golden.txt", buf.Bytes())
}

func TestWriteTablesNoMatrix(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTables(&buf, nil, true); err != nil || buf.String() != "no test cases\n" {
		t.Errorf("no cases: %q, %v", buf.String(), err)
	}
	buf.Reset()
	if err := WriteTables(&buf, fixtureCases(t), false); err != nil || strings.Count(buf.String(), "+\n") != 3 {
		t.Errorf("matrix printed without matrix (%v):\n%s", err, buf.String())
	}
}

func TestSummary(t *testing.T) {
	pass := []Case{{Outcome: spec.OutcomePass}, {Outcome: spec.OutcomeSkip}}
	if got, want := Summary(pass, time.Minute), "PASS: 1 of 2 variants passed, 1 skipped, wall 1m0s"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	fail := append(pass, Case{Outcome: spec.OutcomeTimeout}, Case{Outcome: spec.OutcomeFail})
	if got, want := Summary(fail, time.Minute), "FAIL: 2 of 4 variants failed (1 fail, 1 timeout), 1 skipped, wall 1m0s"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	notRun := append(pass, Case{Outcome: spec.OutcomeNotRun, Message: "cancelled before it started"})
	if got, want := Summary(notRun, time.Minute), "PASS: 1 of 3 variants passed, 2 skipped (1 not run), wall 1m0s"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}

func TestXMLCleansControlBytes(t *testing.T) {
	c := Case{Package: pkg, Test: "TestX", Variant: "TestX", Outcome: spec.OutcomeCrash, Output: []byte("boom\x00\x1b[31m\n")}
	var buf bytes.Buffer
	s := JUnit([]Case{c}, "", time.Time{})
	if err := s.WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	var back Suites
	if err := xml.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("control bytes broke the XML: %v", err)
	}
}

func TestJUnitRoundTrip(t *testing.T) {
	cases := fixtureCases(t)
	var buf bytes.Buffer
	s := JUnit(cases, "h", time.Time{})
	if err := s.WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJUnit(&buf, "junit.xml")
	if err != nil {
		t.Fatal(err)
	}
	got := CasesFromJUnit(back)
	if len(got) != len(cases) {
		t.Fatalf("read back %d cases, want %d (subtests folded into variants)", len(got), len(cases))
	}
	for i, c := range cases {
		g := got[i]
		if g.Variant != c.Variant || g.Outcome != c.Outcome || g.Topology != c.Topology || g.Accel != c.Accel || g.Boot != c.Boot || g.Preset != c.Preset {
			t.Errorf("case %d: read back %+v, want variant=%s outcome=%s topology=%s accel=%s boot=%s preset=%s",
				i, g, c.Variant, c.Outcome, c.Topology, c.Accel, c.Boot, c.Preset)
		}
	}
}

func TestMergeJUnitShards(t *testing.T) {
	cases := fixtureCases(t)
	a := JUnit(cases[:3], "h", time.Time{})
	b := JUnit(cases[3:], "h", time.Time{})
	all := JUnit(cases, "h", time.Time{})
	m := MergeJUnit(a, b)
	if m.Tests != all.Tests || m.Failures != all.Failures || m.Errors != all.Errors || m.Skipped != all.Skipped || len(m.Suites) != 1 {
		t.Fatalf("merged totals %d/%d/%d/%d in %d suites, want %d/%d/%d/%d in 1",
			m.Tests, m.Failures, m.Errors, m.Skipped, len(m.Suites), all.Tests, all.Failures, all.Errors, all.Skipped)
	}
	// The same variant passing in a re-run shard does not hide its failure.
	rerun := cases[2]
	rerun.Outcome, rerun.Output = spec.OutcomePass, nil
	for _, order := range [][]Suites{{m, JUnit([]Case{rerun}, "h", time.Time{})}, {JUnit([]Case{rerun}, "h", time.Time{}), m}} {
		got := MergeJUnit(order...)
		if got.Tests != all.Tests || got.Failures != all.Failures {
			t.Errorf("after a passing re-run: tests=%d failures=%d, want %d and %d (the failure kept)", got.Tests, got.Failures, all.Tests, all.Failures)
		}
	}
}

func TestReadJUnitErrors(t *testing.T) {
	for name, in := range map[string]string{
		"garbage":    "not xml at all",
		"wrong root": "<html><body/></html>",
		"truncated":  "<testsuites><testsuite name=\"x\">",
	} {
		if _, err := ReadJUnit(strings.NewReader(in), "in.xml"); err == nil || !strings.Contains(err.Error(), "in.xml") {
			t.Errorf("%s: err = %v, want an error naming in.xml", name, err)
		}
	}
	one := `<testsuite name="p" tests="9"><testcase name="TestA" classname="p"><failure message="x"/></testcase></testsuite>`
	s, err := ReadJUnit(strings.NewReader(one), "one.xml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Tests != 1 || s.Failures != 1 {
		t.Errorf("lone testsuite: tests=%d failures=%d, want recounted 1 and 1", s.Tests, s.Failures)
	}
	if c := CasesFromJUnit(s); len(c) != 1 || c[0].Outcome != spec.OutcomeFail || !c[0].Host() {
		t.Errorf("foreign testcase read as %+v, want one failed host case", c)
	}
}

func TestHostCases(t *testing.T) {
	out, err := os.ReadFile("testdata/fail.out")
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := os.ReadFile("testdata/pass.out")
	out = append(pass, out...)
	cases := HostCases(pkg, out, []string{"TestPass", "TestFail", "TestMissing"})
	want := []spec.Outcome{spec.OutcomePass, spec.OutcomeFail, spec.OutcomeCrash}
	for i, c := range cases {
		if c.Outcome != want[i] || !c.Host() {
			t.Errorf("%s: outcome %s host=%v, want %s host=true", c.Test, c.Outcome, c.Host(), want[i])
		}
	}
	if got := cases[1].Detail(); got != "stuck 3500ms on cpu1 at +1200ms" {
		t.Errorf("detail of failed host test = %q", got)
	}
}

// TestNotRunIsSkipped: a variant that never started is a JUnit skip with
// its reason, no failure, and reads back as not run.
func TestNotRunIsSkipped(t *testing.T) {
	c := Case{Package: pkg, Test: "TestX", Variant: "TestX", Topology: "1n1l2c1t", Accel: "tcg",
		Outcome: spec.OutcomeNotRun, Message: "cancelled before it started"}
	s := JUnit([]Case{c}, "h", time.Time{})
	tc := s.Suites[0].Testcases[0]
	if tc.Skipped == nil || tc.Skipped.Message != "not run: cancelled before it started" || tc.Error != nil || tc.Failure != nil {
		t.Errorf("not-run testcase %+v, want skipped with the reason", tc)
	}
	if s.Failures != 0 || s.Errors != 0 || s.Skipped != 1 {
		t.Errorf("totals failures=%d errors=%d skipped=%d, want 0/0/1", s.Failures, s.Errors, s.Skipped)
	}
	if got := CasesFromJUnit(s); len(got) != 1 || got[0].Outcome != spec.OutcomeNotRun {
		t.Errorf("read back %+v, want not run", got)
	}
}

// TestCasesFromJUnitOldSpelling: JUnit written with the VM runner's old
// outcome spellings ("kernel-panic") still reads as those outcomes.
func TestCasesFromJUnitOldSpelling(t *testing.T) {
	in := `<testsuites><testsuite name="p"><testcase name="TestA" classname="p">` +
		`<error message="boom" type="kernel-panic">gauntlet: variant=TestA outcome=kernel-panic topology=1n1l2c1t accel=tcg` + "\n" +
		`</error></testcase><testcase name="TestB" classname="p"><error message="late" type="timed-out"></error></testcase></testsuite></testsuites>`
	s, err := ReadJUnit(strings.NewReader(in), "old.xml")
	if err != nil {
		t.Fatal(err)
	}
	got := CasesFromJUnit(s)
	if len(got) != 2 || got[0].Outcome != spec.OutcomeKernelPanic || got[1].Outcome != spec.OutcomeTimeout {
		t.Errorf("old spellings read as %+v", got)
	}
}

func TestJUnitFailureTypeIsSchedulerExitKind(t *testing.T) {
	exit := &spec.SchedulerExit{Scheduler: "qmap", Attached: true, Kind: spec.ExitBPFError, Reason: "scx_bpf_error",
		Message: "test triggering error", AfterAttach: 1200 * time.Millisecond}
	res := spec.Result{Test: "TestScx", Outcome: spec.OutcomeFail, Message: exit.String(), SchedulerExit: exit}
	line, _ := res.Line()
	out := "=== RUN   TestScx\n" + line + "\n    x_test.go:9: " + exit.String() + "\n--- FAIL: TestScx (3.00s)\nFAIL\n"
	c := Case{Package: "example", Test: "TestScx", Variant: "TestScx", Topology: "1n1l2c1t", Accel: "tcg", Outcome: spec.OutcomeFail, Output: []byte(out)}
	tc := testcases(c)[0]
	if tc.Failure == nil || tc.Failure.Type != "scx_bpf_error" || tc.Failure.Message != "scheduler qmap ejected after 1.2s: scx_bpf_error: test triggering error" {
		t.Errorf("failure %+v", tc.Failure)
	}
	if !strings.Contains(tc.SystemOut.Data, "gauntlet.property: gauntlet.scheduler_exit.kind=1025\n") {
		t.Errorf("facts lack the exit kind:\n%s", tc.SystemOut.Data)
	}
	exit.Attached, exit.Kind, exit.Reason = false, 0, ""
	line, _ = (spec.Result{Test: "TestScx", Outcome: spec.OutcomeFail, SchedulerExit: exit}).Line()
	c.Output = []byte("=== RUN   TestScx\n" + line + "\n--- FAIL: TestScx (3.00s)\n")
	if tc := testcases(c)[0]; tc.Failure.Type != "scheduler_not_attached" {
		t.Errorf("attach failure type %q", tc.Failure.Type)
	}
}

// Variants of several kernels keep their kernel through JUnit (the
// facts' kernel_label; names ending in /KERNEL parse back), and the
// tables show it.
func TestKernelsInJUnitAndTables(t *testing.T) {
	out := []byte("=== RUN   TestA\n--- PASS: TestA (0.10s)\nPASS\n")
	var cases []Case
	for _, k := range []string{"6.12.117-deb12", "6.12.117-scx"} {
		cases = append(cases,
			Case{Package: pkg, Test: "TestA", Variant: "TestA/" + k, Topology: "1n1l2c1t", Accel: "tcg", KernelLabel: k, Outcome: spec.OutcomePass, Output: out},
			Case{Package: pkg, Test: "TestA", Variant: "TestA/tiny-1llc/default/" + k, Topology: "1n1l4c1t", Accel: "tcg", KernelLabel: k, Outcome: spec.OutcomePass, Output: out})
	}
	var buf bytes.Buffer
	if err := JUnit(cases, "h", time.Time{}).WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "gauntlet: variant=TestA/tiny-1llc/default/6.12.117-scx outcome=pass topology=1n1l4c1t accel=tcg kernel_label=6.12.117-scx") {
		t.Errorf("JUnit lacks the kernel label in the facts:\n%s", buf.String())
	}
	back, err := ReadJUnit(&buf, "junit.xml")
	if err != nil {
		t.Fatal(err)
	}
	got := CasesFromJUnit(back)
	if len(got) != len(cases) {
		t.Fatalf("read back %d cases, want %d", len(got), len(cases))
	}
	for i, g := range got {
		want := cases[i]
		if g.Variant != want.Variant || g.KernelLabel != want.KernelLabel || g.Test != "TestA" {
			t.Errorf("read back %s on %q (test %s), want %s on %s", g.Variant, g.KernelLabel, g.Test, want.Variant, want.KernelLabel)
		}
	}
	if p, prof := presetOf("TestA/tiny-1llc/default/6.12", "6.12"); p != "tiny-1llc" || prof != "default" {
		t.Errorf("presetOf: %s %s", p, prof)
	}
	var tables bytes.Buffer
	if err := WriteTables(&tables, cases, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| kernel ", "| 6.12.117-scx ", "sched.TestA 6.12.117-deb12"} {
		if !strings.Contains(tables.String(), want) {
			t.Errorf("tables lack %q:\n%s", want, tables.String())
		}
	}
}
