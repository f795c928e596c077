package expand

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/internal/golden"
)

// Regenerate the golden files with
//
//	go test ./expand -run 'TestParseList' -update
//
// and the recorded `go test -list -json` inputs (then the goldens) with
//
//	go test ./expand -run 'TestParseList' -record -update
var (
	record = flag.Bool("record", false, "re-record go test -list -json outputs in testdata/list")
)

// listCases are the recorded listings: the patterns are run from the
// expand directory.
var listCases = []struct {
	name     string
	patterns []string
}{
	{"several", []string{"./testdata/fixture/..."}},
	{"buildfail", []string{"./testdata/bad/broken", "./testdata/fixture/plain"}},
	{"setupfail", []string{"./testdata/nosuch"}},
	{"listcrash", []string{"./testdata/bad/listcrash"}},
}

func TestParseListGolden(t *testing.T) {
	for _, c := range listCases {
		t.Run(c.name, func(t *testing.T) {
			in := filepath.Join("testdata", "list", c.name+".jsonl")
			if *record {
				recordList(t, in, c.patterns)
			}
			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pkgs, err := ParseList(f)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "list", c.name+".golden"), renderPackages(pkgs))
		})
	}
}

func recordList(t *testing.T, path string, patterns []string) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"test", "-list", ".", "-json"}, patterns...)...)
	cmd.Env = append(os.Environ(), buildEnv...)
	out, _ := cmd.Output() // a failing package makes go exit 1
	if len(out) == 0 {
		t.Fatalf("go test -list %v printed nothing", patterns)
	}
	// Recorded files hold no path of the machine that recorded them.
	if wd, err := os.Getwd(); err == nil {
		out = bytes.ReplaceAll(out, []byte(filepath.Dir(wd)+"/"), []byte("REPO/"))
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// renderPackages prints what ParseList found, one stable JSON document.
func renderPackages(pkgs []*Package) []byte {
	type row struct {
		ImportPath string
		Tests      []string `json:",omitempty"`
		Err        string   `json:",omitempty"`
		Detail     string   `json:",omitempty"`
	}
	var rows []row
	for _, p := range pkgs {
		r := row{ImportPath: p.ImportPath, Tests: p.Tests}
		if p.Err != nil {
			r.Err, r.Detail = p.Err.Error(), p.Err.Detail
		}
		rows = append(rows, r)
	}
	b, _ := json.MarshalIndent(rows, "", "\t")
	return append(b, '\n')
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got)
}

// TestParseListSemantics checks the recorded listings beyond the golden
// text: which packages failed how, and that benchmarks are not tests.
func TestParseListSemantics(t *testing.T) {
	pkgs := parseRecorded(t, "several")
	byName := map[string]*Package{}
	for _, p := range pkgs {
		byName[filepath.Base(p.ImportPath)] = p
	}
	if len(pkgs) != 3 || byName["empty"] == nil || len(byName["empty"].Tests) != 0 || byName["empty"].Err != nil {
		t.Fatalf("several: want 3 packages, empty without tests or error: %s", renderPackages(pkgs))
	}
	if got := strings.Join(byName["plain"].Tests, ","); got != "TestAdd,TestLongOnly,TestFailsInShort,FuzzAdd,Example" {
		t.Errorf("plain tests = %s (benchmarks must be left out)", got)
	}
	broken := parseRecorded(t, "buildfail")
	var failed *Package
	for _, p := range broken {
		if p.Err != nil {
			failed = p
		}
	}
	if failed == nil || !errors.Is(failed.Err, ErrBuild) || !strings.Contains(failed.Err.Detail, `cannot use "not an int"`) || strings.Contains(failed.Err.Detail, "# ") {
		t.Fatalf("buildfail: %s", renderPackages(broken))
	}
	if lc := parseRecorded(t, "listcrash"); len(lc) != 1 || !errors.Is(lc[0].Err, ErrList) || !strings.Contains(lc[0].Err.Detail, "cannot open /nonexistent/config") {
		t.Fatalf("listcrash: %s", renderPackages(lc))
	}
	if sf := parseRecorded(t, "setupfail"); len(sf) != 1 || !errors.Is(sf[0].Err, ErrSetup) || !strings.Contains(sf[0].Err.Detail, "directory not found") {
		t.Fatalf("setupfail: %s", renderPackages(sf))
	}
}

func parseRecorded(t *testing.T, name string) []*Package {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "list", name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := ParseList(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func TestParseListGarbage(t *testing.T) {
	_, err := ParseList(strings.NewReader("{\"Action\":\"start\",\"Package\":\"p\"}\nnot json\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("garbage: %v", err)
	}
}

// FuzzParseList: never panics; every package it returns has a name.
func FuzzParseList(f *testing.F) {
	for _, c := range listCases {
		if b, err := os.ReadFile(filepath.Join("testdata", "list", c.name+".jsonl")); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pkgs, err := ParseList(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, p := range pkgs {
			if p.ImportPath == "" {
				t.Fatalf("package without import path from %q", b)
			}
		}
	})
}

// FuzzParseDescriptions: never panics; what it accepts has test names.
func FuzzParseDescriptions(f *testing.F) {
	f.Add([]byte(`{"test":"TestA","spec":{"topology":"1n1l2c1t","constraints":{}}}` + "\n"))
	f.Add([]byte("not json\n"))
	f.Add([]byte(`{"test":"","spec":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := ParseDescriptions(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.Test == "" {
				t.Fatalf("description without a test from %q", b)
			}
		}
	})
}

func TestParseDescriptions(t *testing.T) {
	ds, err := ParseDescriptions(strings.NewReader(`{"test":"TestA","spec":{"topology":"1n2l2c1t","duration_ns":5000000000,"constraints":{"min_llcs":2}}}` + "\n\n" + `{"test":"TestB/sub","spec":{"constraints":{}}}` + "\n"))
	if err != nil || len(ds) != 2 || ds[0].Spec.Topology != "1n2l2c1t" || ds[0].Spec.Constraints.MinLLCs != 2 || ds[1].Test != "TestB/sub" {
		t.Fatalf("ParseDescriptions = %+v, %v", ds, err)
	}
	for in, want := range map[string]string{
		"garbage\n":                        "line 1 is not a test description",
		`{"test":"A","spec":{},"extra":1}`: "line 1 is not a test description",
		"\n" + `{"spec":{}}`:               "line 2 has no test name",
	} {
		if _, err := ParseDescriptions(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseDescriptions(%q) = %v, want %q", in, err, want)
		}
	}
	if err := checkDescriptions(ds, []string{"TestA"}); err == nil || !strings.Contains(err.Error(), `"TestB/sub", which go test -list did not list`) {
		t.Errorf("unlisted test: %v", err)
	}
	if err := checkDescriptions(append(ds, ds[0]), []string{"TestA", "TestB"}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate: %v", err)
	}
}

func TestClassifyExit(t *testing.T) {
	ok := exec.Command("true").Run()
	fail := exec.Command("sh", "-c", "exit 1").Run()
	two := exec.Command("sh", "-c", "exit 2").Run()
	tests := []struct {
		err    error
		out    string
		failed bool
		crash  string
	}{
		{ok, "PASS\n", false, ""},
		{fail, "--- FAIL: TestX (0.00s)\nFAIL\n", true, ""},
		{fail, "setup went wrong\n", false, "crashed (exit status 1); last output: setup went wrong"},
		{two, "--- FAIL: TestX\npanic: boom [recovered]\n\ngoroutine 1\n", false, "crashed (exit status 2): panic: boom [recovered]"},
		{two, "", false, "crashed (exit status 2); last output: (none)"},
	}
	for _, tt := range tests {
		failed, crash := classifyExit(tt.err, []byte(tt.out))
		got := ""
		if crash != nil {
			got = crash.Error()
		}
		if failed != tt.failed || got != tt.crash {
			t.Errorf("classifyExit(%v, %q) = %v, %q; want %v, %q", tt.err, tt.out, failed, got, tt.failed, tt.crash)
		}
	}
}
