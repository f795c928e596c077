package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// verifierCases are three variants of a qmap test (two profiles, the
// second on two topologies whose counts differ) and one EEVDF variant.
func verifierCases(t *testing.T) []Case {
	progs := func(enqueue uint32) []spec.BPFProgram {
		return []spec.BPFProgram{
			{ID: 3, Name: "qmap_init", Type: "Syscall", VerifiedInsns: 40},
			{ID: 4, Name: "qmap_enqueue", Type: "StructOps", VerifiedInsns: enqueue},
			{ID: 5, Name: "qmap_dispatch", Type: "StructOps", VerifiedInsns: 2100},
			{ID: 9, Name: "qmap_init", Type: "Syscall", VerifiedInsns: 12},
		}
	}
	mk := func(variant, preset, profile, sched string, ps []spec.BPFProgram) Case {
		r := spec.Result{Test: "TestQ", Variant: variant, Outcome: spec.OutcomePass, Scheduler: sched, BPFPrograms: ps}
		line, err := r.Line()
		if err != nil {
			t.Fatal(err)
		}
		out := fmt.Sprintf("=== RUN   TestQ\n%s\n--- PASS: TestQ (2.00s)\nPASS\n", line)
		return Case{Package: "example.com/q", Test: "TestQ", Variant: variant, Preset: preset, Profile: profile,
			Topology: "1n1l2c1t", Accel: "tcg", Outcome: spec.OutcomePass, Output: []byte(out), Boot: time.Second, TestTime: time.Second, Total: 2 * time.Second}
	}
	return []Case{
		mk("TestQ", "", "default", "qmap", progs(900)),
		mk("TestQ/tiny-1llc/batch", "tiny-1llc", "batch", "qmap", progs(950)),
		mk("TestQ/tiny-2llc/batch", "tiny-2llc", "batch", "qmap", append(progs(1000)[:3], spec.BPFProgram{ID: 31, Name: "qmap_init", Type: "Syscall", VerifiedInsns: 12})),
		mk("TestQ/tiny-2llc/default", "tiny-2llc", "default", "eevdf", nil),
	}
}

// TestWriteVerifierGolden: regenerate with
// go test ./report -run TestWriteVerifierGolden -update
func TestWriteVerifierGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteVerifier(&buf, verifierCases(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "verifier.golden.txt", buf.Bytes())
	for _, l := range strings.Split(buf.String(), "\n") {
		if n := len([]rune(l)); n > 120 {
			t.Errorf("line of %d columns, want at most 120: %s", n, l)
		}
	}
}

// TestWriteVerifierFromJUnit: `gauntlet report` prints the same table
// from the JUnit properties as `gauntlet run` from the guest results.
func TestWriteVerifierFromJUnit(t *testing.T) {
	cases := verifierCases(t)
	var want, xml, got bytes.Buffer
	WriteVerifier(&want, cases)
	if err := JUnit(cases, "h", time.Time{}).WriteXML(&xml); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJUnit(&xml, "junit.xml")
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteVerifier(&got, CasesFromJUnit(back)); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("from JUnit:\n%s\nfrom the results:\n%s", &got, &want)
	}
	var tables bytes.Buffer
	WriteTables(&tables, CasesFromJUnit(back), false)
	if !strings.Contains(tables.String(), "| qmap      | batch   | qmap_dispatch") {
		t.Errorf("WriteTables lacks the verifier table:\n%s", &tables)
	}
}

func TestWriteVerifierNone(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteVerifier(&buf, verifierCases(t)[3:]); err != nil || buf.Len() != 0 {
		t.Errorf("no programs: printed %q, %v", &buf, err)
	}
}
