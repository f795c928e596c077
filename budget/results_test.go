package budget

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

func sampleResults() *Results {
	t1 := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
	t2 := topo.Topology{NUMA: 1, LLCs: 2, CoresPerLLC: 2, ThreadsPerCore: 2}
	return &Results{
		Version: ResultsVersion,
		RunID:   "20261126-120000-1",
		Started: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		Host:    Host{CPUs: 2, MemoryMiB: 24576, Accel: spec.AccelTCG},
		Accel:   spec.AccelTCG,
		Variants: []VariantResult{
			{Package: "example.com/m/sched", Test: "TestFair", Variant: "TestFair", Profile: "default", Topology: t1, VCPUs: 2, HostCPUs: 2, Accel: spec.AccelTCG, BootS: 5.2, TestS: 3.1, TotalS: 8.9, Outcome: spec.OutcomePass},
			{Package: "example.com/m/sched", Test: "TestFair", Variant: "TestFair/smt-2llc/llc", Preset: "smt-2llc", Profile: "llc", Topology: t2, VCPUs: 8, HostCPUs: 1, Accel: spec.AccelTCG, Kernel: "6.12", BootS: 8.4, TestS: 3.3, TotalS: 12.3, Outcome: spec.OutcomeFail},
			{Package: "example.com/m/sched", Test: "TestStuck", Variant: "TestStuck", Profile: "default", Topology: t1, VCPUs: 2, Accel: spec.AccelTCG, BootS: 5.1, TestS: 0, TotalS: 31, Outcome: spec.OutcomeTimeout},
		},
	}
}

// TestResultsGolden pins the results.json format. Regenerate with
//
//	go test ./budget -run TestResultsGolden -update
func TestResultsGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteResults(&buf, sampleResults()); err != nil {
		t.Fatal(err)
	}
	golden(t, "results.json", buf.String())
	got, err := ReadResults(bytes.NewReader(buf.Bytes()), "results.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sampleResults()) {
		t.Errorf("round trip changed the results:\n got %+v\nwant %+v", got, sampleResults())
	}
}

// HeldCPUs is the recorded host_cpus, or for files written before it the
// planner's weight of the topology on the run's host.
func TestHeldCPUs(t *testing.T) {
	res := sampleResults()
	t8 := res.Variants[1].Topology
	for _, tc := range []struct {
		name string
		v    VariantResult
		h    Host
		want int
	}{
		{"recorded", res.Variants[0], res.Host, 2},
		{"recorded single-threaded", res.Variants[1], res.Host, 1},
		{"recorded more than the host has: the host's", VariantResult{HostCPUs: 8}, Host{CPUs: 2}, 2},
		{"recorded, host CPUs unknown", VariantResult{HostCPUs: 8}, Host{}, 8},
		{"old file: 2 vCPUs multi-threaded TCG on 2 CPUs hold both", res.Variants[2], res.Host, 2},
		{"old file: 8 vCPUs single-threaded TCG hold one", VariantResult{Topology: t8}, res.Host, 1},
		{"old file: 8 vCPUs under KVM on 4 CPUs hold 4", VariantResult{Topology: t8}, Host{CPUs: 4, Accel: spec.AccelKVM}, 4},
	} {
		if got := tc.v.HeldCPUs(tc.h); got != tc.want {
			t.Errorf("%s: HeldCPUs = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestReadResultsOldOutcomes: results written with the VM runner's old
// spellings ("timed-out", "passed") still load, as their outcomes.
func TestReadResultsOldOutcomes(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	old := strings.NewReplacer(`"outcome": "pass"`, `"outcome": "passed"`, `"outcome": "timeout"`, `"outcome": "timed-out"`).Replace(string(good))
	got, err := ReadResults(strings.NewReader(old), "old.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sampleResults()) {
		t.Errorf("old spellings read as %+v", got.Variants)
	}
}

func TestReadResultsRejectsGarbage(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !strings.Contains(string(good), old) {
			t.Fatalf("golden results.json lacks %q", old)
		}
		return strings.Replace(string(good), old, new, 1)
	}
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "not a results.json: unexpected end of JSON input"},
		{"not json", "PASS\nok  \texample.com/m 1.2s\n", "not a results.json: invalid character"},
		{"a list", "[]", "not a results.json"},
		{"no version", `{"run_id":"x"}`, `no "version" field`},
		{"future version", `{"version":2,"whatever":true}`, "version 2 is not supported; this gauntlet reads version 1"},
		{"trailing data", string(good) + "{}", "not a results.json: invalid character '{' after top-level value"},
		{"wrong type", edit(`"vcpus": 2,`, `"vcpus": "two",`), `field "variants.vcpus": want a number, got a JSON string`},
		{"bad topology", edit(`"topology": "1n1l2c1t"`, `"topology": "1n0l2c1t"`), "LLCs must be at least 1"},
		{"bad outcome", edit(`"outcome": "pass"`, `"outcome": "ok"`), `variant 0 ("TestFair"): outcome "ok" is not one of pass, fail, skip, crash, kernel_panic, timeout, qemu_failed, accel_unusable, not_run, inconclusive`},
		{"vcpus mismatch", edit(`"vcpus": 8,`, `"vcpus": 4,`), `variant 1 ("TestFair/smt-2llc/llc"): vcpus 4 does not match topology 1n2l2c2t (8 CPUs)`},
		{"negative time", edit(`"boot_s": 5.2,`, `"boot_s": -5.2,`), "boot_s is -5.2; want a duration in seconds"},
		{"bad accel", edit(`"accel": "tcg",
  "variants"`, `"accel": "xen",
  "variants"`), `accel "xen"; want "kvm" or "tcg"`},
		{"no run id", edit(`"run_id": "20261126-120000-1"`, `"run_id": ""`), `empty "run_id"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadResults(strings.NewReader(c.in), "runs/r1/results.json")
			if err == nil {
				t.Fatalf("accepted garbage")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "results runs/r1/results.json: ") || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q; want one line naming the file and containing %q", msg, c.want)
			}
		})
	}
}

func TestWriteResultsValidates(t *testing.T) {
	r := sampleResults()
	r.Variants[0].Outcome = "ok"
	if err := WriteResults(&bytes.Buffer{}, r); err == nil || !strings.Contains(err.Error(), `outcome "ok"`) {
		t.Errorf("WriteResults of a bad outcome: %v", err)
	}
}

func FuzzReadResults(f *testing.F) {
	good, err := os.ReadFile(filepath.Join("testdata", "results.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"run_id":"r","host":{"cpus":1},"accel":"kvm","variants":[{}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := ReadResults(bytes.NewReader(in), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "results fuzz: ") {
				t.Errorf("error does not name the input: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteResults(&buf, r); err != nil {
			t.Fatalf("accepted results do not write back: %v", err)
		}
		again, err := ReadResults(&buf, "again")
		if err != nil {
			t.Fatalf("written results do not read back: %v", err)
		}
		if !r.Started.Equal(again.Started) {
			t.Errorf("round trip changed the start time: %v, then %v", r.Started, again.Started)
		}
		again.Started = r.Started // same instant; the location may differ
		if !reflect.DeepEqual(r, again) {
			t.Errorf("round trip changed the results:\n%+v\n%+v", r, again)
		}
		NewHistory(r, again) // must not panic
	})
}

func TestMergeResults(t *testing.T) {
	tp := topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 2, ThreadsPerCore: 1}
	run := func(id string, at int, variants ...string) *Results {
		r := &Results{Version: ResultsVersion, RunID: id, Started: time.Unix(int64(at), 0).UTC(), Host: Host{CPUs: 2, MemoryMiB: 1024}, Accel: "tcg"}
		for _, v := range variants {
			r.Variants = append(r.Variants, VariantResult{Package: "p", Test: "TestA", Variant: v, Topology: tp, VCPUs: 2, Accel: "tcg", BootS: 2, TestS: 2, TotalS: 4, Outcome: spec.OutcomePass})
		}
		return r
	}
	a, b := run("shard1", 10, "TestA"), run("shard2", 5, "TestA/tiny-2llc/default", "TestA/smt-2llc/default")
	for _, in := range [][]*Results{{a, b}, {b, a}, {a, b, a}} {
		m := MergeResults(in...)
		if err := m.Validate(); err != nil {
			t.Fatalf("merged results do not validate: %v", err)
		}
		var names []string
		for _, v := range m.Variants {
			names = append(names, v.Variant)
		}
		if m.RunID != "shard2+shard1" || !m.Started.Equal(b.Started) || strings.Join(names, ",") != "TestA/tiny-2llc/default,TestA/smt-2llc/default,TestA" {
			t.Errorf("merge of %d runs: id %q started %v variants %v", len(in), m.RunID, m.Started, names)
		}
	}
	if MergeResults() != nil {
		t.Error("merge of nothing is not nil")
	}
}
