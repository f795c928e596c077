package expand

import (
	"slices"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func profileNames(ps []Profile) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

var workedFlags = &spec.Scheduler{Name: "scx_x", Flags: []spec.Flag{
	{Name: "llc"},
	{Name: "steal", Requires: []string{"llc"}},
	{Name: "borrow"},
}}

// TestProfilesWorkedExample is the example: flags llc, steal
// (requires llc) and borrow; llc required and borrow excluded give exactly
// llc and llc+steal.
func TestProfilesWorkedExample(t *testing.T) {
	ps, err := Profiles(spec.Spec{Scheduler: workedFlags, RequiredFlags: []string{"llc"}, ExcludedFlags: []string{"borrow"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := profileNames(ps); !slices.Equal(got, []string{"llc", "llc+steal"}) {
		t.Fatalf("profiles = %q", got)
	}
	if !slices.Equal(ps[1].Flags, []string{"llc", "steal"}) {
		t.Fatalf("llc+steal flags = %q", ps[1].Flags)
	}
}

func TestProfilesAllOptional(t *testing.T) {
	ps, err := Profiles(spec.Spec{Scheduler: workedFlags})
	if err != nil {
		t.Fatal(err)
	}
	// steal without llc is dropped.
	want := []string{"default", "llc", "borrow", "llc+steal", "llc+borrow", "llc+steal+borrow"}
	if got := profileNames(ps); !slices.Equal(got, want) {
		t.Fatalf("profiles = %q, want %q", got, want)
	}
	if ps[0].Flags != nil {
		t.Errorf("default profile has flags %q", ps[0].Flags)
	}
}

func TestProfilesNoScheduler(t *testing.T) {
	ps, err := Profiles(spec.Spec{})
	if err != nil || len(ps) != 1 || ps[0].Name != "default" {
		t.Fatalf("Profiles(no scheduler) = %+v, %v", ps, err)
	}
}

func TestProfilesCount(t *testing.T) {
	s := &spec.Scheduler{Name: "x"}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		s.Flags = append(s.Flags, spec.Flag{Name: n})
	}
	ps, err := Profiles(spec.Spec{Scheduler: s})
	if err != nil || len(ps) != 32 {
		t.Fatalf("5 free flags: %d profiles, %v", len(ps), err)
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.Name] {
			t.Fatalf("profile %s twice", p.Name)
		}
		seen[p.Name] = true
	}
}

func TestProfilesErrors(t *testing.T) {
	flags := func(fs ...spec.Flag) *spec.Scheduler { return &spec.Scheduler{Name: "x", Flags: fs} }
	many := &spec.Scheduler{Name: "x"}
	for i := range MaxOptionalFlags + 1 {
		many.Flags = append(many.Flags, spec.Flag{Name: string(rune('a' + i))})
	}
	tests := []struct {
		s    spec.Spec
		want string
	}{
		{spec.Spec{RequiredFlags: []string{"llc"}}, `required_flags names "llc", which the scheduler does not declare (declared: none)`},
		{spec.Spec{Scheduler: workedFlags, ExcludedFlags: []string{"nosuch"}}, `excluded_flags names "nosuch"`},
		{spec.Spec{Scheduler: flags(spec.Flag{Name: "a", Requires: []string{"b"}})}, `flag "a" requires "b", which the scheduler does not declare`},
		{spec.Spec{Scheduler: flags(spec.Flag{Name: "a"}, spec.Flag{Name: "a"})}, `flag "a" is declared twice`},
		{spec.Spec{Scheduler: flags(spec.Flag{Name: "a+b"})}, `flag name "a+b" contains`},
		{spec.Spec{Scheduler: flags(spec.Flag{Name: "default"})}, `flag name "default" is not allowed`},
		{spec.Spec{Scheduler: workedFlags, RequiredFlags: []string{"llc"}, ExcludedFlags: []string{"llc"}}, `flag "llc" is both required and excluded`},
		{spec.Spec{Scheduler: workedFlags, RequiredFlags: []string{"steal"}, ExcludedFlags: []string{"llc"}}, "no flag profile satisfies"},
		{spec.Spec{Scheduler: many}, "13 optional flags give 8192 profiles"},
	}
	for _, tt := range tests {
		_, err := Profiles(tt.s)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Profiles(%+v) error = %v, want %q", tt.s, err, tt.want)
		}
	}
}
