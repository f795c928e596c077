package expand

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// twoCPUs is this development machine: 2 CPUs, 24 GiB.
var twoCPUs = Options{Capacity: topo.Capacity{CPUs: 2, MemoryMiB: 24 * 1024}}

var flagsSpec = spec.Description{Test: "TestFlags", Spec: spec.Spec{
	Topology:      "1n2l2c1t",
	Scheduler:     workedFlags,
	RequiredFlags: []string{"llc"},
	ExcludedFlags: []string{"borrow"},
	Constraints:   topo.Constraints{MaxCPUs: 16},
}}

// renderVariants prints one line per variant, for golden files.
func renderVariants(vs []Variant) []byte {
	var b bytes.Buffer
	for _, v := range vs {
		fmt.Fprintf(&b, "%-40s %-10s %4d MiB %-8s %s", v.Name, v.Topology, v.MemoryMiB, v.Profile.Name, v.Duration)
		if v.Excluded != "" {
			fmt.Fprintf(&b, "  %s: %s", v.Excluded, v.Reason)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// TestExpandSpecGolden: regenerate with go test ./expand -run TestExpandSpecGolden -update
func TestExpandSpecGolden(t *testing.T) {
	vs, err := ExpandSpec("example.com/p", flagsSpec, twoCPUs)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "matrix", "flags.golden"), renderVariants(vs))
}

func TestExpandSpecShape(t *testing.T) {
	vs, err := ExpandSpec("example.com/p", flagsSpec, twoCPUs)
	if err != nil {
		t.Fatal(err)
	}
	// base + 28 presets x 2 profiles (llc, llc+steal)
	if len(vs) != 1+28*2 {
		t.Fatalf("%d variants, want 57", len(vs))
	}
	b := vs[0]
	if !b.Base || b.Name != "TestFlags" || b.Topology.String() != "1n2l2c1t" || b.Profile.Name != "llc" || b.Excluded != "" {
		t.Errorf("base variant %+v", b)
	}
	if b.Duration != spec.DefaultDuration || b.MemoryMiB != 512 || b.Scheduler != "scx_x" || b.Package != "example.com/p" {
		t.Errorf("base variant defaults %+v", b)
	}
	count := map[ExclusionKind]int{}
	for _, v := range vs[1:] {
		count[v.Excluded]++
		if v.Base || v.Preset == "" || v.Name != "TestFlags/"+v.Preset+"/"+v.Profile.Name {
			t.Errorf("variant %+v misnamed", v)
		}
	}
	// max_cpus 16 and one node leave tiny-1llc, tiny-2llc, odd-3llc,
	// odd-5llc, odd-7llc, smt-2llc, smt-3llc: 7 presets x 2 profiles.
	if count[""] != 14 || count[ByConstraint] != 42 || count[ByCapacity] != 0 {
		t.Errorf("included %d, by constraint %d, by capacity %d", count[""], count[ByConstraint], count[ByCapacity])
	}
}

func TestExpandCapacity(t *testing.T) {
	d := spec.Description{Test: "TestBig", Spec: spec.Spec{Constraints: topo.Constraints{MaxNUMA: 4, MaxLLCs: 16, MaxCPUs: 288, MaxOfflineCPUs: 288, MaxMemoryNodes: 8}}}
	vs, err := ExpandSpec("p", d, twoCPUs)
	if err != nil {
		t.Fatal(err)
	}
	var fits []string
	for _, v := range vs[1:] {
		switch v.Excluded {
		case "":
			fits = append(fits, v.Preset)
		case ByCapacity:
			if !strings.Contains(v.Reason, "vCPUs > 32 (2 host CPUs x oversubscription 16)") {
				t.Errorf("%s: reason %q", v.Name, v.Reason)
			}
		default:
			t.Errorf("%s excluded by %s: %s", v.Name, v.Excluded, v.Reason)
		}
	}
	want := []string{"tiny-1llc", "tiny-2llc", "odd-3llc", "odd-5llc", "odd-7llc", "smt-2llc", "smt-3llc",
		"medium-4llc", "medium-4llc-nosmt", "numa2-4llc", "numa4-8llc", "offline-2llc", "offline-numa2", "numa2-memnode", "numa4-snc"}
	if !slices.Equal(fits, want) {
		t.Errorf("fits %v, want %v", fits, want)
	}
	// A base topology too big for the host is excluded too.
	d.Spec.Topology = "1n8l8c1t"
	vs, _ = ExpandSpec("p", d, twoCPUs)
	if vs[0].Excluded != ByCapacity {
		t.Errorf("64-vCPU base variant on 2 CPUs: %+v", vs[0])
	}
}

func TestExpandCustomPresetsKernelsMatch(t *testing.T) {
	custom := topo.Topology{NUMA: 1, LLCs: 2, CoresPerLLC: 1, ThreadsPerCore: 1}
	o := twoCPUs
	o.Presets = []topo.Preset{{Name: custom.String(), Topology: custom}}
	o.Kernels = []string{"6.12", "6.13"}
	d := spec.Description{Test: "TestK", Spec: spec.Spec{Duration: 7 * time.Second, MemoryMiB: 1000}}
	vs, err := ExpandSpec("p", d, o)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.Name+"|"+v.Kernel)
		if v.Duration != 7*time.Second || v.MemoryMiB != 1000 {
			t.Errorf("%s: duration %v memory %d", v.Name, v.Duration, v.MemoryMiB)
		}
	}
	want := []string{"TestK/6.12|6.12", "TestK/6.13|6.13", "TestK/1n2l1c1t/default/6.12|6.12", "TestK/1n2l1c1t/default/6.13|6.13"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	o.Match, _ = NewMatcher("TestK/1n2l", "///6.12")
	vs, _ = ExpandSpec("p", d, o)
	if len(vs) != 1 || vs[0].Name != "TestK/1n2l1c1t/default/6.13" {
		t.Fatalf("matched %+v", vs)
	}
}

func TestOptionsValidate(t *testing.T) {
	bad := []Options{
		{},
		{Capacity: twoCPUs.Capacity, Kernels: []string{"a/b"}},
		{Capacity: twoCPUs.Capacity, Kernels: []string{"x", "x"}},
		{Capacity: twoCPUs.Capacity, Kernels: []string{""}},
		{Capacity: twoCPUs.Capacity, Kernels: []string{"a=b"}},
	}
	for _, o := range bad {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v validated", o)
		}
	}
	if err := twoCPUs.Validate(); err != nil {
		t.Error(err)
	}
}

func TestCheckSpec(t *testing.T) {
	tests := []struct {
		s    spec.Spec
		want string
	}{
		{spec.Spec{Topology: "0,1,1"}, `topology "0,1,1": sockets must be at least 1`},
		{spec.Spec{Constraints: topo.Constraints{MinCPUs: 9, MaxCPUs: 8}}, "min_cpus (9) is more than max_cpus (8)"},
		{spec.Spec{Duration: -time.Second}, "duration -1s is negative"},
		{spec.Spec{Timeout: -time.Second}, "timeout -1s is negative"},
		{spec.Spec{MemoryMiB: -1}, "memory_mib -1 is negative"},
		{spec.Spec{Scheduler: &spec.Scheduler{}}, "scheduler has no name"},
		{spec.Spec{RequiredFlags: []string{"x"}}, `required_flags names "x"`},
	}
	for _, tt := range tests {
		if err := CheckSpec(tt.s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckSpec(%+v) = %v, want %q", tt.s, err, tt.want)
		}
	}
	if err := CheckSpec(spec.Spec{}); err != nil {
		t.Errorf("zero spec: %v", err)
	}
}

func TestExpandMarksBadSpec(t *testing.T) {
	good := &Package{ImportPath: "good", Descriptions: []spec.Description{{Test: "TestA"}}}
	bad := &Package{ImportPath: "bad", Descriptions: []spec.Description{{Test: "TestB", Spec: spec.Spec{RequiredFlags: []string{"nosuch"}}}}}
	skipped := &Package{ImportPath: "skipped", Err: &PackageError{ImportPath: "skipped", Err: ErrBuild}, Descriptions: []spec.Description{{Test: "TestC"}}}
	vs := Expand([]*Package{good, bad, skipped}, twoCPUs)
	for _, v := range vs {
		if v.Package != "good" {
			t.Errorf("variant of %s: %s", v.Package, v.Name)
		}
	}
	if len(vs) != 29 {
		t.Errorf("%d variants of the good package, want 29", len(vs))
	}
	if bad.Err == nil || !strings.Contains(bad.Err.Error(), `bad: bad spec: TestB: required_flags names "nosuch"`) {
		t.Errorf("bad package error: %v", bad.Err)
	}
}

func TestVariantWire(t *testing.T) {
	vs, err := ExpandSpec("p", flagsSpec, twoCPUs)
	if err != nil {
		t.Fatal(err)
	}
	w := vs[2].Wire() // TestFlags/tiny-1llc/llc+steal
	if w.Name != "TestFlags/tiny-1llc/llc+steal" || w.Preset != "tiny-1llc" || w.Topology.String() != "1n1l4c1t" || !slices.Equal(w.Flags, []string{"llc", "steal"}) {
		t.Errorf("Wire() = %+v", w)
	}
}

// TestExpandSchedulers: a test without a scheduler runs under each
// --scheduler binary too, named as its own profile after the test's; a
// test with its own scheduler is not affected.
func TestExpandSchedulers(t *testing.T) {
	o := twoCPUs
	o.Presets = []topo.Preset{{Name: "tiny-1llc", Topology: topo.Topology{NUMA: 1, LLCs: 1, CoresPerLLC: 4, ThreadsPerCore: 1}}}
	o.Schedulers = []spec.Scheduler{{Binary: "/s/scx_simple"}, {Binary: "/s/scx_qmap", Args: []string{"-s", "5000"}}}
	vs, err := ExpandSpec("p", spec.Description{Test: "TestE"}, o)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		over := ""
		if v.Override != nil {
			over = v.Override.Binary
		}
		got = append(got, v.Name+"|"+v.Profile.Name+"|"+v.Scheduler+"|"+over)
	}
	want := []string{"TestE|default||", "TestE/tiny-1llc/default|default||",
		"TestE/tiny-1llc/scx_simple|scx_simple|scx_simple|/s/scx_simple", "TestE/tiny-1llc/scx_qmap|scx_qmap|scx_qmap|/s/scx_qmap"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if w := vs[3].Wire(); w.Scheduler == nil || !slices.Equal(w.Scheduler.Args, []string{"-s", "5000"}) {
		t.Errorf("wire variant %+v: want the scheduler with its args", w)
	}
	vs, _ = ExpandSpec("p", flagsSpec, o)
	for _, v := range vs {
		if v.Override != nil || strings.Contains(v.Name, "scx_") {
			t.Errorf("a test with its own scheduler got %s", v.Name)
		}
	}
}

func TestOptionsValidateSchedulers(t *testing.T) {
	for _, c := range []struct {
		ss   []spec.Scheduler
		want string
	}{
		{[]spec.Scheduler{{Binary: "/a/scx_x"}, {Binary: "/b/scx_x"}}, "a scheduler named scx_x is given twice"},
		{[]spec.Scheduler{{Binary: "/a/default"}}, `its profile would be named "default"`},
		{[]spec.Scheduler{{Binary: "/a/x+y"}}, `its profile would be named "x+y"`},
		{[]spec.Scheduler{{}}, "scheduler with no binary"},
	} {
		o := twoCPUs
		o.Schedulers = c.ss
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.ss, err, c.want)
		}
	}
}
