package expand

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// MaxOptionalFlags bounds the optional flags of one test: profiles are
// their powerset, so 12 flags already give 4096 profiles per preset.
const MaxOptionalFlags = 12

// DefaultProfile names the profile with no flags on.
const DefaultProfile = "default"

// Profile is one set of scheduler flags a variant runs with.
type Profile struct {
	// Name is [DefaultProfile] or the flags joined by "+" in declaration
	// order.
	Name string
	// Flags are the flags on, in declaration order.
	Flags []string
}

// Profiles returns the flag profiles of a Spec: every subset of the
// optional flags (declared, minus required, minus excluded) plus the
// required flags, kept only when each flag's Requires are inside it. They
// are ordered by number of flags, then by declaration order. A Spec
// without a scheduler or flags has the one profile "default". The error
// names the flag that is wrong.
func Profiles(s spec.Spec) ([]Profile, error) {
	if err := checkFlags(s); err != nil {
		return nil, err
	}
	var declared []spec.Flag
	if s.Scheduler != nil {
		declared = s.Scheduler.Flags
	}
	var optional []int // indexes into declared
	for i, f := range declared {
		if !slices.Contains(s.RequiredFlags, f.Name) && !slices.Contains(s.ExcludedFlags, f.Name) {
			optional = append(optional, i)
		}
	}
	if len(optional) > MaxOptionalFlags {
		return nil, fmt.Errorf("%d optional flags give %d profiles; at most %d optional flags, require or exclude the rest", len(optional), 1<<len(optional), MaxOptionalFlags)
	}
	var out []Profile
	for _, subset := range subsetsBySize(len(optional)) {
		on := map[string]bool{}
		for _, name := range s.RequiredFlags {
			on[name] = true
		}
		for _, j := range subset {
			on[declared[optional[j]].Name] = true
		}
		if satisfied(declared, on) {
			out = append(out, newProfile(declared, on))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no flag profile satisfies every flag's requires; check required_flags against requires")
	}
	return out, nil
}

// subsetsBySize returns every subset of {0..n-1} as sorted index lists,
// ordered by size, then lexicographically.
func subsetsBySize(n int) [][]int {
	out := make([][]int, 0, 1<<n)
	for mask := 0; mask < 1<<n; mask++ {
		var set []int
		for i := range n {
			if mask&(1<<i) != 0 {
				set = append(set, i)
			}
		}
		out = append(out, set)
	}
	slices.SortFunc(out, func(a, b []int) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return slices.Compare(a, b)
	})
	return out
}

func satisfied(declared []spec.Flag, on map[string]bool) bool {
	for _, f := range declared {
		if !on[f.Name] {
			continue
		}
		for _, r := range f.Requires {
			if !on[r] {
				return false
			}
		}
	}
	return true
}

func newProfile(declared []spec.Flag, on map[string]bool) Profile {
	var flags []string
	for _, f := range declared {
		if on[f.Name] {
			flags = append(flags, f.Name)
		}
	}
	if len(flags) == 0 {
		return Profile{Name: DefaultProfile}
	}
	return Profile{Name: strings.Join(flags, "+"), Flags: flags}
}

// checkFlags validates the flag declarations and references of s.
func checkFlags(s spec.Spec) error {
	known := map[string]bool{}
	if s.Scheduler != nil {
		for _, f := range s.Scheduler.Flags {
			if err := checkFlagName(f.Name, known); err != nil {
				return err
			}
			known[f.Name] = true
		}
		for _, f := range s.Scheduler.Flags {
			for _, r := range f.Requires {
				if !known[r] {
					return fmt.Errorf("flag %q requires %q, which the scheduler does not declare", f.Name, r)
				}
			}
		}
	}
	for _, ref := range []struct {
		field string
		names []string
	}{{"required_flags", s.RequiredFlags}, {"excluded_flags", s.ExcludedFlags}} {
		for _, n := range ref.names {
			if !known[n] {
				return fmt.Errorf("%s names %q, which the scheduler does not declare (declared: %s)", ref.field, n, declaredList(s))
			}
		}
	}
	for _, n := range s.RequiredFlags {
		if slices.Contains(s.ExcludedFlags, n) {
			return fmt.Errorf("flag %q is both required and excluded", n)
		}
	}
	return nil
}

func checkFlagName(name string, seen map[string]bool) error {
	switch {
	case name == "" || name == DefaultProfile:
		return fmt.Errorf("flag name %q is not allowed; name flags like llc or steal", name)
	case strings.ContainsAny(name, "+/ \t\n@"):
		return fmt.Errorf("flag name %q contains one of + / @ or a space, which variant names use", name)
	case seen[name]:
		return fmt.Errorf("flag %q is declared twice", name)
	}
	return nil
}

func declaredList(s spec.Spec) string {
	if s.Scheduler == nil || len(s.Scheduler.Flags) == 0 {
		return "none"
	}
	var names []string
	for _, f := range s.Scheduler.Flags {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}
