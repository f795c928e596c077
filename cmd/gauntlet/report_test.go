package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/report"
)

func TestReportFailingShard(t *testing.T) {
	code, out, _ := gauntlet(t, "report", "testdata/report/shard1.xml")
	if code != exitFail {
		t.Errorf("exit %d, want %d for a failed testcase", code, exitFail)
	}
	for _, want := range []string{"TestA/tiny-2llc/default", "stuck 3500ms on cpu1 at +1200ms", "tiny-2llc", "FAIL: 1 of 2 variants failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestReportMergeRerun(t *testing.T) {
	merged := filepath.Join(t.TempDir(), "merged.xml")
	code, out, errs := gauntlet(t, "report", "--junit", merged, "testdata/report/shard1.xml", "testdata/report/shard2.xml")
	if code != exitPass {
		t.Fatalf("exit %d, want 0 once the re-run shard passes; stderr: %s\n%s", code, errs, out)
	}
	f, err := os.Open(merged)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := report.ReadJUnit(f, merged)
	if err != nil {
		t.Fatal(err)
	}
	if s.Tests != 2 || s.Failures != 0 {
		t.Errorf("merged: tests=%d failures=%d, want 2 and 0", s.Tests, s.Failures)
	}
}

func TestReportBadInput(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(garbage, []byte("{not xml"), 0o644)
	for name, args := range map[string][]string{
		"no input": {"report"},
		"missing":  {"report", "nosuch.xml"},
		"garbage":  {"report", garbage},
		"bad flag": {"report", "--nosuch", "x.xml"},
	} {
		code, out, errs := gauntlet(t, args...)
		lines := strings.Count(strings.TrimSpace(errs), "\n") + 1
		if code != exitSetup || lines != 1 || out != "" {
			t.Errorf("%s: exit %d, stderr %q (%d lines), stdout %q; want exit 2 and one line", name, code, errs, lines, out)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	code, out, stderr := gauntlet(t, "repotr", "x")
	if code != exitSetup || out != "" || !strings.Contains(stderr, `unknown command "repotr"`) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line naming the command", code, out, stderr)
	}
}
