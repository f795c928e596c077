package topo

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestCPUSetBasics(t *testing.T) {
	s := NewCPUSet(3, 0, 1, 2, 8, 287, 64)
	if got, want := s.CPUs(), []int{0, 1, 2, 3, 8, 64, 287}; !reflect.DeepEqual(got, want) {
		t.Fatalf("CPUs() = %v, want %v", got, want)
	}
	if s.Len() != 7 || s.First() != 0 || s.Last() != 287 || s.Nth(5) != 64 || s.Nth(7) != -1 || s.Nth(-1) != -1 {
		t.Errorf("Len/First/Last/Nth wrong: %d %d %d %d %d", s.Len(), s.First(), s.Last(), s.Nth(5), s.Nth(7))
	}
	if !s.Contains(64) || s.Contains(65) || s.Contains(-1) || s.Contains(MaxVCPUs) {
		t.Error("Contains wrong")
	}
	if got := s.String(); got != "0-3,8,64,287" {
		t.Errorf("String() = %q", got)
	}
	var empty CPUSet
	if !empty.IsEmpty() || empty.First() != -1 || empty.Last() != -1 || empty.String() != "" {
		t.Error("zero CPUSet is not an empty set")
	}
}

func TestCPUSetAlgebra(t *testing.T) {
	a, b := CPURange(0, 6), NewCPUSet(4, 5, 6, 7)
	cases := []struct {
		name      string
		got, want CPUSet
	}{
		{"union", a.Union(b), CPURange(0, 8)},
		{"intersect", a.Intersect(b), NewCPUSet(4, 5)},
		{"minus", a.Minus(b), CPURange(0, 4)},
		{"receiver unchanged", a, CPURange(0, 6)},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if !NewCPUSet(4).SubsetOf(b) || a.SubsetOf(b) {
		t.Error("SubsetOf wrong")
	}
}

func TestCPUSetOfRejectsOutOfRange(t *testing.T) {
	for _, c := range []int{-1, MaxVCPUs} {
		if _, err := CPUSetOf([]int{c}); err == nil {
			t.Errorf("CPUSetOf(%d) accepted", c)
		}
	}
	if _, err := ParseCPUSet("0-300"); err == nil {
		t.Error("ParseCPUSet(0-300) accepted a cpu above MaxVCPUs")
	}
}

func TestCPUSetJSON(t *testing.T) {
	in := struct {
		S CPUSet `json:"s"`
	}{NewCPUSet(0, 1, 2, 5)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"s":"0-2,5"}` {
		t.Fatalf("marshal = %s", b)
	}
	var out struct {
		S CPUSet `json:"s"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.S != in.S {
		t.Fatalf("round trip = %v, %v", out.S, err)
	}
	if err := json.Unmarshal([]byte(`{"s":"x"}`), &out); err == nil {
		t.Error("unmarshal of a bad list succeeded")
	}
}

func FuzzParseCPUSet(f *testing.F) {
	for _, s := range []string{"0-3,8", "", "287", "1-1", "5-2", "a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseCPUSet(in)
		if err != nil {
			return
		}
		again, err := ParseCPUSet(s.String())
		if err != nil || again != s {
			t.Fatalf("%q -> %q -> %v, %v", in, s, again, err)
		}
	})
}
