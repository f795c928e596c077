package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// TestPresetsGolden: the table for a 2-CPU, 24 GiB host.
func TestPresetsGolden(t *testing.T) {
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
	withHost(t, hostInfo{CPUs: 4, MemoryMiB: 8192})
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"presets", "--oversubscribe", "2"}, &out, &errb)
	if code != 0 || errb.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"| tiny-1llc ", "| numa4-12llc ", "| smt-2llc ", "2 threads", "no: 9 vCPUs > 8 (4 host CPUs x oversubscription 2)", "7 of 28 presets fit this host"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

func TestPresetsBadInput(t *testing.T) {
	withHost(t, hostInfo{CPUs: 2, MemoryMiB: 8192})
	for _, args := range [][]string{{"presets", "extra"}, {"presets", "--oversubscribe", "-1"}, {"presets", "--oversubscribe", "x"}} {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb)
		if code != 2 || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

func TestPresetsHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"presets", "-h"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "Examples:") {
		t.Fatalf("exit %d, help:\n%s", code, out.String())
	}
}

// withHost makes the commands see host h for the rest of the test.
func withHost(t *testing.T, h hostInfo) {
	t.Helper()
	old := planHost
	planHost = func() (hostInfo, error) { return h, nil }
	t.Cleanup(func() { planHost = old })
}
