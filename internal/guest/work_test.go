package guest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestWorkTypeNames(t *testing.T) {
	cases := map[string]WorkType{
		"CpuSpin":                             {},
		"Bursty(50ms,100ms)":                  Bursty(50*time.Millisecond, 100*time.Millisecond),
		"CachePressure(1024KiB)":              CachePressure(0),
		"CachePressure(64KiB)":                CachePressure(64),
		"Custom(guest-test-count)":            countWork,
		"Sequence(CpuSpin 1s, YieldHeavy 2s)": Sequence(Phase{CpuSpin(), time.Second}, Phase{YieldHeavy(), 2 * time.Second}),
		"MutexContention":                     MutexContention(),
	}
	for want, w := range cases {
		if w.String() != want {
			t.Errorf("String() = %q, want %q", w, want)
		}
	}
}

func TestWorkTypeJSONRoundTrip(t *testing.T) {
	in := Sequence(Phase{Bursty(time.Millisecond, 2*time.Millisecond), time.Second}, Phase{CachePressure(8), time.Second})
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out WorkType
	if err := json.Unmarshal(b, &out); err != nil || out.String() != in.String() {
		t.Fatalf("round trip %s -> %s -> %s, %v", in, b, out, err)
	}
}

func TestWorkTypeProperties(t *testing.T) {
	if !PipeIo().spec().paired() || !FutexPingPong().spec().paired() || CpuSpin().spec().paired() {
		t.Error("paired() wrong")
	}
	for _, w := range []WorkType{ForkExit(), NiceSweep(), AffinityChurn(), PolicyChurn(), countWork, Sequence(Phase{NiceSweep(), time.Second})} {
		if w.spec().fair() {
			t.Errorf("%s must not be compared for fairness", w)
		}
	}
	if !Sequence(Phase{CpuSpin(), time.Second}, Phase{Mixed(), time.Second}).spec().fair() {
		t.Error("a sequence of fair phases is fair")
	}
}

func TestSequenceValidate(t *testing.T) {
	for _, bad := range []WorkType{
		Sequence(Phase{CpuSpin(), 0}),
		Sequence(Phase{PipeIo(), time.Second}),
		Sequence(Phase{Sequence(Phase{CpuSpin(), time.Second}), time.Second}),
		Sequence(Phase{Bursty(0, 0), time.Second}),
	} {
		if err := bad.spec().validate(); err == nil {
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
