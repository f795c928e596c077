package guest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Wire values the tests use.
var (
	cpuSpin = WorkSpec{Kind: KindCPUSpin}
	pipeIO  = WorkSpec{Kind: KindPipeIO}
)

func phase(w WorkSpec, d time.Duration) PhaseSpec { return PhaseSpec{Work: w, For: d} }

func sequence(phases ...PhaseSpec) WorkSpec { return WorkSpec{Kind: KindSequence, Phases: phases} }

func bursty(burst, sleep time.Duration) WorkSpec {
	return WorkSpec{Kind: KindBursty, Burst: burst, Sleep: sleep}
}

func TestWorkSpecStrings(t *testing.T) {
	cases := map[string]WorkSpec{
		"CpuSpin":                             {},
		"Bursty(50ms,100ms)":                  bursty(50*time.Millisecond, 100*time.Millisecond),
		"CachePressure(1024KiB)":              {Kind: KindCachePressure},
		"CachePressure(64KiB)":                {Kind: KindCachePressure, SizeKiB: 64},
		"Custom(guest-test-count)":            countWork,
		"Sequence(CpuSpin 1s, YieldHeavy 2s)": sequence(phase(cpuSpin, time.Second), phase(WorkSpec{Kind: KindYieldHeavy}, 2*time.Second)),
		"MutexContention":                     {Kind: KindMutexContention},
	}
	for want, w := range cases {
		if w.String() != want {
			t.Errorf("String() = %q, want %q", w, want)
		}
	}
}

// TestWorkSpecJSON pins the wire form workers receive.
func TestWorkSpecJSON(t *testing.T) {
	in := sequence(phase(bursty(time.Millisecond, 2*time.Millisecond), time.Second), phase(WorkSpec{Kind: KindCachePressure, SizeKiB: 8}, time.Second))
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"kind":"Sequence","phases":[{"work":{"kind":"Bursty","burst_ns":1000000,"sleep_ns":2000000},"for_ns":1000000000},{"work":{"kind":"CachePressure","size_kib":8},"for_ns":1000000000}]}`
	if string(b) != want {
		t.Errorf("json %s\nwant %s", b, want)
	}
	var out WorkSpec
	if err := json.Unmarshal(b, &out); err != nil || out.String() != in.String() {
		t.Fatalf("round trip %s -> %s -> %s, %v", in, b, out, err)
	}
}

func TestWorkSpecProperties(t *testing.T) {
	if !pipeIO.paired() || !(WorkSpec{Kind: KindFutexPingPong}).paired() || cpuSpin.paired() {
		t.Error("paired() wrong")
	}
	nice := WorkSpec{Kind: KindNiceSweep}
	for _, w := range []WorkSpec{{Kind: KindForkExit}, nice, {Kind: KindAffinityChurn}, {Kind: KindPolicyChurn}, countWork, sequence(phase(nice, time.Second))} {
		if w.fair() {
			t.Errorf("%s must not be compared for fairness", w)
		}
	}
	if !sequence(phase(cpuSpin, time.Second), phase(WorkSpec{Kind: KindMixed}, time.Second)).fair() {
		t.Error("a sequence of fair phases is fair")
	}
}

func TestSequenceValidate(t *testing.T) {
	for _, bad := range []WorkSpec{
		sequence(phase(cpuSpin, 0)),
		sequence(phase(pipeIO, time.Second)),
		sequence(phase(sequence(phase(cpuSpin, time.Second)), time.Second)),
		sequence(phase(bursty(0, 0), time.Second)),
	} {
		if err := bad.validate(); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestCustomLookup(t *testing.T) {
	if _, err := lookupCustom("guest-test-count"); err != nil {
		t.Error(err)
	}
	_, err := lookupCustom("missing")
	if err == nil || !strings.Contains(err.Error(), "package level") {
		t.Errorf("missing custom work: %v; want a hint to register at package level", err)
	}
}

func TestEveryKindIsInTheTable(t *testing.T) {
	for _, k := range []string{KindCPUSpin, KindYieldHeavy, KindMixed, KindIOSync, KindBursty, KindPipeIO, KindFutexPingPong,
		KindCachePressure, KindForkExit, KindNiceSweep, KindAffinityChurn, KindPolicyChurn, KindMutexContention, KindCustom} {
		if e, ok := workKinds[k]; !ok || e.prepare == nil {
			t.Errorf("work kind %s has no table entry with a prepare func", k)
		}
	}
	if _, ok := (WorkSpec{}).kind(); !ok {
		t.Error("the zero WorkSpec must be CpuSpin")
	}
}
