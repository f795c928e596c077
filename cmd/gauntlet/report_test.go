package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportFailingShard(t *testing.T) {
	t.Parallel()
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

func TestReportBadInput(t *testing.T) {
	t.Parallel()
	garbage := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(garbage, []byte("{not xml"), 0o644)
	for name, args := range map[string][]string{
		"no input": {"report"},
		"missing":  {"report", "nosuch.xml"},
		"garbage":  {"report", garbage},
		"bad flag": {"report", "--nosuch", "x.xml"},
		"results":  {"report", "--results", filepath.Join(t.TempDir(), "r.json"), "testdata/report/shard1.xml"},
	} {
		code, out, errs := gauntlet(t, args...)
		lines := strings.Count(strings.TrimSpace(errs), "\n") + 1
		if code != exitSetup || lines != 1 || out != "" {
			t.Errorf("%s: exit %d, stderr %q (%d lines), stdout %q; want exit 2 and one line", name, code, errs, lines, out)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	code, out, stderr := gauntlet(t, "repotr", "x")
	if code != exitSetup || out != "" || !strings.Contains(stderr, `unknown command "repotr"`) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line naming the command", code, out, stderr)
	}
}

func TestNearestNameHints(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"reprot x.xml":            `unknown command "reprot" (did you mean "report"?)`,
		"plan --budgte 5m":        "(did you mean --budget?)",
		"plan --presets tiny-2lc": `(did you mean "tiny-2llc"?)`,
	} {
		code, _, errs := gauntlet(t, strings.Fields(args)...)
		if code != exitSetup || !strings.Contains(errs, want) {
			t.Errorf("gauntlet %s: exit %d, stderr %q; want 2 and %q", args, code, errs, want)
		}
	}
}
