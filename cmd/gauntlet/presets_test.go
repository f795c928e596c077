package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/run"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// TestPresetsGolden: the table for a 2-CPU, 24 GiB host.
func TestPresetsGolden(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := writePresets(&b, topo.Presets(), topo.Capacity{CPUs: 2, MemoryMiB: 24 * 1024}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "presets.golden"), b.Bytes())
	if !strings.Contains(b.String(), "15 of 28 presets fit this host") {
		t.Errorf("summary line missing:\n%s", b.String())
	}
}

func TestPresetsCommand(t *testing.T) {
	t.Parallel()
	code, s, errs := gauntletOnHost(run.Host{CPUs: 4, MemoryMiB: 8192}, "presets", "--oversubscribe", "2")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"| tiny-1llc ", "| numa4-12llc ", "| smt-2llc ", "2 threads", "no: 9 vCPUs > 8 (4 host CPUs x oversubscription 2)", "7 of 28 presets fit this host"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

func TestPresetsBadInput(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"presets", "extra"}, {"presets", "--oversubscribe", "-1"}, {"presets", "--oversubscribe", "x"}} {
		code, _, errs := gauntletOnHost(run.Host{CPUs: 2, MemoryMiB: 8192}, args...)
		if code != 2 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
	}
}

func TestPresetsHelp(t *testing.T) {
	t.Parallel()
	if code, out, _ := gauntlet(t, "presets", "-h"); code != 0 || !strings.Contains(out, "Examples:") {
		t.Fatalf("exit %d, help:\n%s", code, out)
	}
}

// gauntletOnHost runs the CLI on a host with h's CPUs and memory.
func gauntletOnHost(h run.Host, args ...string) (code int, stdout, stderr string) {
	c, out, errb := testCLI()
	c.runner.Planner.Host = func() (run.Host, error) { return h, nil }
	return gauntletWith(c, out, errb, args...)
}
