package expand

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitLevels(t *testing.T) {
	tests := map[string][]string{
		"TestA":          {"TestA"},
		"TestA/tiny":     {"TestA", "tiny"},
		"TestA/[/]x/y":   {"TestA", "[/]x", "y"},
		"(a/b)/c":        {"(a/b)", "c"},
		`a\/b/c`:         {`a\/b`, "c"},
		"TestA//default": {"TestA", "", "default"},
	}
	for in, want := range tests {
		if got := splitLevels(in); !slices.Equal(got, want) {
			t.Errorf("splitLevels(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatcher(t *testing.T) {
	names := []string{"TestA", "TestA/tiny-1llc/default", "TestA/smt-2llc/llc+steal", "TestB", "TestB/tiny-2llc/default", "TestAB"}
	tests := []struct {
		run, skip string
		want      []string
	}{
		{"", "", names},
		{"TestA$", "", []string{"TestA", "TestA/tiny-1llc/default", "TestA/smt-2llc/llc+steal"}},
		{"TestA/tiny", "", []string{"TestA/tiny-1llc/default"}},
		{"/tiny", "", []string{"TestA/tiny-1llc/default", "TestB/tiny-2llc/default"}},
		{"//steal", "", []string{"TestA/smt-2llc/llc+steal"}},
		{"", "TestB", []string{"TestA", "TestA/tiny-1llc/default", "TestA/smt-2llc/llc+steal", "TestAB"}},
		{"", "/tiny", []string{"TestA", "TestA/smt-2llc/llc+steal", "TestB", "TestAB"}},
		{"TestA", "TestAB", []string{"TestA", "TestA/tiny-1llc/default", "TestA/smt-2llc/llc+steal"}},
	}
	for _, tt := range tests {
		m, err := NewMatcher(tt.run, tt.skip)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range names {
			if m.Variant(n) {
				got = append(got, n)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("run %q skip %q: got %q, want %q", tt.run, tt.skip, got, tt.want)
		}
	}
}

func TestMatcherTest(t *testing.T) {
	m, _ := NewMatcher("TestA/tiny", "/smt")
	if !m.Test("TestA") || m.Test("TestB") {
		t.Error("run TestA/tiny: top-level TestA must be kept, TestB dropped")
	}
	m, _ = NewMatcher("", "TestB")
	if m.Test("TestB") || !m.Test("TestA") {
		t.Error("skip TestB must drop TestB only")
	}
	var nilM *Matcher
	if !nilM.Test("x") || !nilM.Variant("x/y/z") {
		t.Error("nil matcher must match everything")
	}
}

func TestMatcherBadPattern(t *testing.T) {
	_, err := NewMatcher("Test(", "")
	if err == nil || !strings.HasPrefix(err.Error(), `-run "Test(": `) {
		t.Errorf("bad -run: %v", err)
	}
	_, err = NewMatcher("", "a/[")
	if err == nil || !strings.HasPrefix(err.Error(), `-skip "a/[": `) {
		t.Errorf("bad -skip: %v", err)
	}
}
